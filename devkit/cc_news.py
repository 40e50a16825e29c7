"""CC-NEWS-shaped WARC files for tests and benchmarks, built offline from the fixture web's pages.

A file has what Common Crawl's news archive has: a warcinfo record, then per fetched page a request,
a response and a metadata record, revisit records, one gzip member per record. Pages of the fixture
outlets (Arabic in UTF-8 and in windows-1256, French, English) are mixed with pages of other sites
and with broken records, each listed in `Expected` with the outcome a backfill must report.
"""

from __future__ import annotations

import gzip
import io
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from devkit.fixture_web import truth
from devkit.fixture_web.site import build_site

FILE_TIME = datetime(2026, 2, 2, 10, 0, 0, tzinfo=UTC)
FILE_NAME = f"CC-NEWS-{FILE_TIME:%Y%m%d%H%M%S}-00001.warc.gz"
MONTH_DIR = f"crawl-data/CC-NEWS/{FILE_TIME:%Y}/{FILE_TIME:%m}"
# An outlet URL that fails the article_url_pattern the tests give hespress_ar (ARTICLE_PATTERNS).
ARTICLE_PATTERNS = {"hespress_ar": r"-\d+\.html$"}
NOT_ARTICLE = "http://hespress.test/tag/maroc/"


@dataclass
class Expected:
    kept: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)  # outlet -> (url, WARC-Date)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def read(self) -> int:
        return sum(len(v) for v in self.kept.values()) + sum(self.skipped.values())


def warc_date(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _member(writer_fn: Callable[[WARCWriter], object]) -> bytes:
    out = io.BytesIO()
    writer_fn(WARCWriter(out, gzip=True, warc_version="WARC/1.0"))
    return out.getvalue()


def warcinfo() -> bytes:
    info = {"software": "StormCrawler 2.x (fixture)", "operator": "nashra tests", "isPartOf": "CC-NEWS"}
    return _member(lambda w: w.write_record(w.create_warcinfo_record(FILE_NAME, info)))


def response(url: str, when: datetime, body: bytes, content_type: str, status: str = "200 OK") -> bytes:
    http = StatusAndHeaders(
        status, [("Content-Type", content_type), ("Server", "fixture")], protocol="HTTP/1.1"
    )
    headers = {"WARC-Date": warc_date(when)}
    return _member(
        lambda w: w.write_record(
            w.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=headers
            )
        )
    )


def request(url: str, when: datetime) -> bytes:
    parts = urlsplit(url)
    http = StatusAndHeaders(
        f"GET {parts.path or '/'} HTTP/1.1",
        [("Host", parts.netloc), ("User-Agent", "CCBot/2.0")],
        is_http_request=True,
    )
    headers = {"WARC-Date": warc_date(when)}
    return _member(
        lambda w: w.write_record(
            w.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=http, warc_headers_dict=headers
            )
        )
    )


def metadata(url: str, when: datetime) -> bytes:
    text = b"fetchTimeMs: 212\r\ncharset-detected: UTF-8\r\n"
    headers = {"WARC-Date": warc_date(when)}
    return _member(
        lambda w: w.write_record(
            w.create_warc_record(
                url,
                "metadata",
                payload=io.BytesIO(text),
                warc_content_type="application/warc-fields",
                warc_headers_dict=headers,
            )
        )
    )


def revisit(url: str, when: datetime) -> bytes:
    headers = {
        "WARC-Date": warc_date(when),
        "WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
        "WARC-Refers-To-Target-URI": url,
    }
    return _member(
        lambda w: w.write_record(
            w.create_warc_record(url, "revisit", payload=io.BytesIO(b""), warc_headers_dict=headers, length=0)
        )
    )


def raw_record(
    rec_type: str, url: str, when: datetime, block: bytes, content_length: int | None = None
) -> bytes:
    """A record written by hand, so its Content-Length may lie."""
    head = (
        f"WARC/1.0\r\nWARC-Type: {rec_type}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        f"WARC-Date: {warc_date(when)}\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block) if content_length is None else content_length}\r\n\r\n"
    )
    return gzip.compress(head.encode() + block + b"\r\n\r\n")


def fixture_page(url: str) -> tuple[bytes, str]:
    parts = urlsplit(url)
    served = _SITE.resolve(parts.hostname or "", parts.path or "/", parts.query)
    return served.body, served.content_type


_SITE = build_site()


def as_windows_1256(body: bytes) -> bytes:
    """The page as an Arabic site of the 2000s serves it: windows-1256, declared in <meta>."""
    html = body.decode("utf-8").replace('<meta charset="utf-8">', '<meta charset="windows-1256">', 1)
    return html.encode("cp1256")


def build_file(*, oversize_body: int = 300_000) -> tuple[bytes, Expected]:
    """One CC-NEWS-shaped file and what a backfill must find in it (bad records included;
    `oversize_body`: the body size of the record meant to exceed the test's record cap)."""
    expected = Expected()
    members = [warcinfo()]
    expected.skipped["not_response"] += 1
    when = FILE_TIME + timedelta(minutes=1)

    def page(outlet_id: str | None, url: str, body: bytes, content_type: str) -> None:
        nonlocal when
        when += timedelta(minutes=3)
        members.extend([request(url, when), response(url, when, body, content_type), metadata(url, when)])
        expected.skipped["not_response"] += 2
        if outlet_id is None:
            expected.skipped["other_domain"] += 1
        else:
            expected.kept.setdefault(outlet_id, []).append((url, when))

    for outlet_id in ("hespress_ar", "le360_fr", "qna_en", "gulftimes_en"):
        for article in truth.articles_of(outlet_id):
            page(outlet_id, article.url, *fixture_page(article.url))
        page(
            None,
            f"http://news.example.org/{outlet_id}/story.html",
            b"<html><body>elsewhere</body></html>",
            "text/html",
        )
    (aljazeera,) = truth.articles_of("aljazeera_ar")
    body, _ = fixture_page(aljazeera.url)
    page("aljazeera_ar", aljazeera.url, as_windows_1256(body), "text/html; charset=windows-1256")

    later = when + timedelta(minutes=5)
    first_hespress = truth.articles_of("hespress_ar")[0].url
    members.append(revisit(first_hespress, later))
    expected.skipped["revisit"] += 1
    members.append(response(NOT_ARTICLE, later, b"<html><body>tag page</body></html>", "text/html"))
    expected.skipped["not_article_url"] += 1
    members.append(response("dns:hespress.test", later, b"hespress.test. 300 IN A 127.0.0.1", "text/dns"))
    expected.skipped["non_http"] += 1
    # A response whose block is no HTTP message (a crawler that archived the bare body).
    members.append(
        raw_record("response", "http://le360.test/brut/page-sans-entete/", later, b"<html>bare</html>")
    )
    expected.skipped["non_http"] += 1
    # A Content-Length that says 500 bytes more than the block has.
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>short</html>"
    members.append(
        raw_record("response", "http://qna.test/en/news/lying-length", later, block, len(block) + 500)
    )
    expected.skipped["bad_length"] += 1
    # A page larger than the record cap.
    huge = b"<html><body>" + b"<p>" + b"x" * oversize_body + b"</p></body></html>"
    members.append(response("http://gulftimes.test/article/1/huge", later, huge, "text/html"))
    expected.skipped["too_large"] += 1
    # A member cut in half, followed by a good record: the reader finds the next member.
    cut = response("http://le360.test/coupe/", later, b"<html>" + b"coupe " * 2000 + b"</html>", "text/html")
    members.append(cut[: len(cut) // 2])
    expected.skipped["bad_gzip"] += 1
    members.append(metadata("http://le360.test/coupe/", later))
    expected.skipped["not_response"] += 1
    # The last member cut short: the file ends inside it.
    members.append(cut[: len(cut) // 3])
    expected.skipped["truncated"] += 1
    return b"".join(members), expected


def write_archive(root: Path, *, oversize_body: int = 300_000) -> tuple[str, Expected]:
    """The file and its month's warc.paths.gz listing under `root` (a --source base); returns
    the file's path relative to `root`."""
    data, expected = build_file(oversize_body=oversize_body)
    rel = f"{MONTH_DIR}/{FILE_NAME}"
    (root / MONTH_DIR).mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data)
    (root / MONTH_DIR / "warc.paths.gz").write_bytes(gzip.compress(f"{rel}\n".encode()))
    return rel, expected
