"""The raw archive format: what the crawler writes is exactly what processing reads back."""

from __future__ import annotations

import gzip
import io
import zlib
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from nashra.core.model import RawPage
from nashra.core.warc import new_writer, read_pages, write_page, write_pages

FETCHED = datetime(2026, 2, 2, 12, 0, 5, 123456, tzinfo=UTC)
BATCH = "hespress_ar-20260202T120000Z"


def page(**overrides: object) -> RawPage:
    fields: dict[str, object] = {
        "outlet_id": "hespress_ar",
        "url": "http://hespress.test/مقالات/المغرب-وقطر-1500001.html?ref=فيد",
        "final_url": "http://hespress.test/مقالات/المغرب-وقطر-1500001.html",
        "status": 200,
        "headers": {
            "content-type": "text/html; charset=utf-8",
            "last-modified": "Sun, 01 Feb 2026 17:40:00 GMT",
        },
        "body": "<html><body><h1>المغرب وقطر</h1><p>نص المقال</p></body></html>".encode(),
        "fetched_at": FETCHED,
        "batch_id": BATCH,
        "discovery": "feed",
        "listing": {"title": "المغرب وقطر يعززان شراكتهما", "published": "Sun, 01 Feb 2026 17:40:00 GMT"},
    }
    fields.update(overrides)
    return RawPage(**fields)  # type: ignore[arg-type]


def at(url: str) -> RawPage:
    return page(url=url, final_url=url)


def roundtrip(*items: tuple[RawPage, str | None]) -> tuple[bytes, list[tuple[RawPage, str | None]]]:
    sink = io.BytesIO()
    writer = new_writer(sink)
    for raw, error in items:
        write_page(writer, raw, error)
    data = sink.getvalue()
    return data, list(read_pages(io.BytesIO(data)))


def gzip_members(data: bytes) -> list[bytes]:
    members = []
    while data:
        unzip = zlib.decompressobj(wbits=31)
        members.append(unzip.decompress(data))
        assert unzip.eof
        data = unzip.unused_data
    return members


def test_response_record_round_trip_is_exact() -> None:
    original = page()
    _, [(back, error)] = roundtrip((original, None))
    assert error is None
    assert back == original  # every field: URLs (unicode path), status, headers, body, time, listing
    assert back.page_id == original.page_id


def test_error_statuses_and_binary_bodies_are_kept() -> None:
    gone = "http://hespress.test/politique/deleted-article-1500003.html"
    missing = page(url=gone, final_url=gone, status=404, body=b"<h1>404</h1>", listing={})
    pdf = page(
        url="http://gulftimes.test/pdf/supplement.pdf",
        final_url="http://gulftimes.test/pdf/supplement.pdf",
        headers={"content-type": "application/pdf"},
        body=bytes(range(256)) * 4,
        discovery="feed",
    )
    throttled = page(status=429, headers={"retry-after": "120"}, body=b"")
    _, back = roundtrip((missing, None), (pdf, None), (throttled, None))
    assert [b for b, _ in back] == [missing, pdf, throttled]
    assert [b.status for b, _ in back] == [404, 200, 429]


def test_redirected_page_keeps_requested_and_final_url() -> None:
    moved = page(
        url="http://aljazeera.test/news/2026/2/1/qatar-met-warning-winds",
        final_url="http://aljazeera.test/news/2026/2/1/qatar-met-warns-strong-winds-high-waves",
        discovery="sitemap",
    )
    data, [(back, _)] = roundtrip((moved, None))
    assert (back.url, back.final_url) == (moved.url, moved.final_url)
    # The WARC's own target is the final URL (what a replay tool looks up).
    record = next(iter(ArchiveIterator(io.BytesIO(data))))
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Target-URI") == moved.final_url


def test_fetch_error_is_a_metadata_record_with_the_error() -> None:
    failed = page(status=0, headers={}, body=b"", final_url="http://hespress.test/x.html")
    error = "TimeoutError: Getting http://hespress.test/x.html took longer than 20.0 seconds.\r\nsecond line"
    data, [(back, back_error)] = roundtrip((failed, error))
    assert back_error == error.replace("\r", " ").replace("\n", " ")
    assert back.status == 0 and back.body == b"" and back.headers == {}
    assert (back.url, back.final_url, back.listing, back.batch_id) == (
        failed.url,
        failed.final_url,
        failed.listing,
        failed.batch_id,
    )
    record = next(iter(ArchiveIterator(io.BytesIO(data))))
    assert record.rec_type == "metadata"
    assert record.content_stream().read() == error.encode()  # the full text, not the header's cut


def test_long_error_is_cut_in_the_header_only() -> None:
    error = "ConnectionRefusedError: " + "x" * 2000
    _, [(_, back_error)] = roundtrip((page(status=0, headers={}, body=b""), error))
    assert back_error == error[:500]


def test_every_record_is_its_own_gzip_member() -> None:
    pages = [at(f"http://hespress.test/a-{n}.html") for n in range(3)]
    data, back = roundtrip(*[(p, None) for p in pages[:2]], (pages[2], "DNSLookupError: no"))
    members = gzip_members(data)
    assert len(members) == 3
    assert all(m.startswith(b"WARC/1.") for m in members)
    assert b"WARC-Type: response" in members[0] and b"WARC-Type: metadata" in members[2]
    # Any member on its own is a readable WARC: a reader can seek to a record's offset.
    alone = list(read_pages(io.BytesIO(gzip.compress(members[1]))))
    assert [p.url for p, _ in alone] == [pages[1].url]
    assert [p.url for p, _ in back] == [p.url for p in pages]


def test_write_pages_counts_and_round_trips() -> None:
    pages = [at(f"http://hespress.test/b-{n}.html") for n in range(4)]
    sink = io.BytesIO()
    assert write_pages(sink, pages) == 4
    sink.seek(0)
    assert [p for p, _ in read_pages(sink)] == pages


def test_foreign_records_are_skipped() -> None:
    sink = io.BytesIO()
    writer = WARCWriter(sink, gzip=True)
    writer.write_record(writer.create_warcinfo_record("other.warc.gz", {"software": "someone-else/1.0"}))
    foreign = writer.create_warc_record(
        "http://elsewhere.test/",
        "response",
        payload=io.BytesIO(b"<p>not ours</p>"),
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
    )
    writer.write_record(foreign)
    ours = page()
    write_page(writer, ours)
    sink.seek(0)
    assert list(read_pages(sink)) == [(ours, None)]


def test_empty_archive_reads_as_nothing() -> None:
    assert list(read_pages(io.BytesIO(b""))) == []
