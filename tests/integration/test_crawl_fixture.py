"""A real crawl of one fixture outlet, in a Scrapy child process, through the offline fixture web:
robots obeyed, every answer archived to the lake's raw WARC, and the next batch fetches only what
is new. The fixture web runs on 127.0.0.1 and plays every ``*.test`` host as the crawler's proxy."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from devkit.fixture_web import FixtureWeb, truth
from devkit.fixture_web.catalog import catalog
from devkit.fixture_web.responses import Response
from devkit.fixture_web.site import Site
from nashra.core.lake import open_lake
from nashra.core.ledger import raw_warc_path
from nashra.core.tables import read_batch
from nashra.core.warc import read_pages
from spiders.crawl import CrawlError, CrawlReport, crawl_outlet
from spiders.settings import USER_AGENT
from tests.support import use_fixture_web

OUTLET = "hespress_ar"
HOST = "hespress.test"
BATCH = "hespress_ar-20260202T120000Z"
NEXT_BATCH = "hespress_ar-20260202T130000Z"
DAY = "2026-02-02"
DOCS = {"feed": "hespress:feed", "sitemap": "hespress:sitemap-news"}
ROBOTS_ONLY = {n.url for n in truth.NEVER_FETCHED if n.outlet_id == OUTLET and n.why == "robots"}


def expected_status(url: str) -> int:
    for q in truth.QUARANTINED:
        if q.url == url:
            return q.status
    return 200 if truth.outcome(url) == "article" else -1


def listed(family: str) -> list[str]:
    return [item.url for item in catalog().listed(DOCS[family])]


def path_of(url: str) -> str:
    return url.split(HOST, 1)[1]


class Crawl:
    def __init__(self, web: Any, lake_uri: str, report: CrawlReport, requests: list[tuple[str, str, str]]):
        self.web = web
        self.lake_uri = lake_uri
        self.report = report
        self.requests = requests  # what reached the fixture web during this crawl


@pytest.fixture(scope="module")
def first_crawl(fixture_web: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    lake_uri = str(tmp_path_factory.mktemp("lake"))
    with pytest.MonkeyPatch.context() as mp:
        # The same test mode as conftest's fixture_env (which is function-scoped).
        use_fixture_web(mp, fixture_web, lake_uri=lake_uri)
        mp.setenv("NASHRA_CRAWL_TIMEOUT", "120")
        start = len(fixture_web.requests)
        report = crawl_outlet(OUTLET, BATCH, today=DAY, timeout=300)
        yield Crawl(fixture_web, lake_uri, report, list(fixture_web.requests[start:]))


def test_report_counts_what_happened(first_crawl: Crawl) -> None:
    report = first_crawl.report
    assert report.outlet_id == OUTLET and report.batch_id == BATCH
    assert set(report.families) == {"feed", "sitemap"}
    feed, sitemap = report.families["feed"], report.families["sitemap"]
    assert feed.discovery_ok == 1 and sitemap.discovery_ok == 1
    assert feed.discovery_failures == [] and sitemap.discovery_failures == []
    assert feed.robots_forbidden == len(ROBOTS_ONLY) == 1
    assert feed.ssrf_blocked == 0 and feed.fetch_failed == 0
    # The feed family runs first; the sitemap only adds what the feed did not list.
    assert feed.archived == len([u for u in listed("feed") if u not in ROBOTS_ONLY])
    assert sitemap.archived == len(set(listed("sitemap")) - set(listed("feed")))
    assert report.archived == feed.archived + sitemap.archived


def test_robots_fetched_first_and_obeyed(first_crawl: Crawl) -> None:
    paths = [p for h, p, _ in first_crawl.requests if h == HOST]
    assert "/robots.txt" in paths
    article_paths = {path_of(u) for f in DOCS for u in listed(f)}
    first_article = min(i for i, p in enumerate(paths) if p in article_paths)
    assert paths.index("/robots.txt") < first_article
    for url in ROBOTS_ONLY:
        assert path_of(url) not in paths
    assert not any(p.startswith("/private/") for p in paths)


def test_only_the_outlet_host_was_contacted_with_our_user_agent(first_crawl: Crawl) -> None:
    assert {h for h, _, _ in first_crawl.requests} == {HOST}
    assert {ua for _, _, ua in first_crawl.requests} == {USER_AGENT}


def test_each_article_url_fetched_once(first_crawl: Crawl) -> None:
    paths = [p for h, p, _ in first_crawl.requests if h == HOST]
    wanted = {path_of(u) for f in DOCS for u in listed(f) if u not in ROBOTS_ONLY}
    assert {p for p in paths if p in wanted} == wanted
    for p in wanted:
        assert paths.count(p) == 1, p  # the URL both families list is fetched by the first only


def test_raw_warc_and_index_in_the_lake(first_crawl: Crawl) -> None:
    lake = open_lake(first_crawl.lake_uri)
    for family in ("feed", "sitemap"):
        warc = raw_warc_path(OUTLET, DAY, BATCH, family)
        assert lake.exists(warc)
        pages = [(p, e) for p, e in read_pages(io.BytesIO(lake.read_bytes(warc)))]
        table = read_batch(lake, "fetched", OUTLET, BATCH).filter(pc.field("family") == family)
        expected = [u for u in listed(family) if u not in ROBOTS_ONLY]
        if family == "sitemap":
            expected = [u for u in expected if u not in listed("feed")]
        assert sorted(p.url for p, _ in pages) == sorted(expected)
        assert sorted(table.column("url").to_pylist()) == sorted(expected)
        for page, error in pages:
            assert error is None
            assert page.status == expected_status(page.url), page.url
            assert (page.outlet_id, page.batch_id, page.discovery) == (OUTLET, BATCH, family)
            assert page.final_url == page.url
            if page.status == 200:
                assert truth.article(page.url).title.encode() in page.body
                assert page.headers["content-type"].startswith("text/html")
        status_by_url = dict(
            zip(table.column("url").to_pylist(), table.column("status").to_pylist(), strict=True)
        )
        assert status_by_url == {p.url: p.status for p, _ in pages}
        assert pc.all(pc.equal(table.column("batch_id"), BATCH)).as_py()


def test_missing_page_archived_as_404_and_listing_kept(first_crawl: Crawl) -> None:
    lake = open_lake(first_crawl.lake_uri)
    pages = {
        p.url: p
        for family in ("feed", "sitemap")
        for p, _ in read_pages(io.BytesIO(lake.read_bytes(raw_warc_path(OUTLET, DAY, BATCH, family))))
    }
    (missing,) = [q for q in truth.QUARANTINED if q.outlet_id == OUTLET]
    assert pages[missing.url].status == 404
    assert pages[missing.url].listing["title"]  # what the sitemap said about it travels with the page
    dated = truth.article("http://hespress.test/tech/morocco-qatar-digital-partnership-1500001.html")
    assert pages[dated.url].listing["title"] == dated.title


def test_next_batch_skips_archived_articles(first_crawl: Crawl, monkeypatch: pytest.MonkeyPatch) -> None:
    web = first_crawl.web
    use_fixture_web(monkeypatch, web, lake_uri=first_crawl.lake_uri)
    start = len(web.requests)
    report = crawl_outlet(OUTLET, NEXT_BATCH, today=DAY, timeout=300)
    again = [p for h, p, _ in web.requests[start:] if h == HOST]

    feed, sitemap = report.families["feed"], report.families["sitemap"]
    assert feed.skipped_already_archived == len([u for u in listed("feed") if u not in ROBOTS_ONLY])
    assert sitemap.skipped_already_archived == len(listed("sitemap"))
    assert report.archived == 0
    # Discovery documents are fetched again; no article page is.
    article_paths = {path_of(u) for f in DOCS for u in listed(f)}
    assert set(again) & article_paths == set()
    assert {"/feed", "/sitemap-news.xml"} <= set(again)
    # Nothing new: no raw files for the new batch.
    lake = open_lake(first_crawl.lake_uri)
    assert not lake.exists(raw_warc_path(OUTLET, DAY, NEXT_BATCH, "feed"))
    assert read_batch(lake, "fetched", OUTLET, NEXT_BATCH).num_rows == 0


UNREACHABLE_REGISTRY = """\
version: 1
defaults:
  politeness: {download_delay: 0.0, concurrency: 2}
outlets:
  - id: nowhere_en
    name: Nowhere (unreachable fixture)
    country: QA
    languages: [en]
    timezone: Asia/Qatar
    homepage: http://unreachable.test/
    allowed_domains: [unreachable.test]
    cms: unknown
    discovery:
      - {method: feed, url: "http://unreachable.test/feed", status: verified}
    enabled: true
"""


def test_unreachable_outlet_raises_crawl_error_quickly(
    fixture_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "outlets.yaml"
    registry.write_text(UNREACHABLE_REGISTRY)
    monkeypatch.setenv("NASHRA_REGISTRY", str(registry))
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path / "lake"))
    monkeypatch.setenv("NASHRA_CRAWL_TIMEOUT", "60")
    start = len(fixture_env.requests)
    began = time.monotonic()
    with pytest.raises(CrawlError, match="nowhere_en") as caught:
        crawl_outlet(
            "nowhere_en", "nowhere_en-20260202T120000Z", registry_path=str(registry), today=DAY, timeout=120
        )
    assert time.monotonic() - began < 60
    message = str(caught.value)
    assert "every discovery endpoint failed" in message and "http://unreachable.test/feed" in message
    # It was tried (through the proxy, which answers unknown hosts with 502), and retried.
    tried = [p for h, p, _ in fixture_env.requests[start:] if h == "unreachable.test"]
    assert tried.count("/feed") >= 2
    assert not open_lake(str(tmp_path / "lake")).list("raw")


class _BusyOnce(Site):
    """The fixture web, except that one article answers 503 to its first request."""

    def __init__(self, busy_path: str) -> None:
        super().__init__(catalog())
        self.busy_path = busy_path
        self.busy_left = 1

    def resolve(self, host: str, path: str, query: str = "") -> Response:
        if host == HOST and path == self.busy_path and self.busy_left:
            self.busy_left -= 1
            return Response(503, b"busy, try again", "text/plain", {"Retry-After": "0"})
        return super().resolve(host, path, query)


@pytest.mark.services
def test_article_answering_503_is_retried_and_archived(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the retry of a 503 re-enters the downloader middlewares, and must not be taken
    for a second listing of the same URL (it used to be dropped: the page was never archived)."""
    busy = "http://hespress.test/societe/heatwave-alert-1500002.html"
    with FixtureWeb(site=_BusyOnce(path_of(busy))) as web:
        use_fixture_web(monkeypatch, web, lake_uri=str(tmp_path))
        report = crawl_outlet(OUTLET, BATCH, today=DAY, timeout=300)
        fetched = [p for h, p, _ in web.requests if h == HOST]
    assert fetched.count(path_of(busy)) == 2
    lake = open_lake(str(tmp_path))
    pages = {
        p.url: p
        for p, _ in read_pages(io.BytesIO(lake.read_bytes(raw_warc_path(OUTLET, DAY, BATCH, "feed"))))
    }
    assert pages[busy].status == 200
    assert truth.article(busy).title.encode() in pages[busy].body
    assert report.families["feed"].archived == len([u for u in listed("feed") if u not in ROBOTS_ONLY])
