"""Exact-dedup keys at flat cost: the `dedup_keys` table (key -> article) instead of a scan of articles.

One row per stored article (`id:<article_id>`) and one per canonical article's content hash
(`hash:<content_hash>`). Maintenance z-orders the table by `key`, so its files cover narrow key
ranges and a batch's lookup of ~60 keys reads the few files whose statistics can hold them, plus
the files committed since the last maintenance: the cost follows the batch and the maintenance
interval, not the lake's history (`make bench`, section history). Internal state of the process
stage, not part of the published data contract.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from nashra.core.lake import Lake
from nashra.core.model import StoredArticle
from nashra.core.tables import commit_batch, dataset
from transforms.dedup import LakeIndex

SCHEMA = pa.schema(
    [
        pa.field("key", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("dedup_status", pa.string()),
        pa.field("outlet_id", pa.string(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
    ]
)


def id_key(article_id: str) -> str:
    return f"id:{article_id}"


def hash_key(content_hash: str) -> str:
    return f"hash:{content_hash}"


def key_rows(records: list[StoredArticle]) -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = []
    for r in records:
        a = r.article
        base = {"outlet_id": a.outlet_id, "batch_id": a.batch_id, "dedup_status": r.dedup_status}
        rows.append({"key": id_key(a.article_id), "article_id": a.article_id, **base})
        if r.dedup_status == "canonical" and a.content_hash:
            rows.append({"key": hash_key(a.content_hash), "article_id": a.article_id, **base})
    return rows


def write_keys(
    lake: Lake, outlet_id: str, batch_id: str, records: list[StoredArticle], *, replace: bool
) -> None:
    table = pa.Table.from_pylist(key_rows(records), schema=SCHEMA)
    commit_batch(lake, "dedup_keys", table, outlet_id=outlet_id, batch_id=batch_id, replace=replace)


def load_lake_index(
    lake: Lake, exclude_batch: str, article_ids: Iterable[str], content_hashes: Iterable[str]
) -> LakeIndex:
    """What other batches already hold of this batch's article ids and content hashes."""
    index = LakeIndex()
    keys = dataset(lake, "dedup_keys")
    if keys is None:
        return index
    ids, hashes = set(article_ids), set(content_hashes)
    wanted = [id_key(i) for i in sorted(ids)] + [hash_key(h) for h in sorted(hashes)]
    if not wanted:
        return index
    found = keys.to_table(
        columns=["key", "article_id"],
        filter=pc.field("key").isin(wanted) & (pc.field("batch_id") != exclude_batch),
    )
    pairs = zip(found.column("key").to_pylist(), found.column("article_id").to_pylist(), strict=True)
    for key, article_id in sorted(pairs):
        kind, _, value = key.partition(":")
        if kind == "id":
            index.article_ids.add(value)
        else:
            # Sorted: the same canonical whatever order the files come in (two canonicals of one
            # hash come only from batches processed side by side).
            index.canonical_by_hash.setdefault(value, article_id)
    return index
