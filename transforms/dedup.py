"""Exact deduplication by canonical URL and by content hash, against the lake and within a batch.

Pure: the caller passes what the lake already holds (`LakeIndex`). Rules, chosen so that re-runs
give the same answer:
- same canonical URL (same article_id) as a row another batch stored -> a URL duplicate, recorded
  in `url_duplicates` pointing at the stored article; within one batch the first page wins;
- same content hash as a canonical article already stored -> stored, marked `duplicate` of it;
- within a batch, identical bodies: the earliest published (then lowest id) is canonical.
"Stored first wins" across batches keeps already-stored rows immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transforms.model import Article


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


def mark_content_duplicates(articles: list[Article], index: LakeIndex) -> list[dict[str, Any]]:
    canonical = dict(index.canonical_by_hash)
    rows = []
    order = sorted(articles, key=lambda a: (a.published_at is None, a.published_at, a.article_id))
    for article in order:
        row = article.to_row()
        owner = canonical.get(article.content_hash) if article.content_hash else None
        if owner and owner != article.article_id:
            row.update(dedup_status="duplicate", duplicate_of=owner)
        else:
            row.update(dedup_status="canonical", duplicate_of=None)
            if article.content_hash:
                canonical[article.content_hash] = article.article_id
        rows.append(row)
    return rows
