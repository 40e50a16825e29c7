"""Item pipeline: archive every fetched page to the raw WARC archive, through the sink it is given.

Records go to a local temporary WARC while the crawl runs and are published to the lake in one
atomic write when the spider closes, together with the batch's raw_index (the URLs fetched, which
the next crawl skips). A crash mid-crawl therefore publishes nothing, and the Airflow retry of the
same batch id starts clean and overwrites.
"""

from __future__ import annotations

import tempfile
from typing import Any

from nashra.core.model import RawPage
from nashra.core.raw_archive import RawSink
from nashra.core.warc import new_writer, write_page


class WarcArchivePipeline:
    def __init__(self, sink: RawSink):
        self.sink = sink
        self.rows: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcArchivePipeline:
        # The launcher decides where raw batches go (nashra.core.raw_archive.LakeRawSink for a
        # crawl); the pipeline only archives.
        return cls(crawler.settings["NASHRA_RAW_SINK"])

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
        self.tmp.seek(0)
        warc = self.tmp.read()
        self.tmp.close()
        self.sink.publish(spider.outlet.id, spider.batch_id, spider.name, warc, self.rows)
