"""Escaped ampersands in discovery links, end to end (issue 19): feeds and a news sitemap that are
not well-formed before their items list links spelled `&amp;`, `&#38;` and CDATA. The real crawler
(a Scrapy child process, through the fixture web) must request each exact URL, and the process
stage must store each page as an article, not quarantine a 404 for a URL whose `&` was lost."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devkit.fixture_web import escaped
from nashra.core.lake import open_lake
from nashra.core.registry import load_registry
from nashra.core.warc import read_pages
from nashra.stages.process import ProcessReport, process_outlet
from spiders.crawl import CrawlReport, crawl_outlet
from tests.support import use_fixture_web

BATCH = "escaped_test-20260202T120000Z"


@dataclass
class Run:
    report: CrawlReport
    processed: ProcessReport
    requested: list[str]  # path?query of every request that reached hostile.test/escaped/
    raw: dict[str, int]  # listed URL -> archived HTTP status
    articles: dict[str, str]  # stored URL -> title
    quarantine: list[dict[str, Any]]


@pytest.fixture(scope="module")
def run(fixture_web: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    lake_uri = str(tmp_path_factory.mktemp("escaped-lake"))
    with pytest.MonkeyPatch.context() as mp:
        use_fixture_web(mp, fixture_web, registry=str(escaped.REGISTRY_PATH), lake_uri=lake_uri)
        mp.setenv("NASHRA_CRAWL_TIMEOUT", "120")
        start = len(fixture_web.requests)
        report = crawl_outlet(escaped.OUTLET_ID, BATCH, today="2026-02-02", timeout=300)
        requests = list(fixture_web.requests[start:])
    lake = open_lake(lake_uri)
    (processed,) = process_outlet(lake, load_registry(escaped.REGISTRY_PATH).get(escaped.OUTLET_ID))
    raw = {
        page.url: page.status
        for rel in lake.list("raw", ".warc.gz")
        for page, _ in read_pages(io.BytesIO(lake.read_bytes(rel)))
    }
    articles = lake.dataset("articles")
    quarantine = lake.dataset("quarantine")
    yield Run(
        report,
        processed,
        [path for _, path, _ in requests if path.startswith("/escaped/article")],
        raw,
        {r["url"]: r["title"] for r in articles.to_table().to_pylist()} if articles is not None else {},
        quarantine.to_table().to_pylist() if quarantine is not None else [],
    )


def test_every_listed_link_is_requested_exactly_once(run: Run) -> None:
    expected = sorted(url.removeprefix("http://hostile.test") for url in escaped.EXPECTED)
    assert sorted(run.requested) == expected
    assert run.raw == dict.fromkeys(escaped.EXPECTED, 200)
    for family in run.report.families.values():
        assert family.discovery_failures == []


def test_every_page_reaches_the_lake_with_its_title_and_none_is_quarantined(run: Run) -> None:
    assert run.quarantine == []
    assert run.articles == escaped.EXPECTED
    assert run.processed.stored == len(escaped.EXPECTED)
