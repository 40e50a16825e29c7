"""The offline fixture web: reachable as a proxy and by Host header, every listed URL answers as
``truth`` says, and the pages carry the debris and date traps the crawler and extractors must handle."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from devkit.fixture_web import FixtureWeb, start_fixture_web, truth
from devkit.fixture_web.catalog import HOSTS, REFERENCE_NOW
from devkit.fixture_web.seeds import ENV_VAR, SeedsNotFoundError, load_seeds

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
UA = "nashra-test/1.0"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # surface 3xx to the test instead of following it


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    # Not the conftest `fixture_web` fixture: that one marks tests as needing services; this is cheap.
    with start_fixture_web() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_proxy_bypass(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)


def via_proxy(web: FixtureWeb, url: str, headers: dict[str, str] | None = None) -> Reply:
    """GET through the fixture web used as an HTTP proxy (absolute-form request line)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}), _NoRedirect)
    request = urllib.request.Request(url, headers={"User-Agent": UA, **(headers or {})})
    try:
        with opener.open(request, timeout=10) as resp:
            return Reply(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers.items()), err.read())


def via_host_header(web: FixtureWeb, url: str) -> Reply:
    """GET in origin form straight at the server, naming the outlet in the Host header."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", target, headers={"Host": parts.netloc, "User-Agent": UA})
        resp = conn.getresponse()
        return Reply(resp.status, dict(resp.getheaders()), resp.read())
    finally:
        conn.close()


def page_text(html: str) -> str:
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    return " ".join(unescape(text).split())


def registry() -> dict:
    return yaml.safe_load(truth.REGISTRY_PATH.read_text(encoding="utf-8"))


def discovery_urls() -> list[tuple[str, str, str]]:
    """(outlet id, method, url) for every registry entry, monthly templates expanded at the reference date."""
    out = []
    for outlet in registry()["outlets"]:
        for d in outlet["discovery"]:
            if "url_template" in d:
                year, month = REFERENCE_NOW.year, REFERENCE_NOW.month
                for _ in range(d.get("months_back", 0) + 1):
                    out.append((outlet["id"], d["method"], d["url_template"].format(year=year, month=month)))
                    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
            else:
                out.append((outlet["id"], d["method"], d["url"]))
    return out


def listed_urls(web: FixtureWeb, method: str, url: str) -> list[str]:
    """Follow one discovery document (sitemap indexes and REST pagination included) to its URLs."""
    reply = via_proxy(web, url)
    assert reply.status == 200, url
    if method == "wordpress_rest":
        urls, page = [], 1
        while True:
            page_reply = via_proxy(web, f"{url}?per_page=100&page={page}")
            urls += [post["link"] for post in json.loads(page_reply.body)]
            if page >= int(page_reply.headers["X-WP-TotalPages"]):
                return urls
            page += 1
    root = ET.fromstring(reply.body)
    if method == "feed":
        return [item.findtext("link") or "" for item in root.iter("item")]
    if root.tag == f"{SM}sitemapindex":
        return [u for loc in root.iter(f"{SM}loc") for u in listed_urls(web, "sitemap", loc.text or "")]
    return [loc.text or "" for loc in root.iter(f"{SM}loc")]


# --- reaching the server -------------------------------------------------------------------------


def test_robots_txt_for_every_host_both_ways(web: FixtureWeb) -> None:
    for host in HOSTS.values():
        for fetch in (via_proxy, via_host_header):
            reply = fetch(web, f"http://{host}/robots.txt")
            assert reply.status == 200
            assert reply.headers["Content-Type"].startswith("text/plain")
            assert "Disallow: /private/" in reply.text
    hespress = via_proxy(web, "http://hespress.test/robots.txt").text
    assert "Disallow: /wp-admin/" in hespress
    assert "Sitemap: http://hespress.test/sitemap-news.xml" in hespress


def test_request_log_records_host_path_and_user_agent(web: FixtureWeb) -> None:
    via_proxy(web, "http://qna.test/robots.txt?probe=1")
    assert ("qna.test", "/robots.txt?probe=1", UA) in web.requests
    assert web.fetched("http://qna.test/robots.txt?probe=1")


def test_unknown_host_is_a_gateway_error(web: FixtureWeb) -> None:
    assert via_proxy(web, "http://nowhere.test/").status == 502


def test_conditional_get_answers_304(web: FixtureWeb) -> None:
    url = truth.ARTICLES[0].url
    etag = via_proxy(web, url).headers["ETag"]
    again = via_proxy(web, url, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""


# --- discovery documents -------------------------------------------------------------------------


def test_registry_covers_every_fixture_outlet_and_family() -> None:
    outlets = registry()["outlets"]
    assert [o["id"] for o in outlets] == list(truth.OUTLET_IDS)
    assert {o["cms"] for o in outlets} >= {
        "wordpress",
        "arc_xp",
        "rssfeed_cms",
        "monthly_sitemaps",
        "jsonld_article",
    }
    for outlet in outlets:
        assert outlet["allowed_domains"] == [HOSTS[outlet["id"]]]


@pytest.mark.parametrize(("outlet_id", "method", "url"), discovery_urls())
def test_discovery_document_parses(web: FixtureWeb, outlet_id: str, method: str, url: str) -> None:
    reply = via_proxy(web, url)
    assert reply.status == 200, url
    ctype = reply.headers["Content-Type"]
    if method == "wordpress_rest":
        assert ctype.startswith("application/json")
        assert isinstance(json.loads(reply.body), list)
    else:
        assert ctype.startswith(("application/xml", "application/rss+xml"))
        ET.fromstring(reply.body)
    if method == "news_sitemap":
        dates = [e.text for e in ET.fromstring(reply.body).iter(f"{NEWS}publication_date")]
        assert dates and all(dates)


def test_every_listed_url_answers_as_truth_says(web: FixtureWeb) -> None:
    robots: dict[str, urllib.robotparser.RobotFileParser] = {}
    seen: set[str] = set()
    for outlet_id, method, url in discovery_urls():
        for link in listed_urls(web, method, url):
            seen.add(link)
            host = urlsplit(link).hostname or ""
            assert host == HOSTS[outlet_id], link
            if host not in robots:
                robots[host] = urllib.robotparser.RobotFileParser()
                robots[host].parse(via_proxy(web, f"http://{host}/robots.txt").text.splitlines())
            outcome = truth.outcome(link)
            if outcome == "never_fetch":
                assert not robots[host].can_fetch(UA, link)
                continue
            assert robots[host].can_fetch(UA, link), link
            reply = via_proxy(web, link)
            if outcome.startswith("redirect"):
                assert reply.status == 302 and reply.headers["Location"] == truth.REDIRECTS[link]
            elif outcome == "article":
                assert reply.status == 200
                assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
                assert truth.article(link).title in unescape(reply.text)
            else:
                expected = next(q for q in truth.QUARANTINED if q.url == link)
                assert reply.status == expected.status, link
                if expected.reason == "not_html":
                    assert reply.headers["Content-Type"] == "application/pdf"
                    assert reply.body.startswith(b"%PDF-")
                if expected.reason == "no_main_text":
                    assert len(page_text(reply.text)) < 200
    # Every truth entry is reachable from some listing.
    assert {a.listed_url for a in truth.ARTICLES} <= seen
    assert {q.url for q in truth.QUARANTINED} <= seen
    assert {n.listed_url for n in truth.NEVER_FETCHED} <= seen


def test_never_fetched_urls_were_not_requested_by_the_listing_walk(web: FixtureWeb) -> None:
    test_every_listed_url_answers_as_truth_says(web)
    for item in truth.NEVER_FETCHED:
        assert not web.fetched(item.url), item
    assert not web.hosts_contacted() & truth.FORBIDDEN_HOSTS


def test_monthly_sitemaps_answer_padded_and_unpadded_and_other_months_empty(web: FixtureWeb) -> None:
    base = "http://peninsula.test/sitemap_articles-"
    for suffix in ("2026-2.xml", "2026-02.xml"):
        locs = [e.text for e in ET.fromstring(via_proxy(web, base + suffix).body).iter(f"{SM}loc")]
        assert locs == [a.url for a in truth.articles_of("peninsula_en")]
    for suffix in ("2026-1.xml", "2025-11.xml", "2031-07.xml"):
        reply = via_proxy(web, base + suffix)
        assert reply.status == 200
        assert ET.fromstring(reply.body).tag == f"{SM}urlset" and not reply.text.count("<url>")
    assert via_proxy(web, base + "2026-13.xml").status == 404


def test_wordpress_rest_paginates_and_matches_truth(web: FixtureWeb) -> None:
    api = "http://h24info.test/wp-json/wp/v2/posts"
    first = via_proxy(web, f"{api}?per_page=100&page=1")
    assert first.headers["X-WP-Total"] == "3" and first.headers["X-WP-TotalPages"] == "2"
    posts = json.loads(first.body) + json.loads(via_proxy(web, f"{api}?per_page=100&page=2").body)
    assert len({p["id"] for p in posts}) == 3
    for post in posts:
        expected = truth.article(post["link"])
        assert unescape(post["title"]["rendered"]) == expected.title
        assert post["date_gmt"] == expected.published_utc.strftime("%Y-%m-%dT%H:%M:%S")
        assert expected.must_contain[0] in unescape(post["content"]["rendered"])
        assert {"modified_gmt", "excerpt"} <= post.keys()
    assert via_proxy(web, f"{api}?page=3").status == 400
    newer = json.loads(via_proxy(web, f"{api}?after=2026-01-31T00:00:00").body)
    assert len(newer) == 2


def test_aljazeera_index_points_to_daily_sitemaps(web: FixtureWeb) -> None:
    root = ET.fromstring(via_proxy(web, "http://aljazeera.test/sitemap.xml").body)
    locs = [e.text or "" for e in root.iter(f"{SM}loc")]
    assert locs and all("/sitemaps/article-daily.xml?yyyy=2026&mm=02&dd=" in loc for loc in locs)
    empty = via_proxy(web, "http://aljazeera.test/sitemaps/article-daily.xml?yyyy=2025&mm=12&dd=31")
    assert empty.status == 200 and "<url>" not in empty.text


# --- page content --------------------------------------------------------------------------------


def test_seed_pages_carry_the_debris_as_markup(web: FixtureWeb) -> None:
    seeds = load_seeds()
    hespress = via_proxy(web, truth.articles_of("hespress_ar")[0].url).text
    assert 'class="post-title"' in hespress and 'class="article-content"' in hespress
    text = page_text(hespress)
    for line in seeds["ar"].debris:
        assert line in text
    comment_form = ("لن يتم نشر عنوان بريدك الإلكتروني.", 'name="email"', 'name="author"')
    for marker in ("اقرأ أيضا", "<nav", "<footer", *comment_form):
        assert marker in hespress
    le360 = via_proxy(web, truth.articles_of("le360_fr")[0].url).text
    assert 'class="c-article-body"' in le360 and '"datePublished": "2026-02-01T10:05:00+01:00"' in le360
    assert "Le 01/02/2026 à 10h05" in le360
    body = le360.split('class="c-article-body">', 1)[1]
    assert body.lstrip().startswith(f"<p>{seeds['fr'].title}</p>")  # the repeated-title debris
    for marker in (*seeds["fr"].debris, "Partager", "Facebook", "Twitter", "WhatsApp", "cookies"):
        assert marker in le360


def test_moroccan_month_date_is_the_only_date_on_its_page(web: FixtureWeb) -> None:
    item = next(a for a in truth.ARTICLES if a.date_source == "text")
    html = via_proxy(web, item.url).text
    assert '<time class="date-post">الأحد 24 غشت 2025 - 14:30</time>' in html
    assert "published_time" not in html and "datePublished" not in html and "datetime=" not in html
    assert item.published_utc.isoformat() == "2025-08-24T13:30:00+00:00"
    assert not item.date_in_listing
    feed = via_proxy(web, "http://hespress.test/feed").text
    entry = feed.split(item.url, 1)[1].split("</item>", 1)[0]
    assert "<pubDate>" not in entry


def test_truth_snippets_are_consistent_with_served_pages(web: FixtureWeb) -> None:
    for item in truth.ARTICLES:
        text = page_text(via_proxy(web, item.url).text)
        body = item.body.casefold()
        for snippet in item.must_contain:
            assert snippet in item.body and snippet in text, (item.url, snippet)
        for snippet in item.must_not_contain:
            assert snippet.casefold() not in body, (item.url, snippet)
            assert snippet in text, (item.url, snippet)
        assert len(item.body) >= 400
        assert item.published_utc.utcoffset() == timedelta(0)


def test_wire_copies_are_identical_across_outlets() -> None:
    (group,) = truth.WIRE_GROUPS
    copies = [truth.article(url) for url in group]
    assert {a.outlet_id for a in copies} == {"qna_en", "peninsula_en", "gulftimes_en"}
    assert len({a.body for a in copies}) == 1 and len({a.title for a in copies}) == 1
    assert copies[0].body.startswith("Doha, February 2 (QNA) -")


def test_same_site_redirect_and_offsite_redirect(web: FixtureWeb) -> None:
    (offsite,) = [n for n in truth.NEVER_FETCHED if n.why == "offsite"]
    assert urlsplit(offsite.url).hostname in truth.FORBIDDEN_HOSTS
    same = next(a for a in truth.ARTICLES if a.listed_url != a.url)
    assert urlsplit(same.listed_url).hostname == urlsplit(same.url).hostname
    assert via_proxy(web, same.listed_url).headers["Location"] == same.url


# --- seeds ---------------------------------------------------------------------------------------


def test_seeds_split_text_from_debris() -> None:
    seeds = load_seeds()
    assert len(seeds["fr"].paragraphs) == 10 and seeds["fr"].title_repeated
    assert len(seeds["ar"].paragraphs) == 3 and len(seeds["ar"].debris) == 3
    assert all("Laisser un commentaire" not in p for p in seeds["fr"].paragraphs)


def test_missing_seeds_raise_naming_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no-seeds-here"
    monkeypatch.setenv(ENV_VAR, str(missing))
    load_seeds.cache_clear()
    try:
        with pytest.raises(SeedsNotFoundError, match=re.escape(str(missing))):
            load_seeds()
    finally:
        monkeypatch.undo()
        load_seeds.cache_clear()
