"""The plain records that flow between stages.

Transforms are pure functions over these: ``RawPage -> Article | Rejection``, then ``Article ->
StoredArticle`` (dedup and story linking). Nothing here does I/O.
Field names match ``schemas/fields.yaml`` so a record converts to a Parquet row or an ES document
without a mapping table in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

# The most bytes one page may have as fetched, inline `data:` images included: the crawl's
# DOWNLOAD_MAXSIZE, the backfill's record limit and extraction's hard ceiling (a page over it is
# too_large before anything scans it, so memory stays bounded whatever a page inlines). Text is
# capped lower, without inline data (transforms.article.MAX_BODY_BYTES).
MAX_PAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RawPage:
    """One fetched response, as archived. ``headers`` keys are lower-case."""

    outlet_id: str
    url: str  # the URL that was requested (from a feed, sitemap or API)
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime  # timezone-aware UTC
    batch_id: str
    discovery: str = ""  # feed | sitemap | wordpress_rest ...
    # What the discovery document said about the item (title, published date, language ...):
    # a fallback for metadata that the page itself lacks.
    listing: dict[str, str] = field(default_factory=dict)

    @property
    def page_id(self) -> str:
        from nashra.core.ids import page_id

        return page_id(self.batch_id, self.url)


@dataclass(frozen=True)
class Article:
    """An extracted article. ``None`` means "not found", never a guess."""

    article_id: str
    canonical_url: str
    url: str
    outlet_id: str
    country: str
    language: str | None
    title: str | None
    body: str | None
    authors: list[str]
    section: str | None
    tags: list[str]
    image_url: str | None
    published_at: datetime | None
    modified_at: datetime | None
    fetched_at: datetime
    content_hash: str | None
    word_count: int
    batch_id: str
    page_id: str
    discovery: str
    dialect: str | None = None  # "ary" (Moroccan Darija) or None: transforms.dialect

    def to_row(self) -> dict[str, Any]:
        return _row(self)


@dataclass(frozen=True)
class Rejection:
    """A page that could not become an article, with a named reason (quarantine, never dropped)."""

    page_id: str
    outlet_id: str
    url: str
    batch_id: str
    fetched_at: datetime
    reasons: list[str]  # stable machine names, e.g. "http_status", "no_main_text", "expect_..."
    detail: str  # one human sentence
    stage: str  # extract | validate
    title: str | None = None
    language: str | None = None
    published_at: datetime | None = None

    def to_row(self) -> dict[str, Any]:
        return _row(self)


DedupStatus = Literal["canonical", "duplicate"]
DedupMethod = Literal["content_hash", "minhash"]


@dataclass(kw_only=True)
class StoredArticle:
    """An article as the articles table stores it: the extracted `Article` and what dedup and story
    linking decided about it (transforms/dedup.py). Not frozen: exact dedup makes the record, then
    near-dup and story linking fill in their fields."""

    article: Article
    dedup_status: DedupStatus = "canonical"
    duplicate_of: str | None = None  # the canonical article_id, for a duplicate
    dedup_method: DedupMethod | None = None  # how the duplicate was found; None when canonical
    similarity: float | None = None  # 1.0 for content_hash, estimated Jaccard for minhash
    story_id: str | None = None  # set by story linking
    # transforms.story.story_keys of the article, computed once when the record is made: linking
    # reads them and the lake's signature table stores them. Plain data (core imports no transforms).
    script: str
    story_keys: frozenset[str]

    def to_row(self) -> dict[str, Any]:
        """The articles table's row: the article's fields, then the dedup and story fields."""
        return {
            **self.article.to_row(),
            "dedup_status": self.dedup_status,
            "duplicate_of": self.duplicate_of,
            "dedup_method": self.dedup_method,
            "similarity": self.similarity,
            "story_id": self.story_id,
        }


def _row(record: Article | Rejection) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value recursively, twice per article per batch; the
    # fields here are flat, so copying the lists is enough for a row the caller may change.
    return {k: list(v) if isinstance(v, list) else v for k, v in vars(record).items()}
