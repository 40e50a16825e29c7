"""Bytes -> HTML text -> tree -> main article text.

Order of trust for the body: the outlet's own ``body_selector`` hint, then trafilatura; the
JSON-LD ``articleBody`` replaces either when it is clearly more complete (teaser pages, lazy-loaded
paragraphs). Debris is removed twice: as markup before extraction and as text lines after.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from copy import copy
from functools import lru_cache
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from lxml.cssselect import SelectorError
from trafilatura.settings import Extractor
from w3lib.encoding import html_to_unicode

from transforms.clean import clean_body
from transforms.furniture import drop_trailing_links, drop_unstated_lines

MIN_BODY_CHARS = 100  # shorter than a two-sentence brief: a listing, an error or a video-only page
JSONLD_BETTER_RATIO = 1.2  # articleBody must be this much longer to replace the extracted text
# Below this many characters the balanced pass may have missed text: a recall pass runs too (cheap,
# since only short extractions pay for it). Measured on trafilatura's benchmark.
RECALL_PROBE_CHARS = 2500
RECALL_LINE_CHARS = 150
FAST_COVERAGE = 0.8  # share of the page's running text the fast pass must hold to be kept (measured)
COVERAGE_RUN_CHARS = 80  # shorter runs of text are captions, bylines and furniture as often as text
LAYOUT_ROW_CHARS = 1000  # one table row this long is a page layout, not a data table

# Class/id tokens of unambiguous page furniture: comment forms, share/follow bars, cookie and consent
# banners, newsletter boxes, "related"/"read also" blocks. Measured on trafilatura's benchmark, wider
# families (menus, dates, widgets, sidebars, footers) cost more article text than they saved: Blogger
# wraps posts in "date-outer"/"widget", shops put content in "tab-menu"; trafilatura already drops
# real navigation. Outlets with other furniture list it in the registry hint ``strip_selectors``.
_DEBRIS_TOKEN = re.compile(
    # an optional short theme namespace ("b-", "td-", "jeg_"), but not state prefixes ("has-comments")
    r"^(?!(?:has|is|with|no|show|hide)[-_])(?:[a-z]{1,4}[-_])?"
    r"(?:comments?(?:-area|-section|-list|-form|-wrapper|-container)?|comment-respond|respond|"
    r"wp-block-comments.*|disqus.*|sharedaddy|sharing|share-?(?:bar|box|buttons?|links?|tools|icons|"
    r"this|post|article|widget|container|wrapper)|social-?(?:share|sharing|links|icons|buttons|follow)|"
    r"addtoany.*|a2a_kit.*|jp-relatedposts|related-?(?:posts?|articles?|news|stories|content|links)?|"
    r"read-?also|lire-aussi|cookies?-?(?:banner|notice|consent|bar|popup|law|policy)|cn-notice.*|"
    r".*consent.*|gdpr.*|cmplz.*|newsletter.*|follow-us)$",
    re.IGNORECASE,
)
_NEVER_TEXT = ("script", "style", "noscript", "template", "svg", "iframe", "button")
_FURNITURE_TAGS = frozenset({"dialog"})
_PROTECTED = frozenset({"html", "body", "main", "article", "h1"})
_WS = re.compile(r"\s+")
_HTML_START = re.compile(rb"<(?:!doctype|html|head|body)\b", re.IGNORECASE)
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_GLUED_ARABIC = re.compile("(?<=[A-Za-z])[\u0621-\u064a]|[\u0621-\u064a](?=[A-Za-z])")
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str, float]:
    """(text, encoding, share of undecodable characters).

    The charset comes from the BOM, the HTTP header, then <meta charset>, then utf-8; bad bytes
    become U+FFFD instead of raising, and the caller judges the damage from the share.
    """
    encoding, text = html_to_unicode(content_type, body, default_encoding="utf-8")
    label = encoding.replace("-", "").replace("_", "").lower()
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:3] == b"\xef\xbb\xbf":
        return text, encoding, _bad_share(text)  # a byte-order mark outranks every label
    if label != "utf8" and not label.startswith(("utf16", "utf32")) and _is_utf8_text(body):
        # UTF-8 bytes under a legacy label (windows-1256, iso-8859-1): the label is wrong, since
        # real text in a single-byte charset is practically never valid multi-byte UTF-8.
        text = body.decode("utf-8")
        return text, "utf-8", _bad_share(text)
    share = _bad_share(text)
    if label == "utf8" and share and _HTML_START.search(body[:4096]):
        # Legacy bytes claimed as (or defaulting to) utf-8: most non-ASCII characters fail to decode.
        # Older Arabic CMSs serve windows-1256, older French ones latin-1/windows-1252.
        valid = sum(ch > "\x7f" and ch != "\ufffd" for ch in text)
        if text.count("\ufffd") > valid:
            legacy = body.decode("cp1256", errors="replace")
            if not _mostly_arabic(legacy):
                legacy = body.decode("cp1252", errors="replace")
                encoding = "cp1252"
            else:
                encoding = "cp1256"
            return legacy, encoding, _bad_share(legacy)
    if label in _LATIN_SINGLE_BYTE:
        # Arabic windows-1256 bytes under a latin-1 label decode without an error, as mojibake
        # ("ÈÑäÇãÌ"); windows-1256 keeps French accents where latin-1 has them, so French text
        # stays French and only Arabic text turns Arabic.
        legacy = body.decode("cp1256", errors="replace")
        if _mostly_arabic(legacy):
            return legacy, "cp1256", _bad_share(legacy)
    return text, encoding, share


_LATIN_SINGLE_BYTE = frozenset(
    {"cp1252", "windows1252", "latin1", "iso88591", "iso885915", "ascii", "usascii"}
)


def _is_utf8_text(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_arabic(text: str) -> bool:
    letters = len(_ARABIC_LETTER.findall(text))
    if letters < 20 or letters <= 0.5 * sum(ch > "\x7f" for ch in text):
        return False
    # Latin-1 German read as windows-1256 turns "ä" into "ن" inside Latin words
    # ("Komplementنrmedizin"); real Arabic words are not glued to Latin letters.
    return len(_GLUED_ARABIC.findall(text)) < 0.1 * letters


def _bad_share(text: str) -> float:
    return (text.count("\ufffd") + text.count("\x00")) / max(len(text), 1)


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PARSERS = threading.local()  # an lxml parser must not be shared between threads


def _parser() -> lxml_html.HTMLParser:
    # Comments and processing instructions are never text: dropped at parse time, as trafilatura's
    # own loader does, so the tree it is handed is the one it expects.
    if not hasattr(_PARSERS, "parser"):
        _PARSERS.parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    return _PARSERS.parser


def parse_tree(text: str) -> lxml_html.HtmlElement | None:
    # An XML declaration inside a str makes lxml refuse the document.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    # C0 control characters are not XML: trafilatura returns nothing for a whole page when one
    # survives into its output tree (a stray \x07 in careelite.de's footnotes, its benchmark).
    text = _CONTROL_CHARS.sub("", text)
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text, parser=_parser())
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


def strip_debris_markup(
    tree: lxml_html.HtmlElement,
    keep: Sequence[lxml_html.HtmlElement] = (),
    extra: Sequence[lxml_html.HtmlElement] = (),
) -> None:
    """Remove comment forms, share bars, cookie banners... in place, keeping the article body.

    ``keep`` (the outlet's body_selector matches) and their ancestors are never removed, nor is
    anything holding an <article>/<main>/<h1> or a large share of the page's text: a class like
    "entry-content share-enabled" on the body container is a theme quirk, not furniture.
    ``extra`` (the outlet's ``strip_selectors`` matches) goes unconditionally. Scripts are left
    to trafilatura, which reads <noscript> copies of lazy-loaded text; only the hinted body loses them.
    """
    kept = {id(a) for el in keep for a in (el, *el.iterancestors())}
    large = max(500, len(tree.text_content()) // 4)
    doomed = [el for el in extra if id(el) not in kept]
    for root in keep:
        doomed += [el for el in root.iter(*_NEVER_TEXT) if el is not root]
    for el in tree.iter(etree.Element):
        if id(el) in kept or el.tag in _PROTECTED:
            continue
        tokens = (el.get("class") or "").split() + (el.get("id") or "").split()
        role = (el.get("role") or "").lower()
        furniture = el.tag in _FURNITURE_TAGS or role in ("dialog", "alertdialog", "navigation")
        if not (furniture or any(_DEBRIS_TOKEN.match(t) for t in tokens)):
            continue
        if el.xpath(".//article | .//main | .//h1") or len(el.text_content()) >= large:
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


def _by_trafilatura(
    tree: lxml_html.HtmlElement,
    url: str | None,
    *,
    recall: bool = False,
    tables: bool = True,
    fast: bool = False,
) -> str | None:
    # Settings measured on trafilatura's own benchmark: tables on (recipes, specs, results are
    # article text), comments off (the largest source of false positives), balanced mode (favouring
    # precision lost more text than furniture). trafilatura copies a tree it is given, so ``tree``
    # is not pruned by this call.
    options = copy(_extractor(recall, tables, fast))
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return trafilatura.extract(tree, options=options)


@lru_cache(maxsize=8)
def _extractor(recall: bool, tables: bool, fast: bool) -> Extractor:
    # Building an Extractor reads a dozen values through configparser (~4% of the cascade in the
    # profile): built once per setting, copied per page for its url.
    return Extractor(
        fast=fast,
        recall=recall,
        comments=False,
        tables=tables,
        images=False,
        dedup=False,
        with_metadata=False,
    )


# Text nodes that may hold a run of running text: not inside <script>/<style>... (the text after
# one is the parent's), and not in <head> when there is a <body>. One libxml2 pass, no Python loop.
_LONG_TEXT_NODES = etree.XPath(
    f"descendant-or-self::*/text()[string-length() >= {COVERAGE_RUN_CHARS}]"
    f"[not({' or '.join(f'parent::{tag}' for tag in _NEVER_TEXT)})]",
    smart_strings=False,
)


def running_text(tree: lxml_html.HtmlElement) -> list[str]:
    """The page's runs of running text, whitespace collapsed.

    A run is text directly in an element or after one (a paragraph, or a <div> of text with
    <br>s), so pages without <p> markup are judged too; shorter runs are captions, bylines and
    furniture as often as text.
    """
    body = tree.find("body")
    runs = [" ".join(p.split()) for p in _LONG_TEXT_NODES(body if body is not None else tree)]
    return [r for r in runs if len(r) >= COVERAGE_RUN_CHARS]  # again once whitespace is collapsed


def _holds_running_text(text: str | None, runs: list[str]) -> bool:
    """Whether the fast pass (no fallback extractors) already holds the page's running text.

    trafilatura's fallbacks (readability, jusText) and our recall pass exist for pages whose main
    pass misses text; when the long runs of text on the page are in the fast result there is
    little for them to find, and they cost as much as the main pass. Measured on trafilatura's
    benchmark.
    """
    if not text or len(text) < MIN_BODY_CHARS:
        return False
    total = sum(map(len, runs))
    if total < MIN_BODY_CHARS:
        return False
    have = " ".join(text.split())
    return sum(len(r) for r in runs if r in have) >= FAST_COVERAGE * total


def _misses_running_text(text: str | None, runs: list[str]) -> bool:
    have = " ".join((text or "").split())
    return any(r not in have for r in runs)


def _layout_table(text: str | None) -> bool:
    """Old CMSs lay the whole page out in a table; as a table its paragraphs become one cell row."""
    return any(len(line) > LAYOUT_ROW_CHARS and "|" in line for line in (text or "").splitlines())


def _add_missed_paragraphs(text: str | None, recalled: str | None) -> str | None:
    """Append the long paragraphs that only the recall-oriented pass found.

    Short lines from that pass are mostly furniture; paragraphs of RECALL_LINE_CHARS and more are
    text the balanced pass dropped (split articles, teaser + body layouts).
    """
    if not recalled or not text:
        return text  # a page the balanced pass finds empty is a video, a gallery or an index
    have = {" ".join(line.split()) for line in text.splitlines()}
    extra = [
        line
        for line in recalled.splitlines()
        # table rows are left out: the balanced pass already decided about tables
        if len(line) >= RECALL_LINE_CHARS and "|" not in line and " ".join(line.split()) not in have
    ]
    return "\n".join([text, *extra])


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
    strip_debris_markup(tree, keep=selected, extra=_strip_hints(tree, hints.get("strip_selectors")))
    body, method = None, "none"
    if selected:
        body = clean_body("\n".join(_text_of(el) for el in selected), title)
        method = "selector"
    if not body or len(body) < MIN_BODY_CHARS:
        extracted = _by_trafilatura(tree, url, fast=True)
        method = "trafilatura_fast"
        runs = running_text(tree)
        if not _holds_running_text(extracted, runs):
            extracted = _by_trafilatura(tree, url)
            method = "trafilatura"
        tables = not _layout_table(extracted)
        if not tables:
            extracted = _by_trafilatura(tree, url, tables=False)
            method = "trafilatura_no_tables"
        # The recall pass adds paragraphs the others missed: none to add when every run is in.
        short = MIN_BODY_CHARS <= len(extracted or "") < RECALL_PROBE_CHARS
        if method != "trafilatura_fast" and short and _misses_running_text(extracted, runs):
            recalled = _by_trafilatura(tree, url, recall=True, tables=tables)
            extracted = _add_missed_paragraphs(extracted, recalled)
            method += "+recall"
        # Wording-free furniture tests, for the generic extractor only: a hinted body is the outlet's.
        body = drop_unstated_lines(drop_trailing_links(clean_body(extracted, title), tree), jsonld_body)
    # Cleaning only drops lines and puts one blank line between those left, so a raw articleBody
    # that cannot beat the extracted text even then need not be cleaned at all.
    could_win = jsonld_body and (
        not body or len(jsonld_body) + jsonld_body.count("\n") + 1 > JSONLD_BETTER_RATIO * len(body)
    )
    structured = clean_body(jsonld_body, title) if could_win else None
    if structured and (not body or len(structured) > JSONLD_BETTER_RATIO * len(body)):
        body, method = structured, "jsonld"
    if not body or len(body) < MIN_BODY_CHARS:
        return None, method
    return body, method


def _strip_hints(tree: lxml_html.HtmlElement, selectors: object) -> list[lxml_html.HtmlElement]:
    """Elements named by the registry hint ``strip_selectors`` (a list or one comma-joined string)."""
    if not selectors:
        return []
    items = [selectors] if isinstance(selectors, str) else list(selectors)  # type: ignore[call-overload]
    return [el for sel in items for el in select(tree, str(sel))]
