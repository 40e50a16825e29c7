"""Family spiders read the fixture web's real discovery documents (rendered in-process by its routing
table, no server, no network) and yield exactly the article requests the ground truth lists."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import scrapy
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from devkit.fixture_web import truth
from devkit.fixture_web.catalog import catalog
from devkit.fixture_web.site import Site, build_site
from spiders.base import NashraSpider
from spiders.families import MAX_CHILD_SITEMAPS, FeedSpider, SitemapSpider, WordPressSpider

BATCH = "hespress_ar-20260202T120000Z"
TODAY = "2026-02-02"


@pytest.fixture(scope="module")
def site() -> Site:
    return build_site()


def make_spider(cls: type[NashraSpider], outlet_id: str, **kwargs: Any) -> Any:
    crawler = get_crawler(cls)
    return cls.from_crawler(
        crawler,
        outlet_id=outlet_id,
        batch_id=BATCH,
        registry_path=str(truth.REGISTRY_PATH),
        today=TODAY,
        **kwargs,
    )


def fetch(site: Site, request: scrapy.Request) -> Response:
    """What the downloader would hand the callback: the fixture's answer, typed as Scrapy types it."""
    parts = urlsplit(request.url)
    answer = site.resolve(parts.hostname or "", parts.path or "/", parts.query)
    headers = answer.all_headers()
    cls = responsetypes.from_args(headers=headers, url=request.url, body=answer.body)
    return cls(url=request.url, status=answer.status, headers=headers, body=answer.body, request=request)


def only_discovery(spider: NashraSpider) -> scrapy.Request:
    (request,) = list(spider.start_requests())
    assert request.meta["nashra_discovery"] is True
    assert request.callback == spider.parse_discovery
    assert request.errback == spider.discovery_failed
    return request


def split(results: list[scrapy.Request]) -> tuple[list[scrapy.Request], list[scrapy.Request]]:
    articles = [r for r in results if r.meta.get("nashra_article")]
    discovery = [r for r in results if r.meta.get("nashra_discovery")]
    assert len(articles) + len(discovery) == len(results)
    return articles, discovery


def listed(doc: str) -> list[str]:
    return [item.url for item in catalog().listed(doc)]


def stat(spider: NashraSpider, key: str) -> Any:
    return spider.crawler.stats.get_value(key)


# -- feeds ---------------------------------------------------------------------------------------


def test_feed_yields_every_listed_url_including_the_robots_disallowed_one(site: Site) -> None:
    spider = make_spider(FeedSpider, "hespress_ar")
    request = only_discovery(spider)
    assert request.url == "http://hespress.test/feed"
    response = fetch(site, request)
    assert isinstance(response, XmlResponse)

    articles, discovery = split(list(spider.parse_discovery(response)))
    assert discovery == []
    assert [r.url for r in articles] == listed("hespress:feed")  # feed order kept
    # Robots is the RobotsTxtMiddleware's job, not the spider's: the /private/ URL is requested.
    robots_only = {n.url for n in truth.NEVER_FETCHED if n.why == "robots" and n.outlet_id == "hespress_ar"}
    assert robots_only and robots_only <= {r.url for r in articles}
    assert spider.discovery_failures == []
    assert stat(spider, "nashra/discovery_ok") == 1


def test_feed_article_requests_carry_listing_metadata_and_archive_error_statuses(site: Site) -> None:
    spider = make_spider(FeedSpider, "hespress_ar")
    articles, _ = split(list(spider.parse_discovery(fetch(site, only_discovery(spider)))))
    by_url = {r.url: r for r in articles}

    dated = truth.article("http://hespress.test/tech/morocco-qatar-digital-partnership-1500001.html")
    listing = by_url[dated.url].meta["nashra_listing"]
    assert listing["title"] == dated.title
    assert parsedate_to_datetime(listing["published"]) == dated.published_utc

    undated = truth.article("http://hespress.test/societe/heatwave-alert-1500002.html")
    assert undated.date_in_listing is False
    # Empty listing values are dropped rather than stored as "".
    assert by_url[undated.url].meta["nashra_listing"] == {"title": undated.title}

    for request in articles:
        assert request.callback == spider.parse_article
        assert request.errback == spider.article_failed
        statuses = request.meta["handle_httpstatus_list"]
        assert 404 in statuses and 500 in statuses and 429 in statuses
        assert not {301, 302, 303, 307, 308} & set(statuses)  # redirects must still be followed


def test_feed_url_with_escaped_query_is_read_exactly(site: Site) -> None:
    spider = make_spider(FeedSpider, "qna_en")
    articles, _ = split(list(spider.parse_discovery(fetch(site, only_discovery(spider)))))
    assert [r.url for r in articles] == listed("qna:rss")
    assert "&date=2/02/2026" in articles[0].url  # &amp; in the XML, & in the URL


def test_feed_drops_off_site_and_non_http_links_and_duplicates(site: Site) -> None:
    spider = make_spider(FeedSpider, "hespress_ar")
    request = only_discovery(spider)
    original = fetch(site, request)
    extra = (
        "<item><title>evil</title><link>http://evil.test/x</link></item>"
        "<item><title>lookalike</title><link>http://hespress.test.evil.test/a.html</link></item>"
        "<item><title>ftp</title><link>ftp://hespress.test/a.html</link></item>"
        "<item><title>subdomain</title><link>http://m.hespress.test/sport/a-1.html</link></item>"
        "<item><title>relative</title><link>/economie/b-2.html</link></item>"
        "<item><title>again</title><link>http://hespress.test/societe/heatwave-alert-1500002.html</link></item>"
    )
    body = original.body.replace(b"</channel>", extra.encode() + b"</channel>")
    articles, _ = split(list(spider.parse_discovery(original.replace(body=body))))
    urls = [r.url for r in articles]
    assert urls == [
        *listed("hespress:feed"),
        "http://m.hespress.test/sport/a-1.html",
        "http://hespress.test/economie/b-2.html",
    ]
    assert stat(spider, "nashra/listing_offsite") == 3


# Every way a feed or sitemap spells a URL with an ampersand, and the URL an XML parser reads.
HOST = "http://hespress.test/economie"
SPELLINGS = {
    "amp": ("a-1.html?x=1&amp;y=2", "a-1.html?x=1&y=2"),
    "decimal": ("a-2.html?x=1&#38;y=2&#38;z=3", "a-2.html?x=1&y=2&z=3"),
    "hex": ("a-3.html?x=1&#x26;y=2", "a-3.html?x=1&y=2"),
    "cdata": ("<![CDATA[a-4.html?x=1&y=2&amp;z]]>", "a-4.html?x=1&y=2&amp;z"),  # CDATA is literal
}
# What the same URL is requested as, from the spellings above, in document order.
EXPECTED_URLS = [f"{HOST}/{url}" for _, url in SPELLINGS.values()]
# Titles as written in the XML -> as an XML parser reads them (HTML's named entities are characters).
TITLES = [
    ("Tom &amp; Jerry &#38; Co", "Tom & Jerry & Co"),
    ("l&rsquo;&eacute;t&eacute;&nbsp;&#x26; &lt;b&gt;", "l\u2019\u00e9t\u00e9\xa0& <b>"),
    ("<![CDATA[Tom & Jerry &amp; Co]]>", "Tom & Jerry &amp; Co"),
    ("Tom &#x26;&#x26; Jerry", "Tom && Jerry"),
]
# Before the items, something that makes the document not well-formed. After any of these,
# libxml2's recovering parser dropped every later `&amp;` (a?x=1&amp;y=2 was requested as a?x=1y=2).
BREAKERS = {
    "well-formed": ("", ""),
    "html entity": ("", "Actualit&eacute;s&nbsp;du jour"),
    "bare ampersand": ("", "Tom & Jerry"),
    "undefined entity": ("", "&foo-bar; &undefined;"),
    "unclosed tag": ("", "<b>gras"),
    "blank before declaration": ("\n  ", ""),
}


def _document(prefix: str, root_open: str, note: str, body: str, root_close: str) -> bytes:
    """An XML document: `note` in an element no spider reads, right after the root's start tag."""
    note_el = f"<note>{note}</note>" if note else ""
    return f'{prefix}<?xml version="1.0" encoding="UTF-8"?>\n{root_open}{note_el}{body}{root_close}'.encode()


def _parse(
    cls: type[NashraSpider], url: str, doc: bytes
) -> tuple[list[scrapy.Request], list[scrapy.Request]]:
    spider = make_spider(cls, "hespress_ar")
    response = XmlResponse(url=url, body=doc, headers={"Content-Type": "application/xml"})
    results = split(list(spider.parse_discovery(response)))
    assert spider.discovery_failures == []
    return results


def _titles(requests: list[scrapy.Request]) -> list[str]:
    return [r.meta["nashra_listing"].get("title", "") for r in requests]


def _strict(doc: bytes) -> bytes | None:
    """What a strict XML parser (no recovery, no entity expansion) reads, canonicalised; None when
    the document is not well-formed."""
    from lxml import etree

    try:
        root = etree.fromstring(doc.lstrip(), parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    return etree.tostring(root, method="c14n")


def _assert_reads_as_strict_xml(doc: bytes) -> None:
    from lxml import etree

    from spiders.families import _xml_root

    strict = _strict(doc)
    root = _xml_root(doc)
    assert root is not None
    if strict is not None:  # well-formed: exactly the same tree and text as a strict parser's
        assert etree.tostring(root, method="c14n") == strict


@pytest.mark.parametrize("breaker", BREAKERS)
def test_rss_links_guids_and_titles_decode_as_xml(breaker: str) -> None:
    prefix, note = BREAKERS[breaker]
    items = "".join(
        f"<item><title>{title}</title><link>{HOST}/{link}</link></item>"
        if "cdata" not in name
        else f"<item><title>{title}</title><link><![CDATA[{HOST}/{link[9:-3]}]]></link></item>"
        for (name, (link, _)), (title, _) in zip(SPELLINGS.items(), TITLES, strict=True)
    )
    guid_only = f"<item><title>Guid</title><guid>{HOST}/a-5.html?x=1&amp;y=2</guid></item>"
    doc = _document(prefix, '<rss version="2.0"><channel>', note, items + guid_only, "</channel></rss>")
    articles, _ = _parse(FeedSpider, "http://hespress.test/feed", doc)
    assert [r.url for r in articles] == [*EXPECTED_URLS, f"{HOST}/a-5.html?x=1&y=2"]
    assert _titles(articles) == [*(t for _, t in TITLES), "Guid"]
    _assert_reads_as_strict_xml(doc)


@pytest.mark.parametrize("breaker", BREAKERS)
def test_atom_hrefs_and_titles_decode_as_xml(breaker: str) -> None:
    prefix, note = BREAKERS[breaker]
    hrefs = [link for name, (link, _) in SPELLINGS.items() if name != "cdata"]  # no CDATA in attributes
    titles = [
        ("<title>Tom &amp; Jerry &#38; Co</title>", "Tom & Jerry & Co"),
        # type="html": escaped HTML, read as HTML (RFC 4287 3.1.1.2)
        (
            '<title type="html">Tom &amp;amp; Jerry &lt;em&gt;&amp;eacute;t&amp;eacute;&lt;/em&gt;</title>',
            "Tom & Jerry \u00e9t\u00e9",
        ),
        (
            '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            "Caf&eacute; &amp; <b>th&#233;</b></div></title>",
            "Caf\u00e9 & th\u00e9",
        ),
    ]
    entries = "".join(
        f'<entry>{title}<link rel="self" href="{HOST}/api/{i}?a=1&amp;b=2"/>'
        f'<link rel="alternate" type="text/html" href="{HOST}/{href}"/></entry>'
        for i, (href, (title, _)) in enumerate(zip(hrefs, titles, strict=True))
    )
    entries += (
        f"<entry><title><![CDATA[Tom & Jerry]]></title><link href='{HOST}/a-6.html?x=1&amp;y=2'/></entry>"
    )
    doc = _document(prefix, '<feed xmlns="http://www.w3.org/2005/Atom">', note, entries, "</feed>")
    articles, _ = _parse(FeedSpider, "http://hespress.test/atom", doc)
    assert [r.url for r in articles] == [*EXPECTED_URLS[:3], f"{HOST}/a-6.html?x=1&y=2"]
    assert _titles(articles) == [*(t for _, t in titles), "Tom & Jerry"]
    _assert_reads_as_strict_xml(doc)


def _url_rows(title_tag: bool) -> str:
    rows = []
    for link, _ in SPELLINGS.values():
        loc = f"<![CDATA[{HOST}/{link[9:-3]}]]>" if link.startswith("<![CDATA[") else f"{HOST}/{link}"
        news = "".join(
            f"<news:news><news:publication><news:name>Hespress &amp; Co</news:name></news:publication>"
            f"<news:title>{title}</news:title></news:news>"
            for title, _ in TITLES[len(rows) : len(rows) + 1]
            if title_tag
        )
        rows.append(f"<url><loc>{loc}</loc>{news}</url>")
    return "".join(rows)


SITEMAP_OPEN = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
)


@pytest.mark.parametrize("breaker", BREAKERS)
@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_sitemap_locs_decode_as_xml(breaker: str, gzipped: bool) -> None:
    prefix, note = BREAKERS[breaker]
    doc = _document(prefix, SITEMAP_OPEN, note, _url_rows(title_tag=False), "</urlset>")
    body = gzip.compress(doc) if gzipped else doc
    articles, _ = _parse(SitemapSpider, "http://hespress.test/sitemap.xml", body)
    assert sorted(r.url for r in articles) == sorted(EXPECTED_URLS)  # no dates: order is the sort's
    _assert_reads_as_strict_xml(doc)


@pytest.mark.parametrize("breaker", BREAKERS)
def test_news_sitemap_locs_and_titles_decode_as_xml(breaker: str) -> None:
    prefix, note = BREAKERS[breaker]
    doc = _document(prefix, SITEMAP_OPEN, note, _url_rows(title_tag=True), "</urlset>")
    articles, _ = _parse(SitemapSpider, "http://hespress.test/sitemap-news.xml", doc)
    by_url = {r.url: r.meta["nashra_listing"]["title"] for r in articles}
    assert by_url == {url: title for url, (_, title) in zip(EXPECTED_URLS, TITLES, strict=True)}
    _assert_reads_as_strict_xml(doc)


@pytest.mark.parametrize("breaker", BREAKERS)
def test_sitemap_index_child_locs_decode_as_xml(breaker: str) -> None:
    prefix, note = BREAKERS[breaker]
    rows = "".join(
        f"<sitemap><loc>{loc}</loc><lastmod>2026-02-0{i + 1}</lastmod></sitemap>"
        for i, loc in enumerate(
            [
                "/sitemaps/day.xml?yyyy=2026&amp;mm=02&amp;dd=01",
                "/sitemaps/day.xml?yyyy=2026&#38;mm=02&#x26;dd=02",
                "<![CDATA[/sitemaps/day.xml?yyyy=2026&mm=02&dd=03]]>",
            ]
        )
    )
    doc = _document(
        prefix,
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        note,
        rows,
        "</sitemapindex>",
    )
    articles, children = _parse(SitemapSpider, "http://hespress.test/sitemap.xml", doc)
    assert articles == []
    assert [c.url for c in children] == [
        f"http://hespress.test/sitemaps/day.xml?yyyy=2026&mm=02&dd=0{d}"
        for d in (3, 2, 1)  # newest first
    ]
    _assert_reads_as_strict_xml(doc)


def test_a_bare_ampersand_is_read_as_the_character() -> None:
    """Not XML, but common: `&` unescaped in a link or title is the character, in every family."""
    rss = _document(
        "",
        "<rss><channel>",
        "",
        f"<item><title>Tom & Jerry</title><link>{HOST}/b.html?x=1&y=2</link></item>",
        "</channel></rss>",
    )
    (article,), _ = _parse(FeedSpider, "http://hespress.test/feed", rss)
    assert (article.url, _titles([article])) == (f"{HOST}/b.html?x=1&y=2", ["Tom & Jerry"])
    urlset = _document(
        "", SITEMAP_OPEN, "", f"<url><loc>{HOST}/b.html?x=1&y=2&amp;z=3</loc></url>", "</urlset>"
    )
    (article,), _ = _parse(SitemapSpider, "http://hespress.test/sitemap.xml", urlset)
    assert article.url == f"{HOST}/b.html?x=1&y=2&z=3"


def test_wordpress_links_and_titles_decode_as_json_and_html() -> None:
    """The REST API is JSON: links are plain strings, titles are rendered HTML (wptexturize writes
    `&#038;` for an ampersand)."""
    spider = make_spider(WordPressSpider, "h24info_fr")
    first = only_discovery(spider)
    posts = [
        {"link": "http://h24info.test/economie/a-1.html?x=1&y=2", "title": {"rendered": "Tom &#038; Jerry"}},
        {
            "link": "http://h24info.test/economie/a-2.html?x=1\u0026y=2",
            "title": {"rendered": "l&rsquo;&eacute;t&eacute; &amp; Co"},
        },
    ]
    response = TextResponse(first.url, body=json.dumps(posts).encode(), encoding="utf-8")
    articles, _ = split(list(spider.parse_discovery(response)))
    assert [r.url for r in articles] == [
        "http://h24info.test/economie/a-1.html?x=1&y=2",
        "http://h24info.test/economie/a-2.html?x=1&y=2",
    ]
    assert _titles(articles) == ["Tom & Jerry", "l\u2019\u00e9t\u00e9 & Co"]


def test_entities_are_never_expanded() -> None:
    """A DTD's own entities stay text (no billion laughs, no XXE), HTML entities are characters."""
    from spiders.families import _xml_root

    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY x SYSTEM "file:///etc/passwd">]><r><t>&b;&x;&nbsp;</t></r>'
    )
    root = _xml_root(bomb)
    assert root is not None and root[0].text == "&b;&x;\xa0"


def test_feed_respects_max_articles(site: Site) -> None:
    spider = make_spider(FeedSpider, "hespress_ar", max_articles=2)
    articles, _ = split(list(spider.parse_discovery(fetch(site, only_discovery(spider)))))
    assert [r.url for r in articles] == listed("hespress:feed")[:2]
    assert stat(spider, "nashra/listing_over_limit") == len(listed("hespress:feed")) - 2


def test_atom_feed_alternate_links(site: Site) -> None:
    spider = make_spider(FeedSpider, "hespress_ar")
    request = only_discovery(spider)
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>One</title><link rel="self" href="http://hespress.test/api/1"/>
<link rel="alternate" href="http://hespress.test/a/one.html"/><updated>2026-02-01T10:00:00Z</updated></entry>
<entry><title>Two</title><link href="/a/two.html"/><published>2026-02-01T09:00:00Z</published></entry>
</feed>"""
    response = XmlResponse(request.url, body=atom, request=request)
    articles, _ = split(list(spider.parse_discovery(response)))
    assert [r.url for r in articles] == ["http://hespress.test/a/one.html", "http://hespress.test/a/two.html"]
    assert articles[0].meta["nashra_listing"] == {"title": "One", "published": "2026-02-01T10:00:00Z"}
    assert articles[1].meta["nashra_listing"] == {"title": "Two", "published": "2026-02-01T09:00:00Z"}


# -- sitemaps ------------------------------------------------------------------------------------


def test_news_sitemap_yields_listed_urls_newest_first_with_listing(site: Site) -> None:
    spider = make_spider(SitemapSpider, "hespress_ar")
    request = only_discovery(spider)
    assert request.url == "http://hespress.test/sitemap-news.xml"
    articles, discovery = split(list(spider.parse_discovery(fetch(site, request))))
    assert discovery == []
    assert [r.url for r in articles] == listed("hespress:sitemap-news")
    first = truth.article(articles[0].url)
    listing = articles[0].meta["nashra_listing"]
    assert listing["title"] == first.title
    assert listing["language"] == "ar"
    assert datetime.fromisoformat(listing["published"]) == first.published_utc
    missing = [q for q in truth.QUARANTINED if q.url == articles[1].url]
    assert missing and missing[0].status == 404  # listed, and requested: the 404 is archived later


def test_sitemap_index_yields_child_sitemaps_then_their_articles(site: Site) -> None:
    spider = make_spider(SitemapSpider, "aljazeera_ar")
    request = only_discovery(spider)
    assert request.url == "http://aljazeera.test/sitemap.xml"
    articles, children = split(list(spider.parse_discovery(fetch(site, request))))
    assert articles == []
    assert [c.url for c in children] == [
        "http://aljazeera.test/sitemaps/article-daily.xml?yyyy=2026&mm=02&dd=02",
        "http://aljazeera.test/sitemaps/article-daily.xml?yyyy=2026&mm=02&dd=01",
    ]
    for child in children:
        assert child.callback == spider.parse_discovery and child.errback == spider.discovery_failed

    found: list[str] = []
    for child in children:
        child_articles, grandchildren = split(list(spider.parse_discovery(fetch(site, child))))
        assert grandchildren == []
        found += [r.url for r in child_articles]
    # The listed URLs as listed: the same-site redirect source and the off-site-redirecting one
    # (following or dropping redirects is the downloader's business).
    assert sorted(found) == sorted(listed("aljazeera:daily"))
    moved = "http://aljazeera.test/news/2026/2/1/qatar-met-warning-winds"
    assert moved in found and truth.outcome(moved) == "redirect_same_site"
    assert stat(spider, "nashra/discovery_ok") == 3


def test_sitemap_index_follows_only_the_newest_children(site: Site) -> None:
    spider = make_spider(SitemapSpider, "aljazeera_ar")
    request = only_discovery(spider)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = "".join(
        f"<sitemap><loc>/sitemaps/day-{n:02d}.xml</loc><lastmod>{(start + timedelta(days=n)).isoformat()}"
        "</lastmod></sitemap>"
        for n in range(MAX_CHILD_SITEMAPS + 5)
    )
    body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    _, children = split(list(spider.parse_discovery(XmlResponse(request.url, body=body.encode()))))
    newest = range(MAX_CHILD_SITEMAPS + 4, 4, -1)
    assert [c.url for c in children] == [f"http://aljazeera.test/sitemaps/day-{n:02d}.xml" for n in newest]


def test_monthly_sitemaps_expand_from_today_and_read_each_month(site: Site) -> None:
    spider = make_spider(SitemapSpider, "peninsula_en")
    requests = list(spider.start_requests())
    assert [r.url for r in requests] == [
        "http://peninsula.test/sitemap_articles-2026-2.xml",
        "http://peninsula.test/sitemap_articles-2026-1.xml",
    ]
    current, previous = (list(spider.parse_discovery(fetch(site, r))) for r in requests)
    assert [r.url for r in current] == listed("peninsula:monthly")
    assert current[0].meta["nashra_listing"]["published"].startswith("2026-02-02T11:30:00")
    assert previous == []  # an empty month is not a failure
    assert spider.discovery_failures == []
    assert stat(spider, "nashra/discovery_ok") == 2


def test_gzipped_sitemap_is_read(site: Site) -> None:
    spider = make_spider(SitemapSpider, "hespress_ar")
    request = only_discovery(spider)
    plain = fetch(site, request)
    response = Response(request.url, body=gzip.compress(plain.body), request=request)
    assert [r.url for r in spider.parse_discovery(response)] == listed("hespress:sitemap-news")


# -- WordPress REST ------------------------------------------------------------------------------


def test_wordpress_paginates_by_total_pages_header(site: Site) -> None:
    spider = make_spider(WordPressSpider, "h24info_fr")
    first = only_discovery(spider)
    query = dict(parse_qsl(urlsplit(first.url).query))
    assert urlsplit(first.url).path == "/wp-json/wp/v2/posts"
    assert query["page"] == "1" and query["per_page"] == "20"

    response = fetch(site, first)
    assert isinstance(response, TextResponse)
    assert response.headers[b"X-WP-TotalPages"] == b"2"  # the fixture caps per_page at 2
    articles_1, next_pages = split(list(spider.parse_discovery(response)))
    assert len(articles_1) == 2
    (second,) = next_pages
    assert dict(parse_qsl(urlsplit(second.url).query))["page"] == "2"

    articles_2, after_last = split(list(spider.parse_discovery(fetch(site, second))))
    assert after_last == []
    assert [r.url for r in articles_1 + articles_2] == listed("h24info:rest")

    for request in articles_1 + articles_2:
        expected = truth.article(request.url)
        listing = request.meta["nashra_listing"]
        assert listing["title"] == expected.title  # WordPress's HTML-escaped title, unescaped
        assert datetime.fromisoformat(listing["published"]) == expected.published_utc


def test_wordpress_stops_at_max_pages() -> None:
    spider = make_spider(WordPressSpider, "h24info_fr")
    first = only_discovery(spider)
    last = spider._page_url(first.url, spider.max_pages)
    response = TextResponse(last, body=b"[]", headers={"X-WP-TotalPages": "50"}, encoding="utf-8")
    assert list(spider.parse_discovery(response)) == []
    before_last = spider._page_url(first.url, spider.max_pages - 1)
    response = TextResponse(before_last, body=b"[]", headers={"X-WP-TotalPages": "50"}, encoding="utf-8")
    (nxt,) = list(spider.parse_discovery(response))
    assert dict(parse_qsl(urlsplit(nxt.url).query))["page"] == str(spider.max_pages)


# -- failures are recorded, never raised ---------------------------------------------------------

GARBAGE = [b"\x00\xff\xfe\x89garbage\x01\x02", b"\x1f\x8b\x08\x00truncated-gzip", b""]


@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize(("cls", "outlet_id"), [(FeedSpider, "hespress_ar"), (SitemapSpider, "hespress_ar")])
def test_unparsable_discovery_document_is_recorded(
    cls: type[NashraSpider], outlet_id: str, body: bytes
) -> None:
    spider = make_spider(cls, outlet_id)
    request = only_discovery(spider)
    assert list(spider.parse_discovery(Response(request.url, body=body, request=request))) == []
    (failure,) = spider.discovery_failures
    assert failure.startswith(request.url) and "not a parsable" in failure


@pytest.mark.parametrize(
    ("cls", "outlet_id"),
    [(FeedSpider, "hespress_ar"), (SitemapSpider, "hespress_ar"), (WordPressSpider, "h24info_fr")],
)
def test_http_500_discovery_response_is_recorded(site: Site, cls: type[NashraSpider], outlet_id: str) -> None:
    spider = make_spider(cls, outlet_id)
    request = only_discovery(spider)
    good = fetch(site, request)
    response = good.replace(status=500)  # a valid document, but the server said it failed
    assert list(spider.parse_discovery(response)) == []
    assert spider.discovery_failures == [f"{request.url}: HTTP 500"]
    assert stat(spider, "nashra/discovery_failed") == 1
    assert stat(spider, "nashra/discovery_ok") is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"<html>oops</html>", "not JSON"), (b'{"code": "rest_no_route"}', "expected a list of posts")],
)
def test_wordpress_unexpected_body_is_recorded(body: bytes, problem: str) -> None:
    spider = make_spider(WordPressSpider, "h24info_fr")
    request = only_discovery(spider)
    response = TextResponse(request.url, body=body, encoding="utf-8", request=request)
    assert list(spider.parse_discovery(response)) == []
    assert spider.discovery_failures == [f"{request.url}: {problem}"]


def test_wordpress_skips_malformed_posts() -> None:
    spider = make_spider(WordPressSpider, "h24info_fr")
    request = only_discovery(spider)
    posts = [
        "not a post",
        {"link": None},
        {"link": "http://h24info.test/maroc/ok/", "title": "plain string", "date_gmt": None},
    ]
    response = TextResponse(request.url, body=json.dumps(posts).encode(), encoding="utf-8", request=request)
    articles, _ = split(list(spider.parse_discovery(response)))
    assert [r.url for r in articles] == ["http://h24info.test/maroc/ok/"]
    assert articles[0].meta["nashra_listing"] == {}


def test_network_error_on_discovery_is_recorded_by_the_errback() -> None:
    spider = make_spider(FeedSpider, "hespress_ar")
    request = only_discovery(spider)
    failure = Failure(DNSLookupError("blocked hespress.test: 10.0.0.1 is a private or reserved address"))
    failure.request = request  # type: ignore[attr-defined]
    spider.discovery_failed(failure)
    (recorded,) = spider.discovery_failures
    assert recorded.startswith("http://hespress.test/feed: ") and "10.0.0.1" in recorded
    assert stat(spider, "nashra/discovery_failed") == 1
