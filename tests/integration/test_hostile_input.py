"""Hostile and broken input, end to end: the real crawler (a Scrapy child process, through the
fixture web as proxy) fetches every page of ``http://hostile.test/`` and the process stage turns
them into articles or named quarantine rows. Each page's expected outcome is in
``devkit/fixture_web/hostile.PAGES``; nothing may be lost, crash the batch or stall the crawl."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from devkit.fixture_web import hostile
from nashra.core.lake import open_lake
from nashra.core.model import RawPage
from nashra.core.registry import load_registry
from nashra.core.warc import read_pages
from nashra.stages.process import ProcessReport, process_outlet
from spiders.crawl import CrawlReport, crawl_outlet
from tests.support import use_fixture_web

BATCH = "hostile_test-20260202T120000Z"
DAY = "2026-02-02"
CRAWL_LIMIT_S = 150  # the stalling page alone costs 3 attempts x NASHRA_DOWNLOAD_TIMEOUT
FORBIDDEN_HOSTS = {"evil.test", "169.254.169.254", "10.0.0.1"}


@dataclass
class Run:
    report: CrawlReport
    crawl_seconds: float
    processed: ProcessReport
    requests: list[tuple[str, str, str]]
    raw: dict[str, tuple[RawPage, str | None]]  # listed URL -> archived page
    articles: dict[str, dict[str, Any]]  # page_id -> row
    quarantine: dict[str, dict[str, Any]]  # page_id -> row
    url_duplicates: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def run(fixture_web: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    lake_uri = str(tmp_path_factory.mktemp("hostile-lake"))
    with pytest.MonkeyPatch.context() as mp:
        use_fixture_web(mp, fixture_web, registry=str(hostile.REGISTRY_PATH), lake_uri=lake_uri)
        mp.setenv("NASHRA_CRAWL_TIMEOUT", "120")  # CLOSESPIDER_TIMEOUT: the crawl can never hang
        mp.setenv("NASHRA_DOWNLOAD_TIMEOUT", "4")  # DOWNLOAD_TIMEOUT: a stalled server is dropped
        start = len(fixture_web.requests)
        began = time.monotonic()
        report = crawl_outlet(hostile.OUTLET_ID, BATCH, today=DAY, timeout=CRAWL_LIMIT_S + 60)
        seconds = time.monotonic() - began
        requests = list(fixture_web.requests[start:])
    lake = open_lake(lake_uri)
    outlet = load_registry(hostile.REGISTRY_PATH).get(hostile.OUTLET_ID)
    (processed,) = process_outlet(lake, outlet)  # the default failure-rate gate, as in production
    raw = {
        page.url: (page, error)
        for rel in lake.list("raw", ".warc.gz")
        for page, error in read_pages(io.BytesIO(lake.read_bytes(rel)))
    }

    def rows(table: str) -> dict[str, dict[str, Any]]:
        dataset = lake.dataset(table)
        return {r["page_id"]: r for r in dataset.to_table().to_pylist()} if dataset is not None else {}

    yield Run(
        report,
        seconds,
        processed,
        requests,
        raw,
        rows("articles"),
        rows("quarantine"),
        rows("url_duplicates"),
    )


def _pages(*outcomes: str) -> list[hostile.HostilePage]:
    return [p for p in hostile.PAGES if p.expect.outcome in outcomes]


def test_corpus_is_big_enough_and_covers_every_kind() -> None:
    assert len(hostile.PAGES) >= 30
    assert {p.expect.outcome for p in hostile.PAGES} == {"article", "quarantine", "robots", "offsite", "ssrf"}
    assert len({p.path for p in hostile.PAGES}) == len(hostile.PAGES)


def test_crawl_finishes_in_bounded_time(run: Run) -> None:
    assert run.crawl_seconds < CRAWL_LIMIT_S


def test_every_listed_page_is_accounted_for(run: Run) -> None:
    (family,) = run.report.families.values()
    fetched = _pages("article", "quarantine")
    assert family.archived == len(fetched) == len(run.raw)
    assert sorted(run.raw) == sorted(p.url for p in fetched)
    assert family.robots_forbidden == len(_pages("robots"))
    assert family.offsite_filtered == len(_pages("offsite"))
    assert family.ssrf_blocked == len(_pages("ssrf"))
    listed = family.archived + family.robots_forbidden + family.offsite_filtered + family.ssrf_blocked
    assert listed == len(hostile.PAGES)
    # ... and every archived page ends in exactly one table.
    p = run.processed
    assert p.pages == family.archived
    assert p.stored + p.url_duplicates + p.quarantined == p.pages
    assert len(run.articles) + len(run.url_duplicates) + len(run.quarantine) == p.pages


@pytest.mark.parametrize("page", _pages("article"), ids=lambda p: p.path)
def test_article_pages_are_stored_correctly(run: Run, page: hostile.HostilePage) -> None:
    raw, error = run.raw[page.url]
    assert error is None
    row = run.articles.get(raw.page_id)
    assert row is not None, run.quarantine.get(raw.page_id)
    assert row["title"] == page.expect.title
    assert row["language"] == page.expect.language
    for words in page.expect.must_contain:  # the real words, not mojibake
        assert words in row["body"], words
    assert "\ufffd" not in row["body"] + row["title"]
    assert row["published_at"] == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # never a future date


@pytest.mark.parametrize("page", _pages("quarantine"), ids=lambda p: p.path)
def test_bad_pages_are_quarantined_with_their_reason(run: Run, page: hostile.HostilePage) -> None:
    raw, _ = run.raw[page.url]
    row = run.quarantine.get(raw.page_id)
    assert row is not None, f"{page.path} ({page.what}) was not quarantined"
    assert row["url"] == page.url
    reason = row["reasons"][0]
    expected = page.expect.reason or ""
    assert reason.startswith(expected) if expected.endswith("_") else reason == expected, row["detail"]
    assert row["detail"]


def test_nothing_was_requested_from_forbidden_hosts_or_paths(run: Run) -> None:
    hosts = {h for h, _, _ in run.requests}
    assert hosts == {hostile.HOST}
    assert not hosts & FORBIDDEN_HOSTS
    paths = [p for h, p, _ in run.requests if h == hostile.HOST]
    assert "/robots.txt" in paths
    assert not any(p.startswith("/private/") for p in paths)


def test_injected_markup_never_reaches_a_stored_title(run: Run) -> None:
    injected = [p for p in hostile.PAGES if p.path.startswith("/inject/")]
    assert len(injected) == 3
    for page in injected:
        row = run.articles[run.raw[page.url][0].page_id]
        title = row["title"]
        assert "<" not in title and ">" not in title
        assert not any(code in title for code in ("script", "alert", "steal", "onerror"))


def test_inline_base64_image_is_not_kept_as_the_image_url(run: Run) -> None:
    """5.6 MB as fetched, stored: the size cap counts the page without its inline images."""
    raw, _ = run.raw[hostile.page("/big/base64-image.html").url]
    assert len(raw.body) > 5.5e6  # archived as fetched
    row = run.articles[raw.page_id]
    assert row["image_url"] is None
    assert not [k for k, v in row.items() if "base64," in str(v) or "iVBORw0KGgo" in str(v)]


def test_size_caps_hold(run: Run) -> None:
    """The gzip bomb is stopped while inflating; the page over DOWNLOAD_MAXSIZE is not downloaded."""
    (family,) = run.report.families.values()
    assert family.bytes_fetched < 2 * hostile.TWENTY_MB  # the 20 MB page, and no inflated bomb
    for path in ("/big/gzip-bomb.html", "/big/over-cap.html"):
        page, error = run.raw[hostile.page(path).url]
        assert error and page.body == b""
