"""``http://hostile.test/escaped/``: discovery documents that break XML before their items, then
list articles whose links carry XML-escaped ampersands (issue 19).

Each article answers only at its exact query (`?id=1&lang=en`); the query with the `&` lost
(`?id=1lang=en`, what libxml2's recovering parser made of `&amp;` after an earlier error) is a 404,
as on a real site. Its own registry (``escaped.yaml``) keeps the hostile outlet's truth untouched.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from devkit.fixture_web.hostile import page_html
from devkit.fixture_web.listings import SITEMAP_NS
from devkit.fixture_web.responses import RSS, XML, Response, not_found, ok

REGISTRY_PATH = Path(__file__).with_name("escaped.yaml")
OUTLET_ID = "escaped_test"
BASE = "http://hostile.test/escaped"
ARTICLE_PATH = "/escaped/article.html"
# Before the items: an HTML entity XML does not define and a bare ampersand (both not well-formed).
_BREAKER = "Gold Line&nbsp;news & more"


def _url(n: int) -> str:
    return f"{BASE}/article.html?id={n}&lang=en"


# Article number -> (the URL as the discovery document spells it, the title it lists).
ARTICLES: dict[int, tuple[str, str]] = {
    1: (f"{BASE}/article.html?id=1&amp;lang=en", "Gold Line &amp; Red Line: the timetable"),
    2: (f"{BASE}/article.html?id=2&#38;lang=en", "Doha Metro &#38; buses: one ticket"),
    3: (f"<![CDATA[{_url(3)}]]>", "<![CDATA[Stations & parking: the new map]]>"),
    4: (f"{BASE}/article.html?id=4&amp;lang=en", "Trams &amp; metro: Lusail joins the network"),
    5: (f"{BASE}/article.html?id=5&amp;lang=en", "Fares &amp; passes: what changes in March"),
}
# What a correct crawl requests and stores: the exact URL and the page's own title.
EXPECTED: dict[str, str] = {
    _url(1): "Gold Line & Red Line: the timetable",
    _url(2): "Doha Metro & buses: one ticket",
    _url(3): "Stations & parking: the new map",
    _url(4): "Trams & metro: Lusail joins the network",
    _url(5): "Fares & passes: what changes in March",
}
FEED_ITEMS = (1, 2, 3)  # RSS
ATOM_ENTRIES = (4,)  # Atom, an href attribute
SITEMAP_URLS = (5,)  # a Google News sitemap


def _rss() -> str:
    items = "".join(
        f"<item><title>{ARTICLES[n][1]}</title><link>{ARTICLES[n][0]}</link>"
        "<pubDate>Sun, 01 Feb 2026 09:00:00 GMT</pubDate></item>\n"
        for n in FEED_ITEMS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{_BREAKER}</title><link>{BASE}/</link>\n{items}</channel></rss>\n"
    )


def _atom() -> str:
    entries = "".join(
        f'<entry><title type="html">{ARTICLES[n][1]}</title><link rel="alternate" href="{ARTICLES[n][0]}"/>'
        "<updated>2026-02-01T09:00:00Z</updated></entry>\n"
        for n in ATOM_ENTRIES
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{_BREAKER}</title>\n{entries}</feed>\n"
    )


def _news_sitemap() -> str:
    rows = "".join(
        f"<url><loc>{ARTICLES[n][0]}</loc><news:news><news:publication><news:name>{_BREAKER}</news:name>"
        "<news:language>en</news:language></news:publication>"
        f"<news:publication_date>2026-02-01T09:00:00Z</news:publication_date>"
        f"<news:title>{ARTICLES[n][1]}</news:title></news:news></url>\n"
        for n in SITEMAP_URLS
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{rows}</urlset>\n'
    )


def resolve(path: str, query: str = "") -> Response:
    """hostile.test's answer under /escaped/ (the fixture server dispatches it here)."""
    if path == "/escaped/feed.xml":
        return ok(_rss(), RSS)
    if path == "/escaped/atom.xml":
        return ok(_atom(), "application/atom+xml; charset=utf-8")
    if path == "/escaped/sitemap-news.xml":
        return ok(_news_sitemap(), XML)
    url = f"http://hostile.test{path}?{query}"
    if path == ARTICLE_PATH and url in EXPECTED:
        return ok(page_html(escape(EXPECTED[url]), "en"))
    return not_found("hostile.test")
