"""The archive pipeline hands one family's WARC and fetched-URL rows to the sink it was given, and
the lake sink puts them where the ledger says, readable by the process stage."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from nashra.core.lake import open_lake
from nashra.core.ledger import raw_batches
from nashra.core.model import RawPage
from nashra.core.raw_archive import LakeRawSink
from nashra.core.tables import read_batch
from nashra.core.warc import read_pages
from spiders.pipelines import WarcArchivePipeline

BATCH = "hespress_ar-20260202T120000Z"
WHEN = datetime(2026, 2, 2, 12, 0, 5, tzinfo=UTC)


def _page(path: str, status: int = 200) -> RawPage:
    return RawPage(
        outlet_id="hespress_ar",
        url=f"https://www.hespress.com{path}",
        final_url=f"https://www.hespress.com{path}",
        status=status,
        headers={"content-type": "text/html; charset=utf-8"},
        body="<html><body><p>السغروشني</p></body></html>".encode(),
        fetched_at=WHEN,
        batch_id=BATCH,
        discovery="feed",
    )


class RecordingSink:
    def __init__(self) -> None:
        self.published: list[tuple[str, str, str, bytes, list[dict[str, object]]]] = []

    def publish(self, outlet_id, batch_id, family, warc, fetched) -> None:
        self.published.append((outlet_id, batch_id, family, warc, list(fetched)))


def _spider() -> SimpleNamespace:
    stats = SimpleNamespace(inc_value=lambda *a, **k: None)
    return SimpleNamespace(
        outlet=SimpleNamespace(id="hespress_ar"),
        batch_id=BATCH,
        name="feed",
        crawler=SimpleNamespace(stats=stats),
    )


def _crawl_into(sink) -> None:
    pipeline = WarcArchivePipeline.from_crawler(SimpleNamespace(settings={"NASHRA_RAW_SINK": sink}))
    spider = _spider()
    pipeline.open_spider(spider)
    pipeline.process_item({"page": _page("/a.html")}, spider)
    pipeline.process_item({"page": _page("/gone.html", 0), "fetch_error": "DNSLookupError"}, spider)
    pipeline.close_spider(spider)


def test_the_pipeline_publishes_one_family_through_its_sink() -> None:
    sink = RecordingSink()
    _crawl_into(sink)
    ((outlet_id, batch_id, family, warc, fetched),) = sink.published
    assert (outlet_id, batch_id, family) == ("hespress_ar", BATCH, "feed")
    pages = list(read_pages(io.BytesIO(warc)))
    assert [(p.url, p.status, err) for p, err in pages] == [
        ("https://www.hespress.com/a.html", 200, None),
        ("https://www.hespress.com/gone.html", 0, "DNSLookupError"),
    ]
    assert [(r["url"], r["status"], r["fetch_error"]) for r in fetched] == [
        ("https://www.hespress.com/a.html", 200, None),
        ("https://www.hespress.com/gone.html", 0, "DNSLookupError"),
    ]


def test_an_empty_crawl_publishes_nothing() -> None:
    sink = RecordingSink()
    pipeline = WarcArchivePipeline(sink)
    pipeline.open_spider(_spider())
    pipeline.close_spider(_spider())
    assert sink.published == []


def test_the_lake_sink_writes_where_the_ledger_reads(tmp_path: Path) -> None:
    lake_uri = str(tmp_path / "lake")
    _crawl_into(LakeRawSink(lake_uri, "2026-02-02"))
    lake = open_lake(lake_uri)
    (warc_file,) = raw_batches(lake, "hespress_ar")[BATCH]
    assert warc_file == f"raw/outlet=hespress_ar/date=2026-02-02/{BATCH}.feed.warc.gz"
    fetched = read_batch(lake, "fetched", "hespress_ar", BATCH)
    assert fetched.column("url").to_pylist()[0] == "https://www.hespress.com/a.html"
    assert set(fetched.column("family").to_pylist()) == {"feed"}
