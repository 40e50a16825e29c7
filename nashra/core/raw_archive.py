"""The raw archive as the crawl writes it: one WARC file per batch and discovery family, and its
fetched URLs as one commit of the `fetched` table, published together when the family's crawl ends.

The spiders' item pipeline receives a `RawSink` (Scrapy's `from_crawler`) and never learns where
the lake is or how its paths are built; any producer of raw batches (a backfill from another
archive, a test) can publish through the same sink.
"""

from __future__ import annotations

from typing import Protocol

import pyarrow as pa

from nashra.core.lake import open_lake
from nashra.core.ledger import raw_warc_path
from nashra.core.tables import commit_batch

# The fetched-URL index next to each WARC file: what the next crawl of the outlet may skip.
RAW_INDEX_SCHEMA = pa.schema(
    [
        ("outlet_id", pa.string()),
        ("family", pa.string()),  # the discovery family whose WARC file holds the fetch
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("fetch_error", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("batch_id", pa.string()),
        ("discovery", pa.string()),
    ]
)


class RawSink(Protocol):
    def publish(
        self, outlet_id: str, batch_id: str, family: str, warc: bytes, fetched: list[dict[str, object]]
    ) -> None:
        """Store one family's WARC bytes and its fetched-URL rows (RAW_INDEX_SCHEMA) for a batch."""


class LakeRawSink:
    """Writes a batch's raw files into the lake, under the crawl's day (the batch's fetch day)."""

    def __init__(self, lake_uri: str, batch_day: str):
        self.lake_uri = lake_uri
        self.batch_day = batch_day

    def publish(
        self, outlet_id: str, batch_id: str, family: str, warc: bytes, fetched: list[dict[str, object]]
    ) -> None:
        lake = open_lake(self.lake_uri)
        # The WARC first: the index row says "archived", so it must never point at a missing file.
        lake.write_bytes(raw_warc_path(outlet_id, self.batch_day, batch_id, family), warc)
        rows = [{**row, "outlet_id": outlet_id, "family": family} for row in fetched]
        table = pa.Table.from_pylist(rows, schema=RAW_INDEX_SCHEMA)
        # A retried crawl of the batch replaces what its earlier attempt recorded for this family.
        scope = {"family": family}
        commit_batch(
            lake, "fetched", table, outlet_id=outlet_id, batch_id=batch_id, replace=True, scope=scope
        )
