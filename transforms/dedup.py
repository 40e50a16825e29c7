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

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nashra.core.model import Article, StoredArticle
from transforms import neardup, story


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


def stored_article(article: Article) -> StoredArticle:
    """A canonical record of ``article`` with its story keys: computed here once per article, as
    link_batch (canonical rows) and signature_rows (every row) both need them."""
    script, keys = story.story_keys(article.title or "", article.body or "", article.language)
    return StoredArticle(article=article, script=script, story_keys=keys)


def mark_content_duplicates(articles: list[Article], index: LakeIndex) -> list[StoredArticle]:
    canonical = dict(index.canonical_by_hash)
    stored = []
    order = sorted(articles, key=lambda a: (a.published_at is None, a.published_at, a.article_id))
    for article in order:
        record = stored_article(article)
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

    neardup: neardup.NearDupIndex = field(default_factory=neardup.NearDupIndex)
    stories: list[story.StoryDoc] = field(default_factory=list)
    story_of: dict[str, str] = field(default_factory=dict)  # stored article_id -> story_id


def link_batch(records: list[StoredArticle], state: WindowState) -> dict[str, neardup.Signature]:
    """Near-duplicates and story ids for a batch's records (after exact dedup), in place.

    Near-copies become `duplicate` of the earliest canonical with `dedup_method = minhash`; every
    duplicate shares its canonical's story; canonical records are linked across languages. Returns
    the MinHash of every record, for the lake's signature table.
    """
    signatures = neardup.signatures_of(records)
    neardup.mark_near_duplicates(records, signatures, state.neardup)
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


def state_from_rows(rows: list[dict[str, Any]], minhashes: np.ndarray | None = None) -> WindowState:
    """A WindowState from signature rows (see nashra/stages/dedup_state.py), canonical rows indexed.

    `minhashes`, when given, holds row i's MinHash in its row i (the rows then need no `minhash`
    bytes): the near-dup index is built in one vectorised step instead of a loop per article.
    """
    state = WindowState()
    order = sorted(
        range(len(rows)),
        key=lambda i: (rows[i]["published_at"] is None, rows[i]["published_at"], rows[i]["article_id"]),
    )
    canonical = []
    for i in order:
        row = rows[i]
        state.story_of[row["article_id"]] = row["story_id"]
        if row["dedup_status"] != "canonical":
            continue
        canonical.append(i)
        state.stories.append(
            story.StoryDoc(
                row["article_id"],
                row["published_at"],
                row["script"],
                frozenset(row["story_keys"]),
                row["story_id"],
            )
        )
    if canonical:
        signatures = (
            minhashes[canonical]
            if minhashes is not None
            else np.stack([neardup.from_bytes(rows[i]["minhash"]) for i in canonical])
        )
        state.neardup.add_many([rows[i]["article_id"] for i in canonical], signatures)
    return state


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
