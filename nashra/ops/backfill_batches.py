"""Which records a backfill keeps, and the per-outlet raw batches it builds from them.

A record is kept when its target URI belongs to an enabled outlet of the registry (allowed domains,
then article_url_pattern); each outlet's kept pages of one source file form one raw batch,
published through the same sink and ledger paths as a crawl (discovery `cc-news`, fetch time =
WARC-Date), so the process and index stages take it unchanged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from nashra.core.cc_news import DISCOVERY, FAMILY
from nashra.core.lake import Lake
from nashra.core.ledger import batch_day, raw_warc_path
from nashra.core.model import RawPage
from nashra.core.raw_archive import LakeRawSink
from nashra.core.registry import Outlet
from nashra.core.warc import new_writer, read_pages, write_page
from nashra.core.warc_stream import Record, http_payload

# Hop-by-hop and coding headers describe the transfer, not the body the archive stores (Common
# Crawl keeps the payload decoded and renames the originals X-Crawler-*): a reader must not act
# on them again.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length", "connection"})


class OutletMatcher:
    """Target URI -> outlet, by host suffix: one dict lookup per label of the host."""

    def __init__(self, outlets: list[Outlet]) -> None:
        self._by_domain: dict[str, list[Outlet]] = {}
        for outlet in outlets:
            for domain in outlet.allowed_domains:
                self._by_domain.setdefault(domain.lower(), []).append(outlet)

    def match(self, url: str) -> tuple[Outlet | None, str | None]:
        """(the outlet, None) or (None, why not): non_http, other_domain, not_article_url."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            return None, "non_http"
        if parts.scheme.lower() not in ("http", "https") or not host:
            return None, "non_http"
        labels = host.split(".")
        candidates = [o for i in range(len(labels)) for o in self._by_domain.get(".".join(labels[i:]), ())]
        if not candidates:
            return None, "other_domain"
        for outlet in candidates:
            if outlet.is_article_url(url):
                return outlet, None
        return None, "not_article_url"


def classify(record: Record, matcher: OutletMatcher) -> tuple[Outlet | None, str | None]:
    """The outlet a record is kept for, or the reason it is skipped."""
    if record.problem in ("bad_gzip", "truncated", "bad_header"):
        return None, record.problem
    if record.rec_type == "revisit":
        return None, "revisit"
    if record.rec_type != "response":
        return None, "not_response"
    outlet, why = matcher.match(record.target_uri)
    if outlet is None:
        return None, why
    if record.problem is not None:  # too_large, bad_length: an outlet's page, lost to the record
        return None, record.problem
    if fetched_at(record) is None:
        return None, "bad_date"
    return outlet, None


def fetched_at(record: Record) -> datetime | None:
    try:
        when = datetime.fromisoformat(record.date.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass
class OutletBatch:
    """One outlet's raw batch of one source file, as WARC bytes and its `fetched` rows."""

    outlet_id: str
    batch_id: str
    warc: io.BytesIO = field(default_factory=io.BytesIO)
    rows: list[dict[str, Any]] = field(default_factory=list)
    published: int = -1  # bytes at the last publication

    def add(self, page: RawPage) -> None:
        write_page(new_writer(self.warc), page)
        self.rows.append(_fetched_row(page))

    @property
    def dirty(self) -> bool:
        return self.warc.tell() != self.published

    def path(self) -> str:
        return raw_warc_path(self.outlet_id, batch_day(self.batch_id), self.batch_id, FAMILY)

    def publish(self, lake: Lake) -> None:
        data = self.warc.getvalue()
        LakeRawSink(lake.uri, batch_day(self.batch_id)).publish(
            self.outlet_id, self.batch_id, FAMILY, data, self.rows
        )
        self.published = len(data)

    def source_file(self, lake: Lake) -> str | None:
        """The source WARC file the batch's published pages came from (None: nothing published)."""
        try:
            data = lake.read_bytes(self.path())
        except FileNotFoundError:
            return None
        for page, _ in read_pages(io.BytesIO(data)):
            return page.listing.get("warc")
        return None

    @classmethod
    def resumed(cls, lake: Lake, outlet_id: str, batch_id: str, size: int) -> OutletBatch:
        """The batch as the state last recorded it: its published WARC cut back to `size` bytes
        (whole gzip members: sizes are only ever recorded between records)."""
        batch = cls(outlet_id, batch_id)
        try:
            stored = lake.read_bytes(batch.path())
        except FileNotFoundError:
            stored = b""
        data = stored[:size]
        batch.warc.write(data)
        batch.rows = [_fetched_row(page) for page, _ in read_pages(io.BytesIO(data))]
        # Records published after the state was written are not in it: publish the cut file again.
        batch.published = len(data) if len(stored) == len(data) else -1
        return batch


def raw_page(record: Record, outlet: Outlet, batch_id: str, source: str = "") -> RawPage | None:
    """The kept record as our archive stores a fetched page; None when its payload is not HTTP."""
    payload = http_payload(record.block or b"")
    when = fetched_at(record)
    if payload is None or when is None:
        return None
    headers = {k: v for k, v in payload.headers.items() if k not in _TRANSFER_HEADERS}
    return RawPage(
        outlet_id=outlet.id,
        url=record.target_uri,
        final_url=record.target_uri,
        status=payload.status,
        headers=headers,
        body=payload.body,
        fetched_at=when,
        batch_id=batch_id,
        discovery=DISCOVERY,
        # Where the page came from, as a crawl records its feed item: the source file and record.
        listing={"warc": source, "warc_offset": str(record.offset)},
    )


def _fetched_row(page: RawPage) -> dict[str, Any]:
    return {
        "url": page.url,
        "final_url": page.final_url,
        "status": page.status,
        "fetch_error": None,
        "fetched_at": page.fetched_at,
        "batch_id": page.batch_id,
        "discovery": page.discovery,
    }
