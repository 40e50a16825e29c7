"""Load, small: a 2,000-page fixture outlet crawled and processed with no page lost, in bounded time
and memory. The 50,000-page run is `make load` (bench/load.py; figures in the README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load import run_load
from devkit.fixture_web import load as fixture

pytestmark = pytest.mark.services  # a real crawl through a fixture web on loopback

PAGES = 2000


def test_fixture_lists_every_page_once() -> None:
    index = fixture.resolve("/sitemap_index.xml", f"pages={PAGES}").body.decode()
    assert index.count("<sitemap>") == fixture.sitemap_count(PAGES) == 2
    urls = []
    for i in range(fixture.sitemap_count(PAGES)):
        body = fixture.resolve(f"/sitemap-{i}.xml", f"pages={PAGES}").body.decode()
        urls += [line.split("<loc>")[1].split("</loc>")[0] for line in body.splitlines() if "<loc>" in line]
    assert sorted(urls) == sorted(fixture.url(n) for n in range(PAGES))
    assert fixture.resolve("/news/1999.html").status == 200
    assert fixture.title(7) != fixture.title(8)


def test_small_load_loses_nothing_in_bounded_time_and_memory(tmp_path: Path) -> None:
    report = run_load(PAGES, str(tmp_path / "lake"), timeout=600)
    assert report.archived == PAGES and report.fetch_failed == 0
    assert report.lost == 0
    assert report.stored + report.url_duplicates + report.quarantined == report.archived
    assert report.stored == PAGES, report.reasons  # distinct generated articles: all stored
    assert report.crawl_seconds < 180 and report.process_seconds < 240
    # Generous ceilings (measured: ~190 MB crawl, ~450 MB process with GX/pandas/trafilatura loaded).
    assert 0 < report.crawl_peak_rss_mb < 600, report.crawl_peak_process
    assert 0 < report.process_peak_rss_mb < 1500
