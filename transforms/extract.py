"""Bytes -> HTML text -> tree -> main article text.

Order of trust for the body: the outlet's own ``body_selector`` hint, then trafilatura; the
JSON-LD ``articleBody`` replaces either when it is clearly more complete (teaser pages, lazy-loaded
paragraphs). Debris is removed twice: as markup before extraction and as text lines after.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from copy import deepcopy
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from lxml.cssselect import SelectorError
from w3lib.encoding import html_to_unicode

from transforms.clean import clean_body

MIN_BODY_CHARS = 100  # shorter than a two-sentence brief: a listing, an error or a video-only page
JSONLD_BETTER_RATIO = 1.2  # articleBody must be this much longer to replace the extracted text

# Class/id tokens of page furniture (WordPress, Jetpack, AddToAny, Disqus, CMP banners, Arc themes).
_DEBRIS_TOKEN = re.compile(
    # an optional short theme namespace ("b-", "td-", "jeg_"), but not state prefixes ("has-comments")
    r"^(?!(?:has|is|with|no|show|hide)[-_])(?:[a-z]{1,4}[-_])?"
    r"(?:comments?(?:-area|-section|-list|-form|-wrapper|-container)?|comment-respond|respond|"
    r"wp-block-comments.*|disqus.*|share.*|sharing.*|sharedaddy|social.*|addtoany.*|a2a_kit.*|"
    r"jp-relatedposts|related.*|read-?also|lire-aussi|.*cookie.*|.*consent.*|gdpr.*|cmplz.*|"
    r"newsletter.*|subscribe.*|follow-us|post-tags|tags-?links|breadcrumbs?|ads?|advert.*|"
    r"print-button|author-box|byline|posted-on|entry-meta|(?:.*[-_])?date(?:[-_].*)?|"
    r"(?:.*[-_])?(?:menu|nav|navbar|navigation)(?:[-_].*)?|(?:site-)?footer|colophon|sidebar|widget.*)$",
    re.IGNORECASE,
)
_NEVER_TEXT = ("script", "style", "noscript", "template", "svg", "iframe", "button")
# Usually furniture, but ASP.NET pages wrap the whole body in one <form>: guarded like classes.
_FURNITURE_TAGS = frozenset({"form", "nav", "footer", "dialog"})
_PROTECTED = frozenset({"html", "body", "main", "article", "h1"})
_WS = re.compile(r"\s+")
_HTML_START = re.compile(rb"<(?:!doctype|html|head|body)\b", re.IGNORECASE)
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str, float]:
    """(text, encoding, share of undecodable characters).

    The charset comes from the BOM, the HTTP header, then <meta charset>, then utf-8; bad bytes
    become U+FFFD instead of raising, and the caller judges the damage from the share.
    """
    encoding, text = html_to_unicode(content_type, body, default_encoding="utf-8")
    share = _bad_share(text)
    if share > 0.01 and encoding.replace("-", "").lower() == "utf8" and _HTML_START.search(body[:4096]):
        # Older Arabic CMSs serve windows-1256 while claiming (or defaulting to) utf-8.
        legacy = body.decode("cp1256", errors="replace")
        letters = _ARABIC_LETTER.findall(legacy)
        if len(letters) > 0.5 * sum(ch > "\x7f" for ch in legacy):
            return legacy, "cp1256", _bad_share(legacy)
    return text, encoding, share


def _bad_share(text: str) -> float:
    return (text.count("\ufffd") + text.count("\x00")) / max(len(text), 1)


def parse_tree(text: str) -> lxml_html.HtmlElement | None:
    # An XML declaration inside a str makes lxml refuse the document.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def select(tree: lxml_html.HtmlElement, selector: str | None) -> list[lxml_html.HtmlElement]:
    """CSS selection for registry hints; an empty list for a missing or invalid selector."""
    if not selector:
        return []
    try:
        return list(tree.cssselect(selector))
    except (SelectorError, etree.XPathError):  # a bad selector in the registry must not lose the page
        return []


def strip_debris_markup(tree: lxml_html.HtmlElement, keep: list[lxml_html.HtmlElement] = ()) -> None:  # type: ignore[assignment]
    """Remove comment forms, share bars, cookie banners... in place, keeping the article body.

    ``keep`` (the outlet's body_selector matches) and their ancestors are never removed, nor is
    anything holding an <article>/<main>/<h1> or a large share of the page's text: a class like
    "entry-content share-enabled" on the body container is a theme quirk, not furniture.
    """
    kept = {id(a) for el in keep for a in (el, *el.iterancestors())}
    large = max(500, len(tree.text_content()) // 4)
    doomed = []
    for el in tree.iter(etree.Element):
        if id(el) in kept:
            continue
        if el.tag in _NEVER_TEXT:
            doomed.append(el)
            continue
        tokens = (el.get("class") or "").split() + (el.get("id") or "").split()
        role = (el.get("role") or "").lower()
        furniture = el.tag in _FURNITURE_TAGS or role in ("dialog", "alertdialog", "navigation")
        if not (furniture or any(_DEBRIS_TOKEN.match(t) for t in tokens)):
            continue
        if (
            el.tag in _PROTECTED
            or el.xpath(".//article | .//main | .//h1")
            or len(el.text_content()) >= large
        ):
            continue
        doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text, which belongs to the parent


def _text_of(el: lxml_html.HtmlElement) -> str:
    """Text of the hinted body element, one line per block or <br>; mutates ``el``."""
    # Source line breaks inside a paragraph are just spaces...
    for node in el.iter():
        if node.text:
            node.text = _WS.sub(" ", node.text)
        if node.tail and node is not el:
            node.tail = _WS.sub(" ", node.tail)
    # ...while blocks and <br> end a line (old CMSs separate paragraphs with <br><br> only).
    for node in el.iter(*_BLOCKS, "br", "div", "section"):
        node.tail = "\n" + (node.tail or "")
        if node.tag != "br":
            node.text = "\n" + (node.text or "")
    return "\n".join(" ".join(line.split()) for line in el.text_content().splitlines())


def _by_trafilatura(tree: lxml_html.HtmlElement, url: str | None, *, precision: bool) -> str | None:
    # trafilatura prunes its input; the tree is kept intact for a second attempt.
    return trafilatura.extract(
        deepcopy(tree),
        url=url,
        favor_precision=precision,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        with_metadata=False,
    )


def main_text(
    tree: lxml_html.HtmlElement,
    *,
    url: str | None,
    hints: Mapping[str, Any],
    jsonld_body: str | None,
    title: str | None,
) -> tuple[str | None, str]:
    """(cleaned body or None, method name). Mutates ``tree``: metadata must be read before."""
    selected = select(tree, str(hints.get("body_selector") or ""))
    strip_debris_markup(tree, keep=selected)
    body, method = None, "none"
    if selected:
        body = clean_body("\n".join(_text_of(el) for el in selected), title)
        method = "selector"
    # Precision mode keeps the least furniture but gives up on <br>-separated text in tables,
    # which old CMSs use; the balanced mode is the second attempt.
    for precision in (True, False):
        if not body or len(body) < MIN_BODY_CHARS:
            body = clean_body(_by_trafilatura(tree, url, precision=precision), title)
            method = "trafilatura" if precision else "trafilatura_balanced"
    structured = clean_body(jsonld_body, title)
    if structured and (not body or len(structured) > JSONLD_BETTER_RATIO * len(body)):
        body, method = structured, "jsonld"
    if not body or len(body) < MIN_BODY_CHARS:
        return None, method
    return body, method
