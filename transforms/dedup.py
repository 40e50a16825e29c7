"""Exact deduplication by canonical URL and by content hash, against the lake and within a batch.

Pure: the caller passes what the lake already holds (`LakeIndex`). Rules, chosen so that re-runs
give the same answer:
- same canonical URL (same article_id) as a row another batch stored -> a URL duplicate, recorded
  in `url_duplicates` pointing at the stored article; within one batch the first page wins;
- same content hash as a canonical article already stored -> stored, marked `duplicate` of it;
- within a batch, identical bodies: the earliest published (then lowest id) is canonical.
"Stored first wins" across batches keeps already-stored rows immutable.

`mark_content_duplicates` turns each article into a `StoredArticle` (nashra/core/model.py), its
story keys computed there, once; `link_batch` then adds near-duplicates (MinHash,
transforms/neardup.py) and cross-lingual story ids (transforms/story.py) against a `WindowState`:
what the lake holds for the last days; `signature_rows` is what the lake keeps of them for later
batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nashra.core.model import Article, StoredArticle
from transforms import neardup, story
from transforms.story_table import TableStories


@dataclass
class LakeIndex:
    """What other batches already stored: article ids, and the canonical article per content hash."""

    article_ids: set[str] = field(default_factory=set)
    canonical_by_hash: dict[str, str] = field(default_factory=dict)


def split_url_duplicates(
    articles: list[Article], index: LakeIndex
) -> tuple[list[Article], list[dict[str, Any]]]:
    unique: list[Article] = []
    seen: set[str] = set()
    dups: list[dict[str, Any]] = []
    for article in articles:
        if article.article_id in index.article_ids or article.article_id in seen:
            dups.append(
                {
                    "page_id": article.page_id,
                    "outlet_id": article.outlet_id,
                    "url": article.url,
                    "batch_id": article.batch_id,
                    "fetched_at": article.fetched_at,
                    "duplicate_of": article.article_id,
                }
            )
            continue
        seen.add(article.article_id)
        unique.append(article)
    return unique, dups


StoryKeys = tuple[str, frozenset[str]]  # transforms.story.story_keys: (script, keys)


def article_story_keys(article: Article) -> StoryKeys:
    return story.story_keys(article.title or "", article.body or "", article.language)


def stored_article(article: Article, keys: StoryKeys | None = None) -> StoredArticle:
    """A canonical record of ``article`` with its story keys: computed here once per article (or
    given, when a page worker already did), as link_batch (canonical rows) and signature_rows
    (every row) both need them."""
    script, story_keys = keys if keys is not None else article_story_keys(article)
    return StoredArticle(article=article, script=script, story_keys=story_keys)


def mark_content_duplicates(
    articles: list[Article], index: LakeIndex, keys: Mapping[str, StoryKeys] | None = None
) -> list[StoredArticle]:
    """``keys``: story keys already computed, by article_id (the others are computed here)."""
    canonical = dict(index.canonical_by_hash)
    stored = []
    known = keys or {}
    order = sorted(articles, key=lambda a: (a.published_at is None, a.published_at, a.article_id))
    for article in order:
        record = stored_article(article, known.get(article.article_id))
        owner = canonical.get(article.content_hash) if article.content_hash else None
        if owner and owner != article.article_id:
            record.dedup_status, record.duplicate_of = "duplicate", owner
            record.dedup_method, record.similarity = "content_hash", 1.0
        elif article.content_hash:
            canonical[article.content_hash] = article.article_id
        stored.append(record)
    return stored


@dataclass
class WindowState:
    """Near-duplicate and story state of the recent past (a bounded window), rebuilt per batch."""

    neardup: neardup.WindowSignatures = field(default_factory=neardup.WindowSignatures)
    stories: story.StoredStories = field(default_factory=lambda: story.ListStories([]))
    story_of: dict[str, str] = field(default_factory=dict)  # stored article_id -> story_id


def link_batch(
    records: list[StoredArticle],
    state: WindowState,
    known: Mapping[str, neardup.Signature] | None = None,
) -> dict[str, neardup.Signature]:
    """Near-duplicates and story ids for a batch's records (after exact dedup), in place.

    Near-copies become `duplicate` of the earliest canonical with `dedup_method = minhash`; every
    duplicate shares its canonical's story; canonical records are linked across languages. Returns
    the MinHash of every record, for the lake's signature table (``known``: MinHashes already
    computed, by article_id; the others are computed here).
    """
    known = known or {}
    missing = [r for r in records if r.article.article_id not in known]
    computed = neardup.signatures_of(missing)
    signatures = {
        r.article.article_id: known[r.article.article_id]
        if r.article.article_id in known
        else computed[r.article.article_id]
        for r in records
    }
    index = state.neardup.index_for(
        signatures[r.article.article_id] for r in records if r.dedup_status == "canonical"
    )
    neardup.mark_near_duplicates(records, signatures, index, state.neardup)
    docs = [
        story.StoryDoc(r.article.article_id, r.article.published_at, r.script, r.story_keys)
        for r in records
        if r.dedup_status == "canonical"
    ]
    linked = story.link_stories(docs, state.stories)
    story_of = dict(state.story_of)
    story_of.update({ident: sid for ident, (sid, _) in linked.items()})
    for record in records:
        if record.dedup_status == "canonical":
            record.story_id = story_of[record.article.article_id]
        elif record.duplicate_of is not None:
            # A canonical outside the window has an unknown story; its id is the best stand-in.
            record.story_id = story_of.get(record.duplicate_of, record.duplicate_of)
    return signatures


# What a window needs of the lake's signature rows (nashra/stages/dedup_state.py has the table).
WINDOW_COLUMNS = pa.schema(
    [
        pa.field("article_id", pa.string()),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("dedup_status", pa.string()),
        pa.field("script", pa.string()),
        pa.field("story_keys", pa.list_(pa.string())),
        pa.field("story_id", pa.string()),
    ]
)


def state_from_table(table: pa.Table, minhashes: np.ndarray) -> WindowState:
    """A WindowState from signature rows as columns (WINDOW_COLUMNS), row i's MinHash in row i of
    `minhashes`. Nothing per article in Python: the near-dup index is built in one vectorised
    step, stories stay columns (transforms/story_table.py), story ids one dict."""
    if table.num_rows == 0:
        return WindowState()
    table = table.select(WINDOW_COLUMNS.names).cast(WINDOW_COLUMNS)  # Delta may read large types
    state = WindowState()
    ids = table.column("article_id")
    state.story_of = dict(zip(ids.to_pylist(), table.column("story_id").to_pylist(), strict=True))
    # Canonical rows in publication order, then id (the order of exact dedup, and the window's
    # positions): one take of the rows kept, not a sorted copy of the whole window first.
    order = pc.sort_indices(
        table.select(["published_at", "article_id"]),
        sort_keys=[("published_at", "ascending", "at_end"), ("article_id", "ascending", "at_end")],
    )
    is_canonical = pc.equal(table.column("dedup_status"), "canonical").fill_null(False)
    kept = order.filter(pc.take(is_canonical, order))
    canonical = table.take(kept)
    state.stories = TableStories(canonical)
    if canonical.num_rows:
        rows = kept.to_numpy()
        state.neardup = neardup.WindowSignatures(canonical.column("article_id").to_pylist(), minhashes[rows])
    return state


def state_from_rows(rows: list[dict[str, Any]]) -> WindowState:
    """state_from_table for signature rows as dicts (signature_rows' output: the evaluation and tests)."""
    if not rows:
        return WindowState()
    table = pa.Table.from_pylist(rows, schema=WINDOW_COLUMNS)
    return state_from_table(table, np.stack([neardup.from_bytes(row["minhash"]) for row in rows]))


def signature_rows(
    records: list[StoredArticle], signatures: dict[str, neardup.Signature]
) -> list[dict[str, Any]]:
    """What the lake keeps per article for later batches: MinHash, story keys and story id."""
    return [
        {
            "article_id": r.article.article_id,
            "outlet_id": r.article.outlet_id,
            "published_at": r.article.published_at,
            "batch_id": r.article.batch_id,
            "dedup_status": r.dedup_status,
            "minhash": neardup.to_bytes(signatures[r.article.article_id]),
            "script": r.script,
            "story_keys": sorted(r.story_keys),
            "story_id": r.story_id,
        }
        for r in records
    ]
