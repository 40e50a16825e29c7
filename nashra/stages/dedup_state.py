"""Near-duplicate and story state in the lake: one signature row per stored article.

    the `signatures` Delta table, partitioned by month (YYYY-MM of published_at)

The lake is the source of truth, not a process: each batch rebuilds a `WindowState` from the
signatures published within WINDOW before its crawl time (wire copies and the other
languages' versions of a story appear within days), so memory follows the window, not the
history. Month first in the path so a window reads only one or two month prefixes. Internal
state of the process stage, not part of the published data contract (schemas/contract/).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nashra.core.lake import Lake
from nashra.core.tables import commit_batch, dataset
from transforms import story
from transforms.dedup import WindowState, state_from_rows
from transforms.neardup import NUM_PERM, SIGNATURE_BYTES

# The story window (±3 days) bounds how far back evidence can matter; wire copies come within
# hours. Measured state: ~0.6 KB per article for the near-dup index (our numpy LSH; datasketch's
# band tables took ~9.4 KB) and ~5 KB for story keys; 37 outlets x 200 articles/day x 3 days is
# ~22k articles, ~125 MB. docs/decisions.md and `python -m devkit bench` (near-dup) have the measurement.
# Story keys are bounded per article (story.py reads a Latin body up to BODY_WORDS words, an Arabic
# one up to LEAD_WORDS); the lead/headline markers stored with them add about half again (on
# tests/eval/dedup: 0.48 KB -> 0.72 KB of key text per article on average, 2.8 KB at most).
WINDOW = story.WINDOW
SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("outlet_id", pa.string()),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("batch_id", pa.string()),
        pa.field("dedup_status", pa.string()),
        pa.field("minhash", pa.binary(SIGNATURE_BYTES)),  # NUM_PERM little-endian uint32
        pa.field("script", pa.string()),
        pa.field("story_keys", pa.list_(pa.string())),
        pa.field("story_id", pa.string()),
        pa.field("month", pa.string(), nullable=False),  # the partition: YYYY-MM of published_at
    ]
)
_READ = [f.name for f in SCHEMA if f.name not in ("outlet_id", "month")]


def _month(value: datetime | None) -> str:
    return (value or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m")


def _months_between(start: datetime, end: datetime) -> list[str]:
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        months.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def load_window(lake: Lake, batch_time: datetime, exclude_batch: str) -> WindowState:
    """State from other batches' signatures published within WINDOW before the batch's crawl.

    Anchored on the crawl time, not on the batch's publication dates: one archive page from
    last year in a batch must not pull a year of signatures into memory (it is compared with
    its own batch only).
    """
    low, high = batch_time - WINDOW, batch_time + timedelta(days=1)
    signatures = dataset(lake, "signatures")
    if signatures is None:
        return WindowState()
    when = pc.field("published_at")
    wanted = (
        pc.field("month").isin(_months_between(low, high))
        & (when >= pa.scalar(low))
        & (when <= pa.scalar(high))
        & (pc.field("batch_id") != exclude_batch)
    )
    table = signatures.to_table(columns=_READ, filter=wanted)
    if table.num_rows == 0:
        return WindowState()
    # The MinHash column straight into one (n, NUM_PERM) matrix: no bytes object per article.
    # (Delta has no fixed-size binary type: the column comes back as plain binary.)
    minhash = table.column("minhash").cast(pa.binary(SIGNATURE_BYTES)).combine_chunks()
    matrix = np.frombuffer(minhash.buffers()[1], dtype="<u4")[
        minhash.offset * NUM_PERM : (minhash.offset + len(minhash)) * NUM_PERM
    ].reshape(-1, NUM_PERM)
    return state_from_rows(table.drop_columns(["minhash"]).to_pylist(), matrix.astype(np.uint32))


def write_signatures(
    lake: Lake, outlet_id: str, batch_id: str, rows: list[dict[str, Any]], *, replace: bool = True
) -> None:
    dated = [{**row, "month": _month(row["published_at"])} for row in rows]
    table = pa.Table.from_pylist(dated, schema=SCHEMA)
    commit_batch(lake, "signatures", table, outlet_id=outlet_id, batch_id=batch_id, replace=replace)
