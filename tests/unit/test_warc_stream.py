"""Reading a foreign WARC file member by member: offsets, bad members, bounded memory."""

from __future__ import annotations

import io
import itertools
import tracemalloc
from datetime import UTC, datetime

from devkit import cc_news
from nashra.core.warc_stream import MemberReader, http_payload

WHEN = datetime(2026, 2, 2, 10, 5, tzinfo=UTC)


def _records(data: bytes, offset: int = 0, cap: int = 1 << 20) -> list:
    return list(MemberReader(io.BytesIO(data[offset:]), offset, max_record_bytes=cap))


def test_records_chain_member_by_member_and_a_resume_at_any_boundary_reads_the_same_tail() -> None:
    data, expected = cc_news.build_file(oversize_body=10)
    records = _records(data)
    assert len(records) == expected.read
    assert records[0].offset == 0 and records[-1].end == len(data)
    assert all(a.end == b.offset for a, b in itertools.pairwise(records))
    middle = records[len(records) // 2]
    tail = _records(data, middle.offset)
    assert [(r.offset, r.end, r.problem, r.target_uri) for r in tail] == [
        (r.offset, r.end, r.problem, r.target_uri) for r in records[len(records) // 2 :]
    ]


def test_junk_between_members_is_one_bad_record_and_reading_goes_on() -> None:
    page = cc_news.response("http://hespress.test/a-1.html", WHEN, b"<html>a</html>", "text/html")
    data = cc_news.warcinfo() + b"garbage that is no gzip member" + page
    records = _records(data)
    assert [r.problem for r in records] == [None, "bad_gzip", None]
    assert records[2].target_uri == "http://hespress.test/a-1.html"
    payload = http_payload(records[2].block or b"")
    assert payload is not None and payload.status == 200 and payload.body == b"<html>a</html>"


def test_a_gzip_bomb_is_too_large_and_never_held_in_memory() -> None:
    bomb = cc_news.response("http://hespress.test/bomb-2.html", WHEN, b"\0" * (64 << 20), "text/html")
    assert len(bomb) < 1 << 20  # 64 MB inflated, well under 1 MB on the wire
    tracemalloc.start()
    try:
        (record,) = _records(bomb, cap=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert record.problem == "too_large" and record.target_uri == "http://hespress.test/bomb-2.html"
    assert peak < 16 << 20, peak
