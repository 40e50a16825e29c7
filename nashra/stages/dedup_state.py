"""Near-duplicate and story state in the lake: one signature row per stored article.

    the `signatures` Delta table, partitioned by month (YYYY-MM of published_at)

The lake is the source of truth, not a process: each batch rebuilds a `WindowState` from the
signatures published within WINDOW before its crawl time (wire copies and the other
languages' versions of a story appear within days), so memory follows the window, not the
history. Month first in the path so a window reads only one or two month prefixes. Internal
state of the process stage, not part of the published data contract (schemas/contract/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nashra.core.lake import Lake
from nashra.core.model import StoredArticle
from nashra.core.tables import batch_commits, commit_batch, dataset, read_batch, table_version
from transforms import story
from transforms.dedup import WindowState, state_from_table
from transforms.neardup import NUM_PERM, SIGNATURE_BYTES, Signature, TeaserFinder, is_teaser_sized

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


def load_window(
    lake: Lake, batch_time: datetime, exclude_batch: str, hidden: frozenset[str] = frozenset()
) -> WindowState:
    """State from other batches' signatures published within WINDOW before the batch's crawl.

    Anchored on the crawl time, not on the batch's publication dates: one archive page from
    last year in a batch must not pull a year of signatures into memory (it is compared with
    its own batch only). `hidden`: articles left out (see concurrent_copies).
    """
    low, high = batch_time - WINDOW, batch_time + timedelta(days=1)
    months = _months_between(low, high)
    signatures = dataset(
        lake,
        "signatures",
        where=[("month", "in", months), ("published_at", ">=", low), ("published_at", "<=", high)],
    )
    if signatures is None:
        return WindowState()
    when = pc.field("published_at")
    wanted = (
        pc.field("month").isin(months)
        & (when >= pa.scalar(low))
        & (when <= pa.scalar(high))
        & (pc.field("batch_id") != exclude_batch)
    )
    if hidden:
        wanted = wanted & ~pc.field("article_id").isin(sorted(hidden))
    return _state(signatures.to_table(columns=_READ, filter=wanted))


def _state(table: pa.Table) -> WindowState:
    if table.num_rows == 0:
        return WindowState()
    # The MinHash column straight into one (n, NUM_PERM) matrix: no bytes object per article.
    # (Delta has no fixed-size binary type: the column comes back as plain binary.)
    minhash = table.column("minhash").cast(pa.binary(SIGNATURE_BYTES)).combine_chunks()
    matrix = np.frombuffer(minhash.buffers()[1], dtype="<u4")[
        minhash.offset * NUM_PERM : (minhash.offset + len(minhash)) * NUM_PERM
    ].reshape(-1, NUM_PERM)
    return state_from_table(table, matrix.astype(np.uint32))


@dataclass
class Rivalry:
    """What concurrent_copies found: this batch's articles that must yield, and the concurrent
    copies a new store must not see (a later copy than the first: it yields in its own batch)."""

    copies: list[str] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()


def concurrent_copies(
    lake: Lake,
    batch_id: str,
    read_version: int,
    keys_version: int | None,
    records: list[StoredArticle],
    signatures: dict[str, Signature],
) -> Rivalry:
    """This batch's canonical articles that copy a canonical article of a concurrent batch: one
    whose keys were committed after this batch began reading the lake (`read_version` of the
    dedup_keys table, taken before its story window and key lookup) and before this batch's own
    keys (`keys_version`). Neither saw the other, so both stored a canonical.

    Every batch commits its keys first, so the key table's commit order decides: the earliest
    copy stays canonical, and a later one yields (the earlier batch cannot know of it, and
    stored rows stay immutable). The caller stores its batch again, seeing only the earliest of
    the concurrent copies of each article (the others are `hidden`: they yield in their own
    batches), so every copy ends as a duplicate of that one. Exact copies are found by content
    hash in the rivals' keys, near copies by MinHash in their signatures (when already
    committed), teasers of a rival's article by containment. Cost: one GET per commit in
    between, and those batches' own files.
    """
    if keys_version is None:
        return Rivalry()
    first: dict[tuple[str, str], int] = {}  # (outlet, batch) -> its first keys commit in the range
    for version, outlet, batch in batch_commits(lake, "dedup_keys", read_version, keys_version):
        if batch != batch_id:
            first.setdefault((outlet, batch), version)
    if not first:
        return Rivalry()
    order: dict[str, int] = {}  # rival article -> its batch's keys commit
    owner_of_hash: dict[str, list[str]] = {}
    for (outlet, batch), version in first.items():
        keys = read_batch(lake, "dedup_keys", outlet, batch, columns=["key", "article_id"])
        for key, article in zip(
            keys.column("key").to_pylist(), keys.column("article_id").to_pylist(), strict=True
        ):
            order[article] = version
            if key.startswith("hash:"):
                owner_of_hash.setdefault(key.removeprefix("hash:"), []).append(article)
    tables = [read_batch(lake, "signatures", outlet, batch, columns=_READ) for outlet, batch in first]
    tables = [t for t in tables if t.num_rows]
    mine = [signatures[r.article.article_id] for r in records if r.article.article_id in signatures]
    rivals = _state(pa.concat_tables(tables)).neardup if tables else None
    near = rivals.index_for(mine) if rivals is not None else None
    teasers = TeaserFinder(rivals, sum(map(is_teaser_sized, mine))) if rivals is not None else None
    rivalry, hidden = Rivalry(), set()
    for record in records:
        ident = record.article.article_id
        if record.dedup_status != "canonical":
            continue
        found = set(owner_of_hash.get(record.article.content_hash or "", ()))
        if near is not None and ident in signatures:
            found.update(other for other, _ in near.matches(signatures[ident]) if other in order)
        if not found and teasers is not None and ident in signatures:
            # A teaser of a rival's article yields whatever the commit order (the longer text is
            # the one to keep); the rival's article hides nothing, so it is not `hidden`.
            teaser_of = teasers.match(signatures[ident])
            if teaser_of is not None and teaser_of[0] in order:
                rivalry.copies.append(ident)
                continue
        if found:
            ranked = sorted(found, key=lambda other: (order[other], other))
            rivalry.copies.append(ident)
            hidden.update(ranked[1:])
    rivalry.hidden = frozenset(hidden)
    return rivalry


def committed_after(lake: Lake, batch_id: str, keys_version: int) -> frozenset[str]:
    """Articles of other batches whose keys were committed after `keys_version` (this batch's
    first keys commit): they yield to this batch, so its new store must not take them for the
    originals (one of them could be a smaller id than the real first copy)."""
    later = batch_commits(lake, "dedup_keys", keys_version, table_version(lake, "dedup_keys") + 1)
    found: set[str] = set()
    for _, outlet, batch in later:
        if batch != batch_id:
            keys = read_batch(lake, "dedup_keys", outlet, batch, columns=["article_id"])
            found.update(keys.column("article_id").to_pylist())
    return frozenset(found)


def write_signatures(
    lake: Lake, outlet_id: str, batch_id: str, rows: list[dict[str, Any]], *, replace: bool = True
) -> None:
    dated = [{**row, "month": _month(row["published_at"])} for row in rows]
    table = pa.Table.from_pylist(dated, schema=SCHEMA)
    commit_batch(lake, "signatures", table, outlet_id=outlet_id, batch_id=batch_id, replace=replace)
