"""Item pipeline: archive every fetched page to the lake's raw WARC archive.

Records go to a local temporary WARC while the crawl runs and are published to the lake in one
atomic write when the spider closes, together with the batch's raw_index (the URLs fetched, which
the next crawl skips). A crash mid-crawl therefore publishes nothing, and the Airflow retry of the
same batch id starts clean and overwrites.
"""

from __future__ import annotations

import tempfile
from typing import Any

import pyarrow as pa

from nashra.core.lake import open_lake
from nashra.core.ledger import raw_index_path, raw_warc_path
from nashra.core.model import RawPage
from nashra.core.warc import new_writer, write_page

RAW_INDEX_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("fetch_error", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("batch_id", pa.string()),
        ("discovery", pa.string()),
    ]
)


class WarcArchivePipeline:
    def __init__(self, lake_uri: str, batch_day: str):
        self.lake_uri = lake_uri
        self.batch_day = batch_day
        self.rows: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcArchivePipeline:
        return cls(crawler.settings.get("NASHRA_LAKE_URI"), crawler.settings.get("NASHRA_BATCH_DAY"))

    def open_spider(self, spider: Any) -> None:
        self.tmp = tempfile.TemporaryFile()  # noqa: SIM115 - lives from open_spider to close_spider
        self.writer = new_writer(self.tmp)

    def process_item(self, item: dict[str, Any], spider: Any) -> dict[str, Any]:
        page: RawPage = item["page"]
        error: str | None = item.get("fetch_error")
        write_page(self.writer, page, error)
        self.rows.append(
            {
                "url": page.url,
                "final_url": page.final_url,
                "status": page.status,
                "fetch_error": error,
                "fetched_at": page.fetched_at,
                "batch_id": page.batch_id,
                "discovery": page.discovery,
            }
        )
        spider.crawler.stats.inc_value("nashra/archived")
        return item

    def close_spider(self, spider: Any) -> None:
        if not self.rows:
            self.tmp.close()
            return
        lake = open_lake(self.lake_uri)
        self.tmp.seek(0)
        outlet_id, batch_id, family = spider.outlet.id, spider.batch_id, spider.name
        lake.write_bytes(raw_warc_path(outlet_id, self.batch_day, batch_id, family), self.tmp.read())
        self.tmp.close()
        table = pa.Table.from_pylist(self.rows, schema=RAW_INDEX_SCHEMA)
        lake.write_parquet(raw_index_path(outlet_id, self.batch_day, batch_id, family), table)
