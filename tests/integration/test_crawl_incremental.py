"""Incremental crawling: what the lake already holds (raw_index) is not fetched again, and within one
crawl process a URL listed by two families is fetched once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from nashra.core.lake import open_lake
from nashra.core.raw_archive import RAW_INDEX_SCHEMA
from nashra.core.tables import commit_batch
from spiders.crawl import seen_urls
from spiders.middlewares import IncrementalSkipMiddleware

OUTLET = "hespress_ar"
BATCH = "hespress_ar-20260202T120000Z"
EARLIER = "hespress_ar-20260201T120000Z"
FETCHED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def row(url: str, status: int, final_url: str | None = None, batch: str = EARLIER) -> dict[str, object]:
    return {
        "url": url,
        "final_url": final_url or url,
        "status": status,
        "fetch_error": "TimeoutError" if status == 0 else None,
        "fetched_at": FETCHED,
        "batch_id": batch,
        "discovery": "feed",
    }


def write_index(lake_uri: str, outlet: str, batch: str, family: str, rows: list[dict[str, object]]) -> None:
    """What the crawl's sink commits for one family of a batch."""
    rows = [{**r, "outlet_id": outlet, "family": family, "batch_id": batch} for r in rows]
    table = pa.Table.from_pylist(rows, schema=RAW_INDEX_SCHEMA)
    commit_batch(open_lake(lake_uri), "fetched", table, outlet_id=outlet, batch_id=batch, replace=True,
                 scope={"family": family})  # fmt: skip


def u(path: str) -> str:
    return f"http://hespress.test{path}"


# -- seen_urls -----------------------------------------------------------------------------------


def test_empty_lake_has_seen_nothing(tmp_path: Path) -> None:
    assert seen_urls(str(tmp_path), OUTLET, BATCH) == set()


def test_kept_answers_are_seen_and_retryable_ones_are_not(tmp_path: Path) -> None:
    lake = str(tmp_path)
    write_index(
        lake,
        OUTLET,
        EARLIER,
        "feed",
        [
            row(u("/ok.html"), 200),
            row(u("/gone.html"), 404),
            row(u("/forbidden.html"), 403),
            row(u("/old.html"), 200, final_url=u("/new.html")),
            row(u("/busy.html"), 503),
            row(u("/slow-down.html"), 429),
            row(u("/timeout.html"), 0),
            row(u("/broken.html"), 500),
        ],
    )
    write_index(lake, OUTLET, "hespress_ar-20260131T060000Z", "sitemap", [row(u("/older.html"), 200)])
    assert seen_urls(lake, OUTLET, BATCH) == {
        u("/ok.html"),
        u("/gone.html"),
        u("/forbidden.html"),
        u("/old.html"),
        u("/new.html"),  # the final URL after a redirect counts too
        u("/older.html"),
    }


def test_the_batch_own_files_and_other_outlets_are_not_counted(tmp_path: Path) -> None:
    lake = str(tmp_path)
    write_index(lake, OUTLET, BATCH, "feed", [row(u("/own-attempt.html"), 200, batch=BATCH)])
    write_index(lake, OUTLET, BATCH, "sitemap", [row(u("/own-sitemap.html"), 200, batch=BATCH)])
    write_index(lake, OUTLET, EARLIER, "feed", [row(u("/earlier.html"), 200)])
    write_index(lake, "le360_fr", "le360_fr-20260201T120000Z", "sitemap", [row("http://le360.test/x/", 200)])
    assert seen_urls(lake, OUTLET, BATCH) == {u("/earlier.html")}
    # From the point of view of a later batch, that first batch's pages are archived.
    later = "hespress_ar-20260203T120000Z"
    assert seen_urls(lake, OUTLET, later) == {
        u("/own-attempt.html"),
        u("/own-sitemap.html"),
        u("/earlier.html"),
    }


def test_a_batch_id_that_is_a_prefix_of_another_is_not_confused(tmp_path: Path) -> None:
    lake = str(tmp_path)
    # Same outlet, different batch whose id starts with this batch id's text.
    write_index(lake, OUTLET, f"{BATCH}0", "feed", [row(u("/other-batch.html"), 200, batch=f"{BATCH}0")])
    assert seen_urls(lake, OUTLET, BATCH) == {u("/other-batch.html")}


# -- IncrementalSkipMiddleware -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_batch(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    requested: set[str] = set()
    monkeypatch.setattr(IncrementalSkipMiddleware, "requested_in_batch", requested)
    yield requested


SEEN = {u("/seen.html")}


@pytest.fixture
def spider() -> scrapy.Spider:
    crawler = get_crawler(scrapy.Spider, settings_dict={"NASHRA_SEEN_URLS": SEEN})
    return scrapy.Spider.from_crawler(crawler, name="incremental-test")


@pytest.fixture
def mw(spider: scrapy.Spider) -> IncrementalSkipMiddleware:
    return IncrementalSkipMiddleware.from_crawler(spider.crawler)


def article(url: str, **meta: object) -> scrapy.Request:
    return scrapy.Request(url, meta={"nashra_article": True, **meta})


def stat(spider: scrapy.Spider, key: str) -> object:
    return spider.crawler.stats.get_value(key)


def test_seen_urls_come_from_the_setting(mw: IncrementalSkipMiddleware) -> None:
    assert mw.seen == SEEN
    assert IncrementalSkipMiddleware.from_crawler(get_crawler()).seen == set()


def test_already_archived_article_is_skipped(mw: IncrementalSkipMiddleware, spider: scrapy.Spider) -> None:
    with pytest.raises(IgnoreRequest, match="already archived"):
        mw.process_request(article(u("/seen.html")), spider)
    assert stat(spider, "nashra/skipped_already_archived") == 1


def test_new_article_passes_once_per_batch(
    mw: IncrementalSkipMiddleware, spider: scrapy.Spider, fresh_batch: set[str]
) -> None:
    assert mw.process_request(article(u("/new.html")), spider) is None
    assert fresh_batch == {u("/new.html")}
    # Listed again (by the sitemap family, whose spider has its own middleware instance).
    other_family = IncrementalSkipMiddleware(SEEN)
    with pytest.raises(IgnoreRequest, match="already requested"):
        other_family.process_request(article(u("/new.html")), spider)
    assert stat(spider, "nashra/skipped_same_batch") == 1
    assert stat(spider, "nashra/skipped_already_archived") is None


def test_discovery_requests_are_never_skipped(mw: IncrementalSkipMiddleware, spider: scrapy.Spider) -> None:
    feed = scrapy.Request(u("/seen.html"), meta={"nashra_discovery": True})  # even a "seen" URL
    robots = scrapy.Request(u("/robots.txt"))
    for _ in range(2):
        assert mw.process_request(feed, spider) is None
        assert mw.process_request(robots, spider) is None
    assert stat(spider, "nashra/skipped_already_archived") is None
    assert stat(spider, "nashra/skipped_same_batch") is None


def test_redirected_requests_are_never_skipped(
    mw: IncrementalSkipMiddleware, spider: scrapy.Spider, fresh_batch: set[str]
) -> None:
    # The redirect target was archived before, or was itself listed in this batch: the listed URL
    # still has to get its answer (the redirect's target page), so the hop is not dropped.
    assert mw.process_request(article(u("/listed-a.html")), spider) is None
    assert mw.process_request(article(u("/seen.html"), redirect_times=1), spider) is None
    assert mw.process_request(article(u("/listed-a.html"), redirect_times=2), spider) is None
    assert fresh_batch == {u("/listed-a.html")}


def test_retried_requests_are_not_skipped_as_same_batch(
    mw: IncrementalSkipMiddleware, spider: scrapy.Spider
) -> None:
    """A 503/429 or a timeout is retried with the same URL: the retry is not a second listing."""
    first = article(u("/busy.html"))
    assert mw.process_request(first, spider) is None
    retry = first.replace(dont_filter=True)
    retry.meta["retry_times"] = 1
    assert mw.process_request(retry, spider) is None
    assert stat(spider, "nashra/skipped_same_batch") is None
