"""Reading a foreign WARC file (Common Crawl's) as a stream of records, one gzip member at a time.

A WARC.gz file holds one gzip member per record (the WARC standard's recommendation, and what
Common Crawl writes). Splitting the members ourselves, with zlib, gives what a backfill needs and
a record iterator does not: each record's exact byte offset in the file (a dropped connection
resumes at the end of the last whole record with a range read) and isolation between records (a
truncated member, a Content-Length that lies or a gzip bomb is one bad record, and the reader
carries on at the next member). Header parsing is warcio's.

Memory is bounded: the compressed file is read in chunks, and a record's content is kept only up
to `max_record_bytes` (the rest is inflated and dropped, to find where the member ends).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser, StatusAndHeadersParserException

GZIP_MAGIC = b"\x1f\x8b\x08"
CHUNK = 1 << 20  # bytes read from the source at a time
# Compressed bytes given to zlib at a time: about one record's member, because zlib copies what
# it did not use (the next members) into unused_data; feeding the whole read buffer would copy it
# once per record.
_FEED = 32 << 10
_INFLATE_STEP = 1 << 20
# Compressed bytes of one member kept to look for the next member in when it turns out broken.
RESYNC_WINDOW = 16 << 20  # most bytes zlib may hand back per call: a gzip bomb inflates in steps
# After the content block a record ends with two CRLFs; a few more bytes of slack are tolerated.
_TRAILER_SLACK = 8
_WARC_PARSER = StatusAndHeadersParser(["WARC/1.0", "WARC/1.1"])
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0"], verify=False)


@dataclass
class Record:
    """One WARC record and where its gzip member lies in the file.

    `problem` names why the record cannot be used (truncated, bad_gzip, bad_header, bad_length,
    too_large); `block` is the record's content block (None when there is a problem)."""

    offset: int
    end: int
    rec_type: str = ""
    target_uri: str = ""
    date: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # WARC headers, names lower-case
    block: bytes | None = None
    problem: str | None = None


@dataclass(frozen=True)
class HttpPayload:
    status: int
    headers: dict[str, str]  # names lower-case
    body: bytes


class MemberReader:
    """Yields the records of a stream whose first byte is at `offset` in its file."""

    def __init__(self, stream: IO[bytes], offset: int = 0, *, max_record_bytes: int) -> None:
        self._stream = stream
        self._buf = bytearray()
        self._pos = offset  # file offset of self._buf[0]
        self._eof = False
        self.max_record_bytes = max_record_bytes
        self.bytes_read = 0  # compressed bytes taken from the stream

    def __iter__(self) -> Iterator[Record]:
        while self._fill(1):
            if not self._buf.startswith(GZIP_MAGIC[: len(self._buf)]) or not self._fill(3):
                yield self._skip_to_next_member("bad_gzip")
                continue
            yield self._member()

    # -- the stream ------------------------------------------------------------------------
    def _fill(self, wanted: int) -> bool:
        """At least `wanted` bytes buffered; False at the end of the stream with fewer."""
        while len(self._buf) < wanted and not self._eof:
            chunk = self._stream.read(CHUNK)  # a dropped connection raises here, for the caller
            if not chunk:
                self._eof = True
                break
            self.bytes_read += len(chunk)
            self._buf += chunk
        return len(self._buf) >= wanted

    def _drop(self, count: int) -> None:
        del self._buf[:count]
        self._pos += count

    def _skip_to_next_member(
        self, problem: str, start: int | None = None, at_end: str | None = None
    ) -> Record:
        """Bytes that are no gzip member (or a broken one): skip to the next gzip header. The
        record is `problem`, or `at_end` when the stream ends first."""
        offset = self._pos if start is None else start
        while True:
            found = self._buf.find(GZIP_MAGIC, 1)
            if found > 0:
                self._drop(found)
                return Record(offset, self._pos, problem=problem)
            keep = min(len(self._buf), len(GZIP_MAGIC) - 1)  # a header split over two chunks
            self._drop(len(self._buf) - keep)
            if not self._fill(keep + 1):
                self._drop(len(self._buf))
                return Record(offset, self._pos, problem=at_end or problem)

    # -- one member ------------------------------------------------------------------------
    def _member(self) -> Record:
        start = self._pos
        inflater = zlib.decompressobj(wbits=31)  # 31: gzip framing, one member
        content = bytearray()
        size = 0
        fed = 0  # bytes of self._buf given to zlib
        while not inflater.eof:
            if fed >= len(self._buf) and not self._fill(fed + 1):
                # Cut short. Inflating may have run on into the members after it without an
                # error (deflate data has no markers): look for them from this member's start.
                return self._skip_to_next_member("bad_gzip", start, at_end="truncated")
            piece = bytes(self._buf[fed : fed + _FEED])
            fed += len(piece)
            try:
                while piece and not inflater.eof:
                    out = inflater.decompress(piece, _INFLATE_STEP)
                    piece = inflater.unconsumed_tail
                    size += len(out)
                    if len(content) <= self.max_record_bytes:
                        content += out
            except zlib.error:
                return self._skip_to_next_member("bad_gzip", start)
            if fed > RESYNC_WINDOW and not inflater.eof:
                # A member this large is not kept for a search after a failure: memory stays
                # bounded, and a failure then resumes from where inflating got to.
                self._drop(fed)
                fed = 0
        used = fed - len(inflater.unused_data)
        self._drop(used)
        record = _parse(bytes(content[: self.max_record_bytes]), start, self._pos)
        if size > self.max_record_bytes:  # its headers were read; its block was cut at the cap
            record.problem, record.block = "too_large", None
        return record


def _parse(data: bytes, offset: int, end: int) -> Record:
    record = Record(offset, end)
    stream = io.BytesIO(data)
    try:
        warc = _WARC_PARSER.parse(stream)
    except (StatusAndHeadersParserException, ValueError, EOFError):
        record.problem = "bad_header"
        return record
    record.headers = {name.lower(): value for name, value in warc.headers}
    record.rec_type = record.headers.get("warc-type", "")
    record.target_uri = record.headers.get("warc-target-uri", "").strip("<>")
    record.date = record.headers.get("warc-date", "")
    try:
        declared = int(record.headers["content-length"])
    except (KeyError, ValueError):
        record.problem = "bad_header"
        return record
    block = data[stream.tell() :]
    # The block is followed by CRLF CRLF: a Content-Length that says more, or much less, lies.
    if declared < 0 or declared > len(block) or len(block) - declared > 4 + _TRAILER_SLACK:
        record.problem = "bad_length"
        return record
    record.block = block[:declared]
    return record


def http_payload(block: bytes) -> HttpPayload | None:
    """The HTTP response inside a response record's block; None when the block is not one."""
    if not block.startswith(b"HTTP/"):
        return None
    stream = io.BytesIO(block)
    try:
        parsed: StatusAndHeaders = _HTTP_PARSER.parse(stream)
        status = int(parsed.get_statuscode() or 0)
    except (StatusAndHeadersParserException, ValueError, EOFError):
        return None
    if not 100 <= status <= 599:
        return None
    headers = {name.lower(): value for name, value in parsed.headers}
    return HttpPayload(status, headers, block[stream.tell() :])
