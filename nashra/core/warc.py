"""The raw archive format: one gzipped WARC file per crawl batch and discovery family.

Each fetched page is a WARC `response` record (HTTP status line, headers, body) whose
WARC-Target-URI is the final URL. Our own WARC headers carry what a replay needs besides:
the requested URL, the outlet, the batch, how the page was discovered, and what the listing
(feed item, sitemap entry) said about it. Pages that could not be fetched at all are `metadata`
records with the error, so they reach the quarantine instead of vanishing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from http.client import responses as http_reasons
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from nashra.core.model import RawPage

_H_REQUESTED = "WARC-Nashra-Requested-URI"
_H_OUTLET = "WARC-Nashra-Outlet"
_H_BATCH = "WARC-Nashra-Batch"
_H_DISCOVERY = "WARC-Nashra-Discovery"
_H_LISTING = "WARC-Nashra-Listing"
_H_ERROR = "WARC-Nashra-Fetch-Error"


def _warc_date(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_pages(sink: IO[bytes], pages: Iterable[RawPage]) -> int:
    writer = WARCWriter(sink, gzip=True)
    count = 0
    for page in pages:
        write_page(writer, page)
        count += 1
    return count


def new_writer(sink: IO[bytes]) -> WARCWriter:
    return WARCWriter(sink, gzip=True)


def write_page(writer: WARCWriter, page: RawPage, error: str | None = None) -> None:
    warc_headers = {
        "WARC-Date": _warc_date(page.fetched_at),
        _H_REQUESTED: page.url,
        _H_OUTLET: page.outlet_id,
        _H_BATCH: page.batch_id,
        _H_DISCOVERY: page.discovery,
        _H_LISTING: json.dumps(page.listing, ensure_ascii=True, sort_keys=True),
    }
    if error is not None:
        warc_headers[_H_ERROR] = error.replace("\r", " ").replace("\n", " ")[:500]
        record = writer.create_warc_record(
            page.final_url or page.url,
            "metadata",
            payload=io.BytesIO(error.encode("utf-8")),
            warc_content_type="text/plain",
            warc_headers_dict=warc_headers,
        )
    else:
        status_line = f"{page.status} {http_reasons.get(page.status, 'Unknown')}"
        http_headers = StatusAndHeaders(status_line, list(page.headers.items()), protocol="HTTP/1.1")
        record = writer.create_warc_record(
            page.final_url,
            "response",
            payload=io.BytesIO(page.body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
    writer.write_record(record)


def read_pages(stream: IO[bytes]) -> Iterator[tuple[RawPage, str | None]]:
    """Yield (page, fetch_error) for every record we wrote; fetch_error is None for responses."""
    for record in ArchiveIterator(stream):
        headers = record.rec_headers
        if headers.get_header(_H_OUTLET) is None:
            continue  # warcinfo or foreign records
        fetched_at = datetime.strptime(headers.get_header("WARC-Date"), "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=UTC
        )
        error = headers.get_header(_H_ERROR)
        status = 0
        http_headers: dict[str, str] = {}
        if record.rec_type == "response" and record.http_headers is not None:
            status = int(record.http_headers.get_statuscode() or 0)
            http_headers = {k.lower(): v for k, v in record.http_headers.headers}
        body = record.content_stream().read()
        page = RawPage(
            outlet_id=headers.get_header(_H_OUTLET),
            url=headers.get_header(_H_REQUESTED),
            final_url=headers.get_header("WARC-Target-URI"),
            status=status,
            headers=http_headers,
            body=body if error is None else b"",
            fetched_at=fetched_at,
            batch_id=headers.get_header(_H_BATCH),
            discovery=headers.get_header(_H_DISCOVERY) or "",
            listing=json.loads(headers.get_header(_H_LISTING) or "{}"),
        )
        yield page, error
