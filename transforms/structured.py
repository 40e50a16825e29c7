"""Metadata that pages declare about themselves: JSON-LD, OpenGraph and plain <meta> tags.

Parsed from the lxml tree already built for extraction (one parse per page); extruct would parse
the page again. Broken JSON-LD is common (CMS templates, trailing commas, raw newlines) and is
repaired where cheap, otherwise skipped: nothing in here raises on page content.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
    }
)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_TAGS = re.compile(r"<[^>]+>")
# Markup injected into a text field ("A <script>x()</script>B"): the block's content is code, not text.
_CODE_BLOCKS = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_STRICT_TAGS = re.compile(r"</?[a-zA-Z][^<>]*>")  # a real tag, not "x < y and z > w"
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|par|بقلم|كتبه|كتب)\s*[:：]?\s+", re.IGNORECASE)


@dataclass
class PageMeta:
    headline: str | None = None
    article_body: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_modified: str | None = None
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    image: str | None = None
    in_language: str | None = None
    og_title: str | None = None
    og_url: str | None = None
    og_image: str | None = None
    og_site_name: str | None = None
    og_locale: str | None = None
    meta_published: str | None = None
    meta_modified: str | None = None
    meta_author: str | None = None
    meta_section: str | None = None
    meta_tags: list[str] = field(default_factory=list)
    canonical: str | None = None
    html_lang: str | None = None
    title_tag: str | None = None
    h1: str | None = None


def _text(value: Any) -> str | None:
    """A clean single string from a JSON-LD value (str, number, {"name"}, {"@value"}, list)."""
    if isinstance(value, list):
        for item in value:
            found = _text(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or value.get("url"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    value = html.unescape(_TAGS.sub(" ", _CODE_BLOCKS.sub(" ", value)))
    if "<" in value:  # escaped markup ("&lt;script&gt;...") is markup too in a headline or a name
        value = _STRICT_TAGS.sub(" ", _CODE_BLOCKS.sub(" ", value))
    cleaned = " ".join(value.split())
    return cleaned or None


def _body_text(value: Any) -> str | None:
    """articleBody keeps its paragraph breaks; some CMSs put HTML in it."""
    if not isinstance(value, str) or not value.strip():
        return None
    if re.search(r"<(?:p|br|div)\b", value, re.IGNORECASE):
        value = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", value)
    text = html.unescape(_TAGS.sub("", value))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line) or None


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    # "schema:NewsArticle" and "https://schema.org/NewsArticle" both occur in the wild.
    return {str(n).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if n}


def _load_json(raw: str) -> Any:
    raw = raw.strip()
    for prefix, suffix in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>")):
        if raw.startswith(prefix) and raw.endswith(suffix):
            raw = raw[len(prefix) : -len(suffix)].strip()
    try:
        return json.loads(raw, strict=False)  # strict=False admits raw newlines inside strings
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the decoder's limit
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", raw), strict=False)
    except (ValueError, RecursionError):
        return None


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _walk(value)


def _resolve(value: Any, index: dict[str, dict[str, Any]]) -> Any:
    """Follow {"@id": ...} references (Yoast puts authors and images as separate @graph nodes)."""
    if isinstance(value, list):
        return [_resolve(v, index) for v in value]
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in index:
        return index[value["@id"]]
    return value


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _text(item.get("name") if isinstance(item, dict) else item)
        if not name:
            continue
        name = _BYLINE_PREFIX.sub("", name).strip()
        if name and name not in names:
            names.append(name)
    return names


_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\bet\b|\s-\s|\s+و(?=\S))\s*", re.IGNORECASE)


def split_byline(text: str) -> list[str]:
    """'By A and B' / 'Par A et B' / 'بقلم أ وب' -> the cleaned names, in order."""
    text = _BYLINE_PREFIX.sub("", " ".join(text.split()))
    names = (n.strip(" .:") for n in _NAME_SEPARATORS.split(text))
    return list(dict.fromkeys(n for n in names if n))


def _keywords(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    out: list[str] = []
    for item in items:
        word = _text(item)
        if word and word not in out:
            out.append(word)
    return out


def _is_inline(url: str) -> bool:
    return url.lstrip()[:5].lower() == "data:"


def _image(value: Any) -> str | None:
    """The first image URL; an inline `data:` image is not one (its payload is megabytes of base64)."""
    if isinstance(value, list):
        return next((img for img in map(_image, value) if img), None)
    if isinstance(value, dict):
        return _image(value.get("url") or value.get("contentUrl"))
    url = _text(value)
    return None if url is None or _is_inline(url) else url


def _article_node(tree: lxml_html.HtmlElement) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        data = _load_json(script.text or "")
        if data is not None:
            nodes.extend(_walk(data))
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 2}
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    if not articles:
        return None
    # Listing blocks can hold several Article nodes; the page's own one carries the most detail.
    best = max(articles, key=lambda n: (bool(n.get("articleBody")), bool(n.get("datePublished")), len(n)))
    return best, index


def _meta_index(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """All <meta> contents by property/name/itemprop, lowercased keys, document order."""
    index: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        value = _text(el.get("content"))
        if not value:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (el.get(attr) or "").strip().lower()
            if key and value not in index.setdefault(key, []):
                index[key].append(value)
    return index


def _meta(index: dict[str, list[str]], *keys: str) -> list[str]:
    values: list[str] = []
    for key in keys:
        values += [v for v in index.get(key.lower(), ()) if v not in values]
    return values


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def read_page_meta(tree: lxml_html.HtmlElement) -> PageMeta:
    """Everything the page says about itself; missing items stay None/empty."""
    tags = _meta_index(tree)
    meta = PageMeta(
        og_title=_first(_meta(tags, "og:title", "twitter:title")),
        og_url=_first(_meta(tags, "og:url")),
        og_image=_image(_meta(tags, "og:image", "og:image:url", "og:image:secure_url", "twitter:image")),
        og_site_name=_first(_meta(tags, "og:site_name")),
        og_locale=_first(_meta(tags, "og:locale")),
        meta_published=_first(
            _meta(tags, "article:published_time", "og:published_time", "datePublished", "pubdate", "date")
        ),
        meta_modified=_first(_meta(tags, "article:modified_time", "og:updated_time", "dateModified")),
        meta_author=_first(_meta(tags, "author", "article:author", "dc.creator")),
        meta_section=_first(_meta(tags, "article:section")),
        meta_tags=_meta(tags, "article:tag") or _keywords(_first(_meta(tags, "news_keywords", "keywords"))),
        html_lang=_text(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")),
    )
    canonical = tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href')
    meta.canonical = _text(canonical[0]) if canonical else None
    titles = tree.xpath("//title/text()")
    meta.title_tag = _text(titles[0]) if titles else None
    h1 = tree.xpath("//h1")
    meta.h1 = _text(h1[0].text_content()) if h1 else None

    found = _article_node(tree)
    if found:
        node, index = found
        meta.headline = _text(node.get("headline") or node.get("name"))
        meta.article_body = _body_text(node.get("articleBody") or node.get("text"))
        meta.authors = _names(_resolve(node.get("author") or node.get("creator"), index))
        meta.date_published = _text(node.get("datePublished") or node.get("dateCreated"))
        meta.date_modified = _text(node.get("dateModified"))
        meta.section = _text(node.get("articleSection"))
        meta.keywords = _keywords(node.get("keywords"))
        meta.image = _image(_resolve(node.get("image") or node.get("thumbnailUrl"), index))
        meta.in_language = _text(node.get("inLanguage"))
    return meta
