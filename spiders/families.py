"""One spider per discovery family. Outlet differences live in the registry, not here."""

from __future__ import annotations

import contextlib
import gzip
import html
import io
import json
import re
import zlib
from collections.abc import Iterator
from html.entities import html5
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
import scrapy
from lxml import etree
from scrapy.http import Response

from spiders.base import NashraSpider

# Recovering parser with no network and no entities: feeds in the wild are often slightly broken,
# and an XML bomb must not expand.
_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
MAX_CHILD_SITEMAPS = 10
MAX_XML_BYTES = 50 * 1024 * 1024  # a gzipped sitemap is read up to this size, never inflated whole


# A reference: `&name;`, `&#N;`, `&#xH;`, or an `&` that starts none of them (a bare ampersand).
_REFERENCE = re.compile(rb"&(?:(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};)|([^\s&;<>\"'#]{1,32});)?")
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_AMPERSAND = b"&#38;"


def _as_character_reference(match: re.Match[bytes]) -> bytes:
    if match.group(1):  # already a character reference
        return match.group(0)
    name = match.group(2)
    # XML's five predefined entities, then HTML's named ones (`&nbsp;`, `&eacute;`, which feeds
    # use and XML does not define), become the characters they name. Any other name (a DTD's own
    # entity, which is never expanded) and a bare `&` stay literal text.
    chars = html5.get(name.decode("latin-1") + ";") if name else None
    if not chars:
        return _AMPERSAND + (match.group(0)[1:])
    return b"".join(b"&#%d;" % ord(c) for c in chars)


def _references_as_characters(body: bytes) -> bytes:
    """Every entity reference and bare `&` as a numeric character reference, outside CDATA.

    Why not leave them to the parser: after the first well-formedness error anywhere in a document
    (an undefined `&nbsp;`, a bare `&`, whitespace before `<?xml`, an unclosed tag), libxml2's
    recovering parser drops every later entity reference, `&amp;` included, while it still decodes
    character references. A link `a?x=1&amp;y=2` was requested as `a?x=1y=2` (lxml 6.1 / libxml2
    2.14). `&#38;` means what `&amp;` means to any XML parser, so a well-formed document reads
    exactly as a strict parser reads it, and a broken one loses no ampersand. No parser option or
    feed library fixes this for sitemaps and feeds alike without turning entity expansion on.
    A document with no `&` is returned as it is (no copy)."""
    if b"&" not in body:
        return body
    parts = _CDATA.split(body)
    return b"".join(
        part if i % 2 else _REFERENCE.sub(_as_character_reference, part) for i, part in enumerate(parts)
    )


def _xml_root(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipped:
                body = unzipped.read(MAX_XML_BYTES)
        except (OSError, EOFError, zlib.error):  # corrupt or truncated gzip: not a parsable document
            return None
    if body[:1].isspace():
        # Blank lines before `<?xml ... encoding="ISO-8859-1"?>` (a CMS template's) turn the
        # declaration into an error, and its encoding is ignored: titles became mojibake.
        body = body.lstrip()
    try:
        return etree.fromstring(_references_as_characters(body), parser=_XML)
    except etree.XMLSyntaxError:
        return None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _atom_title(entry: etree._Element) -> str:
    """An Atom title as text. `type="html"` holds escaped HTML (RFC 4287 3.1.1.2): what the XML
    parser gives is markup (`A &amp; B`, `<em>`), read here as HTML to reach the words."""
    for node in entry:
        if _local(node.tag) == "title":
            text = _child_text(node, "title")
            if node.get("type") == "html" and text:
                with contextlib.suppress(ValueError, etree.ParserError):  # unparsable: keep the text
                    text = lxml.html.fragment_fromstring(text, create_parent="div").text_content().strip()
            return text
    return ""


def _child_text(el: etree._Element, *names: str) -> str:
    """Text of the first descendant whose local name is one of `names` (namespace-agnostic), with
    the text of its children (Atom's `type="xhtml"` titles)."""
    for node in el.iter():
        if _local(node.tag) in names:
            text = "".join(t for t in node.itertext() if isinstance(t, str)).strip()
            if text:
                return text
    return ""


class FeedSpider(NashraSpider):
    """RSS 2.0 and Atom feeds."""

    name = "feed"
    family = "feed"

    def parse_discovery(self, response: Response) -> Iterator[scrapy.Request]:
        if not self.discovery_response_ok(response):
            return
        root = _xml_root(response.body)
        if root is None:
            self.discovery_failures.append(f"{response.url}: not a parsable feed")
            return
        for item in root.iter():
            kind = _local(item.tag)
            if kind == "item":  # RSS
                link = _child_text(item, "link") or _child_text(item, "guid")
                listing = {
                    "title": _child_text(item, "title"),
                    "published": _child_text(item, "pubDate", "date"),
                }
            elif kind == "entry":  # Atom
                link = ""
                for node in item:
                    if _local(node.tag) == "link" and node.get("rel", "alternate") == "alternate":
                        link = node.get("href", "")
                        break
                listing = {
                    "title": _atom_title(item),
                    "published": _child_text(item, "published", "updated"),
                }
            else:
                continue
            request = self.article_request(response.urljoin(link), listing)
            if request:
                yield request


class SitemapSpider(NashraSpider):
    """Sitemaps, sitemap indexes (following the most recent children), Google News sitemaps and
    the monthly `sitemap_articles-Y-M.xml` pattern (expanded by the registry)."""

    name = "sitemap"
    family = "sitemap"

    def parse_discovery(self, response: Response) -> Iterator[scrapy.Request]:
        if not self.discovery_response_ok(response):
            return
        root = _xml_root(response.body)
        if root is None:
            self.discovery_failures.append(f"{response.url}: not a parsable sitemap")
            return
        if _local(root.tag) == "sitemapindex":
            # iter(), not the root's children: a recovered broken document can nest the entries
            # inside the element left open before them.
            children = [
                (_child_text(s, "lastmod"), _child_text(s, "loc"))
                for s in root.iter()
                if _local(s.tag) == "sitemap"
            ]
            # Newest first: an index of a big site lists years of sitemaps; a crawl wants the recent ones.
            crawler = getattr(self, "crawler", None)
            limit = crawler.settings.getint("NASHRA_MAX_CHILD_SITEMAPS", MAX_CHILD_SITEMAPS) if crawler else 0
            for _, loc in sorted((c for c in children if c[1]), reverse=True)[: limit or MAX_CHILD_SITEMAPS]:
                yield self.discovery_request(response.urljoin(loc))
            return
        entries = [u for u in root.iter() if _local(u.tag) == "url"]
        # Newest first, so the per-run article limit keeps the freshest.
        entries.sort(key=lambda u: _child_text(u, "publication_date", "lastmod"), reverse=True)
        for entry in entries:
            listing = {
                "title": _child_text(entry, "title"),
                "published": _child_text(entry, "publication_date") or _child_text(entry, "lastmod"),
                "language": _child_text(entry, "language"),
            }
            request = self.article_request(response.urljoin(_child_text(entry, "loc")), listing)
            if request:
                yield request


class WordPressSpider(NashraSpider):
    """The WordPress REST API (`/wp-json/wp/v2/posts`), paged by X-WP-TotalPages."""

    name = "wordpress"
    family = "wordpress"
    per_page = 20
    max_pages = 5

    def discovery_urls(self) -> list[str]:
        return [self._page_url(url, 1) for url in super().discovery_urls()]

    def _page_url(self, url: str, page: int) -> str:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        query.update({"per_page": str(self.per_page), "page": str(page), "_fields": "id,link,date_gmt,title"})
        return urlunsplit(parts._replace(query=urlencode(sorted(query.items()))))

    def parse_discovery(self, response: Response) -> Iterator[scrapy.Request]:
        if not self.discovery_response_ok(response):
            return
        try:
            posts = json.loads(response.text)
        except (ValueError, AttributeError):
            self.discovery_failures.append(f"{response.url}: not JSON")
            return
        if not isinstance(posts, list):
            self.discovery_failures.append(f"{response.url}: expected a list of posts")
            return
        for post in posts:
            if not isinstance(post, dict):
                continue
            title = post.get("title")
            listing = {
                # WordPress returns titles HTML-escaped ("l&#x27;Atlas").
                "title": html.unescape(str(title.get("rendered", ""))) if isinstance(title, dict) else "",
                "published": f"{post['date_gmt']}Z" if post.get("date_gmt") else "",
            }
            request = self.article_request(str(post.get("link") or ""), listing)
            if request:
                yield request
        page = int(dict(parse_qsl(urlsplit(response.url).query)).get("page", "1"))
        total_header = (response.headers.get(b"X-WP-TotalPages") or b"1").decode("latin-1").strip()
        total = int(total_header) if total_header.isdigit() else 1  # a proxy or plugin may mangle it
        if page < min(total, self.max_pages):
            yield self.discovery_request(self._page_url(response.url, page + 1))


SPIDERS: dict[str, type[NashraSpider]] = {s.family: s for s in (FeedSpider, SitemapSpider, WordPressSpider)}
