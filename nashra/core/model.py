"""The plain records that flow between stages.

Transforms are pure functions over these: ``RawPage -> Article | Rejection``. Nothing here does I/O.
Field names match ``schemas/fields.yaml`` so a record converts to a Parquet row or an ES document
without a mapping table in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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


def _row(record: Article | Rejection) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value recursively, twice per article per batch; the
    # fields here are flat, so copying the lists is enough for a row the caller may change.
    return {k: list(v) if isinstance(v, list) else v for k, v in vars(record).items()}
