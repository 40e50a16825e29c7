"""What is pending, asked of a window of days: flat cost, and nothing missed inside the window."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nashra.core.lake import Lake, open_lake
from nashra.core.ledger import (
    Window,
    new_batch_id,
    pending_batches,
    raw_fingerprint,
    raw_warc_path,
    recent,
    write_manifest,
)

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


class CountingLake(Lake):
    """A local lake that counts its listings and reads, as S3 would bill them."""

    lists = reads = 0

    def stats(self, prefix: str, suffix: str = "") -> dict:
        type(self).lists += 1
        return super().stats(prefix, suffix)

    def read_bytes(self, rel: str) -> bytes:
        type(self).reads += 1
        return super().read_bytes(rel)


def _lake(root: Path) -> CountingLake:
    base = open_lake(str(root))
    CountingLake.lists = CountingLake.reads = 0
    return CountingLake(base.uri, base.fs, base.root, base.is_local, base.settings)


def _crawled(lake: Lake, when: datetime, *, processed: bool) -> str:
    batch = new_batch_id("o1", when)
    lake.write_bytes(raw_warc_path("o1", when.strftime("%Y-%m-%d"), batch, "feed"), b"warc" * 10)
    if processed:
        time.sleep(0.01)  # the manifest is written after its input
        write_manifest(lake, "process", "o1", batch, {"raw": raw_fingerprint(lake, "o1", batch)})
    return batch


def test_the_window_finds_its_open_batches_with_a_listing_per_day_and_no_reads(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    for day in range(60):  # two months of history, all processed
        _crawled(lake, NOW - timedelta(days=day + 3), processed=True)
    old_open = _crawled(lake, NOW - timedelta(days=40, hours=5), processed=False)  # an outage, long ago
    fresh = _crawled(lake, NOW - timedelta(hours=2), processed=False)
    CountingLake.lists = CountingLake.reads = 0
    window = recent(NOW)
    assert pending_batches(lake, "o1", "process", window) == [fresh]
    assert CountingLake.reads == 0  # the listings' times settle every batch
    assert CountingLake.lists == 2 * len(window.days())  # raw + manifests, per day, not per batch
    # All history (the daily reconciliation) finds the one the window cannot see.
    assert pending_batches(lake, "o1", "process") == [old_open, fresh]


def test_a_recrawl_of_a_processed_batch_is_pending_again(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    batch = _crawled(lake, NOW - timedelta(hours=1), processed=True)
    assert pending_batches(lake, "o1", "process", recent(NOW)) == []
    rel = raw_warc_path("o1", NOW.strftime("%Y-%m-%d"), batch, "feed")
    lake.write_bytes(rel, b"warc" * 20)  # the same run crawled again: other bytes
    later = time.time() + 5
    os.utime(Path(lake.path(rel)), (later, later))
    assert pending_batches(lake, "o1", "process", recent(NOW)) == [batch]
    # Written in the same second as its manifest (S3 keeps seconds): the fingerprint decides.
    write_manifest(lake, "process", "o1", batch, {"raw": raw_fingerprint(lake, "o1", batch)})
    os.utime(Path(lake.path(rel)), (later + 10, later + 10))
    assert pending_batches(lake, "o1", "process", recent(NOW)) == []


def test_the_index_window_follows_the_process_manifests(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    done = _crawled(lake, NOW - timedelta(hours=3), processed=True)
    write_manifest(lake, "index", "o1", done, {"raw": raw_fingerprint(lake, "o1", done)})
    todo = _crawled(lake, NOW - timedelta(hours=1), processed=True)
    assert pending_batches(lake, "o1", "index", recent(NOW)) == [todo]
    with pytest.raises(ValueError, match="unknown stage"):
        pending_batches(lake, "o1", "crawl", recent(NOW))


def test_a_window_names_its_days() -> None:
    window = Window(datetime(2026, 2, 27, 23, tzinfo=UTC), datetime(2026, 3, 1, 1, tzinfo=UTC))
    assert window.days() == ["2026-02-27", "2026-02-28", "2026-03-01"]
