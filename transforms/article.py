"""The extraction cascade: one fetched page becomes an Article or a named Rejection.

Pure: no I/O, no clock (``now`` is passed in), and no exception escapes; anything unexpected
becomes an ``extract_error`` rejection so one odd page never stops a batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Protocol
from urllib.parse import urljoin

from htmldate import find_date
from lxml.html import HtmlElement

from nashra.core.ids import article_id
from nashra.core.model import MAX_PAGE_BYTES, Article, RawPage, Rejection
from transforms.dates import parse_date, pick_published, visible_date_texts
from transforms.dialect import detect_dialect
from transforms.extract import decode_html, main_text, parse_tree, select
from transforms.hashing import content_hash
from transforms.language import detect_language
from transforms.structured import PageMeta, read_page_meta, split_byline
from transforms.urls import canonical_url

MAX_BODY_BYTES = 5 * 1024 * 1024  # text: the page without its inline data: payloads
MAX_BAD_CHAR_SHARE = 0.02  # more undecodable characters than this: binary or a wrong charset
DEFAULT_LANGUAGES = ("ar", "fr", "en")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Magic numbers of files that servers mislabel as text/html.
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"ID3", b"\x1f\x8b", b"OggS")

REASONS = (
    "http_status",
    "off_domain",
    "too_large",
    "not_html",
    "empty_page",
    "decode_error",
    "no_main_text",
    "extract_error",
)


class OutletLike(Protocol):
    id: str
    country: str
    languages: tuple[str, ...]
    timezone: str
    allowed_domains: tuple[str, ...]
    hints: Mapping[str, object]

    def allows_url(self, url: str) -> bool: ...


def _reject(page: RawPage, reason: str, detail: str, **known: object) -> Rejection:
    return Rejection(
        page_id=page.page_id,
        outlet_id=page.outlet_id,
        url=page.final_url or page.url,
        batch_id=page.batch_id,
        fetched_at=page.fetched_at,
        reasons=[reason],
        detail=detail,
        stage="extract",
        **known,  # type: ignore[arg-type]
    )


# An inline payload: `data:[<type>][;param][;base64],<bytes>` up to the quote, bracket or space
# that ends the attribute or CSS value (a URI scheme is case-insensitive). Short ones (an icon) are
# left alone. Our own regex, not an HTML parser's pass: it must run before any parse, over bytes.
_INLINE_DATA = re.compile(
    rb"""(data:(?:[\w.+-]+/[\w.+-]+)?(?:;[\w=.+-]+)*,)[^"'()<>\s]{256,}""", re.IGNORECASE
)


def without_inline_data(body: bytes) -> bytes:
    """The page with every large `data:` payload emptied (`data:image/png;base64,`): inline images
    are markup, not text, and must not count against the size cap, slow the parser, or reach the
    body or image fields. The raw archive keeps the page as fetched. A page with no `data:` is
    returned as it is, not copied (the common page pays one substring search)."""
    if b"ata:" not in body and b"ATA:" not in body:  # `data:` in any case holds one of these
        return body
    return _INLINE_DATA.sub(rb"\1", body)


def _precheck(page: RawPage, outlet: OutletLike, fetched_bytes: int) -> tuple[str, str] | None:
    """Reasons visible without parsing, cheapest first. `page.body` is already without inline data
    when the page as fetched (`fetched_bytes`) was under the hard ceiling."""
    if not 200 <= page.status < 300:
        return "http_status", f"HTTP status {page.status}."
    final = page.final_url or page.url
    if not outlet.allows_url(final):
        return "off_domain", f"Redirected off the outlet's domains to {final}."
    if fetched_bytes > MAX_PAGE_BYTES:
        return (
            "too_large",
            f"Body of {fetched_bytes} bytes as fetched exceeds the ceiling of {MAX_PAGE_BYTES}.",
        )
    if len(page.body) > MAX_BODY_BYTES:
        return "too_large", f"Body of {len(page.body)} bytes (without inline data) exceeds {MAX_BODY_BYTES}."
    head = page.body.lstrip()[:8]
    content_type = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if any(head.startswith(magic) for magic in _BINARY_MAGIC):
        return "not_html", f"Body is a binary file (starts with {head[:4]!r})."
    if content_type and content_type not in _HTML_TYPES:
        return "not_html", f"Content-Type is {content_type}."
    if not page.body.strip():
        return "empty_page", "Empty response body."
    return None


def _visible_text(tree: HtmlElement) -> str:
    body = tree.find("body")
    return (body if body is not None else tree).text_content().strip()


def _strip_site_name(title: str | None, site: str | None) -> str | None:
    """'Headline | Hespress' -> 'Headline' when the trailing part is the site's name."""
    if not title or not site:
        return title
    stripped = re.sub(rf"\s*[|\-–—:]\s*{re.escape(site.strip())}\s*$", "", title, flags=re.IGNORECASE)
    return stripped or title


def _htmldate(tree: HtmlElement, url: str, now: datetime) -> str | None:
    # No extensive search: it guesses from any date-like string in the text (and calls dateparser
    # for every locale, a third of the cascade's time on pages without dates). Null, never a guess.
    # Given the tree, htmldate prunes a copy of it: copying costs a fifth of parsing the text again.
    return find_date(
        tree, extensive_search=False, original_date=True, url=url, max_date=now.strftime("%Y-%m-%d")
    )


def _hinted_title(tree: HtmlElement, selector: object) -> str | None:
    found = select(tree, str(selector or ""))
    return (" ".join(found[0].text_content().split()) or None) if found else None


def _hinted_authors(tree: HtmlElement, selector: object) -> list[str]:
    """Names from the outlet's ``author_selector`` hint: "Par A et B" -> ["A", "B"]."""
    names: list[str] = []
    for el in select(tree, str(selector or "")):
        for name in split_byline(" ".join(el.text_content().split())):
            if name not in names:
                names.append(name)
    return names


def _pick_title(meta: PageMeta, listing: Mapping[str, str], hinted: str | None) -> str | None:
    return (
        hinted
        or meta.headline
        or _strip_site_name(meta.og_title, meta.og_site_name)
        or meta.h1
        or _strip_site_name(meta.title_tag, meta.og_site_name)
        or listing.get("title")
        or None
    )


def _extract(page: RawPage, outlet: OutletLike, now: datetime) -> Article | Rejection:
    fetched_bytes = len(page.body)
    if fetched_bytes <= MAX_PAGE_BYTES:  # over it, refused below without a scan
        body = without_inline_data(page.body)
        if body is not page.body:
            page = replace(page, body=body)
    problem = _precheck(page, outlet, fetched_bytes)
    if problem:
        return _reject(page, *problem)
    final = page.final_url or page.url
    text, encoding, bad_share = decode_html(page.body, page.headers.get("content-type"))
    if bad_share > MAX_BAD_CHAR_SHARE:
        return _reject(page, "decode_error", f"{bad_share:.0%} of characters undecodable as {encoding}.")
    tree = parse_tree(text)
    if tree is None or not _visible_text(tree):
        return _reject(page, "empty_page", "No text in the HTML body.")

    # Metadata first: main_text() below strips parts of the tree.
    meta = read_page_meta(tree)
    hints = outlet.hints or {}
    listing = page.listing or {}
    title = _pick_title(meta, listing, _hinted_title(tree, hints.get("title_selector")))
    date_selector = hints.get("date_text_selector")
    languages = tuple(dict.fromkeys((*outlet.languages, *DEFAULT_LANGUAGES)))
    published, _source = pick_published(
        tz=outlet.timezone,
        jsonld=meta.date_published,
        meta=meta.meta_published,
        visible=lambda: visible_date_texts(tree, str(date_selector) if date_selector else None),
        htmldate_value=lambda: _htmldate(tree, final, now),
        listing=listing.get("published"),
        now=now,
        languages=languages,
        fetched_at=page.fetched_at,  # "2 hours ago" means before the fetch, not before the batch
    )
    declared = meta.in_language or meta.html_lang or meta.og_locale or listing.get("language")

    body, _method = main_text(tree, url=final, hints=hints, jsonld_body=meta.article_body, title=title)
    if body is None:
        return _reject(
            page,
            "no_main_text",
            "No article text found after boilerplate removal.",
            title=title,
            language=detect_language(title or "", declared, languages),
            published_at=published,
        )

    canonical = canonical_url(final, meta.canonical, meta.og_url)
    if not outlet.allows_url(canonical):  # a canonical on a sister site the outlet does not own
        canonical = canonical_url(final, None, None)
    modified_texts = (meta.date_modified, meta.meta_modified)
    modified_dates = (parse_date(v or "", outlet.timezone, languages) for v in modified_texts)
    modified = next((d for d in modified_dates if d), None)
    image = meta.image or meta.og_image
    if image and image.strip().lower().startswith("data:"):  # an inline image: megabytes, not a URL
        image = None
    authors = _hinted_authors(tree, hints.get("author_selector")) or meta.authors
    authors = authors or (split_byline(meta.meta_author) if meta.meta_author else [])
    if not authors and listing.get("author"):
        authors = [listing["author"]]
    return Article(
        article_id=article_id(canonical),
        canonical_url=canonical,
        url=final,
        outlet_id=outlet.id,
        country=outlet.country,
        language=detect_language(body, declared, languages),
        title=title,
        body=body,
        authors=authors,
        section=meta.section or meta.meta_section or listing.get("section") or listing.get("category"),
        tags=meta.keywords or meta.meta_tags,
        image_url=urljoin(final, image) if image else None,
        published_at=published,
        modified_at=modified,
        fetched_at=page.fetched_at,
        content_hash=content_hash(body),
        word_count=len(body.split()),
        batch_id=page.batch_id,
        page_id=page.page_id,
        discovery=page.discovery,
        dialect=detect_dialect(title, body),
    )


def process_page(page: RawPage, outlet: OutletLike, *, now: datetime) -> Article | Rejection:
    """RawPage -> Article, or a Rejection whose ``reasons`` is one name from ``REASONS``."""
    try:
        return _extract(page, outlet, now)
    except Exception as exc:  # noqa: BLE001 - one malformed page must not stop the batch; it is quarantined
        detail = f"{type(exc).__name__}: {exc}"[:500]
    try:
        return _reject(page, "extract_error", detail)
    except Exception:  # noqa: BLE001 - a RawPage too broken to compute its page_id
        return Rejection(
            page_id="",
            outlet_id=str(getattr(page, "outlet_id", "")),
            url=str(getattr(page, "final_url", "") or getattr(page, "url", "")),
            batch_id=str(getattr(page, "batch_id", "")),
            fetched_at=getattr(page, "fetched_at", now),
            reasons=["extract_error"],
            detail=detail,
            stage="extract",
        )
