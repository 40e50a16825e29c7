"""The fixture web as a routing table: ``Site.resolve(host, path, query) -> Response``.

Static pages (articles, feeds, robots) are rendered once at start; the monthly/daily sitemaps and the
WordPress REST API are answered per request (``dynamic.py``).
"""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlsplit

from devkit.fixture_web import dynamic, escaped, hostile, listings, load, templates, texts
from devkit.fixture_web.catalog import HOSTS, OFFSITE_HOST, REFERENCE_NOW, Catalog, catalog
from devkit.fixture_web.model import Edge
from devkit.fixture_web.responses import (
    PDF,
    RSS,
    TEXT,
    XML,
    Response,
    not_found,
    ok,
    redirect,
    tiny_pdf,
)
from devkit.fixture_web.templates.morocco import hespress_private, le360_video

Key = tuple[str, str, tuple[tuple[str, str], ...]]

# Discovery documents: (outlet id, path, doc key, kind, title). Listed in outlets.yaml too.
FEEDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("hespress_ar", "/sitemap-news.xml", "hespress:sitemap-news", "news_sitemap", "Hespress"),
    ("hespress_ar", "/feed", "hespress:feed", "rss", "هسبريس"),
    (
        "le360_fr",
        "/arc/outboundfeeds/sitemap-news/?outputType=xml",
        "le360:sitemap-news",
        "news_sitemap",
        "Le360",
    ),
    ("qna_en", "/en/Pages/RSS-Feeds/Economy-Local", "qna:rss", "rss", "QNA - Economy Local"),
    ("gulftimes_en", "/rssFeed/2", "gulftimes:rss", "rss", "Gulf Times - Business"),
)
SITEMAP_LINES = {
    "hespress_ar": ("/sitemap-news.xml",),
    "le360_fr": ("/arc/outboundfeeds/sitemap-news/?outputType=xml",),
    "aljazeera_ar": ("/sitemap.xml",),
}


def _key(host: str, path: str, query: str = "") -> Key:
    return host, path, tuple(sorted(parse_qsl(query, keep_blank_values=True)))


class Site:
    def __init__(self, cat: Catalog) -> None:
        self.catalog = cat
        self.static: dict[Key, Response] = {}
        self._add_robots()
        self._add_feeds()
        for story in cat.stories:
            self._add(story.url, ok(templates.render(story), last_modified=story.published))
            if story.listed_url:
                self._add(story.listed_url, redirect(story.url))
        for edge in cat.edges:
            self._add_edge(edge)
        aj = HOSTS["aljazeera_ar"]
        days = [(dynamic.daily_sitemap_url(aj, d), REFERENCE_NOW) for d in dynamic.daily_days(cat)]
        self._add(f"http://{aj}/sitemap.xml", ok(listings.sitemap_index(days), XML, REFERENCE_NOW))

    def _add(self, url: str, response: Response) -> None:
        parts = urlsplit(url)
        self.static[_key(parts.hostname or "", parts.path or "/", parts.query)] = response

    def _add_robots(self) -> None:
        for outlet_id, host in (*HOSTS.items(), ("", OFFSITE_HOST)):
            extra = ("/wp-admin/",) if outlet_id in ("hespress_ar", "h24info_fr") else ()
            maps = [f"http://{host}{p}" for p in SITEMAP_LINES.get(outlet_id, ())]
            self._add(f"http://{host}/robots.txt", ok(listings.robots_txt(extra, maps), TEXT))

    def _add_feeds(self) -> None:
        for outlet_id, path, doc, kind, title in FEEDS:
            host = HOSTS[outlet_id]
            items = self.catalog.listed(doc)
            if kind == "rss":
                lang = items[0].language if items else "en"
                body, ctype = listings.rss(title, f"http://{host}/", lang, items, REFERENCE_NOW), RSS
            else:
                body, ctype = listings.news_sitemap(title, items), XML
            self._add(f"http://{host}{path}", ok(body, ctype, REFERENCE_NOW))
        # WordPress answers /feed/ as well as /feed.
        self.static[_key(HOSTS["hespress_ar"], "/feed/")] = self.static[_key(HOSTS["hespress_ar"], "/feed")]

    def _add_edge(self, edge: Edge) -> None:
        if edge.kind == "missing":
            return  # no route: the default 404 answers
        if edge.kind == "disallowed":
            title, (line,) = texts.HESPRESS_PRIVATE
            self._add(edge.url, ok(hespress_private(title, line)))
        elif edge.kind == "video":
            page = le360_video(edge.title, texts.LE360_VIDEO_LINE)
            self._add(edge.url, ok(page, last_modified=edge.published))
        elif edge.kind == "pdf":
            self._add(edge.url, Response(200, tiny_pdf("Gulf Times weekend supplement"), PDF))
        elif edge.kind == "offsite_redirect" and edge.target:
            self._add(edge.url, redirect(edge.target))

    def resolve(self, host: str, path: str, query: str = "") -> Response:
        host = host.lower()
        if host == hostile.HOST and path.startswith("/escaped/"):
            return escaped.resolve(path, query)
        if host == hostile.HOST:
            return hostile.resolve(path, query)
        if host == load.HOST:
            return load.resolve(path, query)
        found = self.static.get(_key(host, path, query))
        if found is not None:
            return found
        if host == OFFSITE_HOST:
            return ok("<html><body><h1>Off-site page</h1><p>A crawler must never get here.</p></body></html>")
        params = parse_qs(query)
        answer = None
        if host == HOSTS["peninsula_en"]:
            answer = dynamic.monthly_sitemap(self.catalog, path)
        elif host == HOSTS["aljazeera_ar"]:
            answer = dynamic.daily_sitemap(self.catalog, path, params)
        elif host == HOSTS["h24info_fr"]:
            answer = dynamic.wp_posts(self.catalog, host, path, params)
        if answer is not None:
            return answer
        if host not in HOSTS.values():
            return Response(502, f"no fixture host {host!r}\n".encode(), TEXT)
        return not_found(host)


def build_site() -> Site:
    return Site(catalog())
