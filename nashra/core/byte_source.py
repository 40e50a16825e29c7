"""Reading a file from where it lies, from a byte offset on: a local path, http(s) or s3://.

A backfill reads files of ~1 GB over the network: each is opened as a stream (never downloaded
whole) from an offset, so a dropped connection is picked up again with a range read. Errors come
in two kinds: `SourceMissing` (the file is not there, or we may not read it: retrying is pointless)
and `SourceUnavailable` (a 5xx, a refused or reset connection: worth another try).
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from nashra.core.config import Settings, settings

TIMEOUT_S = float(os.environ.get("NASHRA_BACKFILL_TIMEOUT_S", "60"))
USER_AGENT = "nashra-backfill/0.1 (+https://github.com/)"


class SourceMissing(OSError):
    """The file does not exist or may not be read."""


class SourceUnavailable(OSError):
    """The source failed this time (5xx, connection refused or reset): try again later."""


# What a stream raises when its connection drops mid-read (botocore wraps urllib3's errors in its
# own: ResponseStreamingError, ReadTimeoutError ...).
DROPPED: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    http.client.HTTPException,
    SourceUnavailable,
    BotoCoreError,
)


class _LengthChecked:
    """A response body that raises when it ends before the length its headers announced: http.client
    returns a short read then b"" when a connection drops, which would look like the end of file."""

    def __init__(self, stream: Any, expected: int | None, uri: str) -> None:
        self._stream, self._expected, self._uri, self._seen = stream, expected, uri, 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._seen += len(data)
        if not data and size != 0 and self._expected is not None and self._seen < self._expected:
            raise SourceUnavailable(
                f"{self._uri}: the connection closed after {self._seen} of {self._expected} bytes"
            )
        return data

    def close(self) -> None:
        self._stream.close()


@dataclass
class Opened:
    stream: IO[bytes]
    size: int | None  # the whole file's size when the source says it


def open_from(uri: str, offset: int = 0, cfg: Settings | None = None) -> Opened:
    scheme = urlsplit(uri).scheme
    if scheme in ("http", "https"):
        return _open_http(uri, offset)
    if scheme == "s3":
        return _open_s3(uri, offset, cfg or settings())
    if scheme in ("", "file"):
        return _open_local(Path(urlsplit(uri).path if scheme == "file" else uri), offset)
    raise SourceMissing(f"{uri}: unsupported source (a local path, http(s):// or s3://)")


def read_all(uri: str, cfg: Settings | None = None) -> bytes:
    """A small file whole (a listing)."""
    opened = open_from(uri, 0, cfg)
    try:
        return opened.stream.read()
    except DROPPED as exc:
        raise SourceUnavailable(f"{uri}: {exc or type(exc).__name__}") from None
    finally:
        opened.stream.close()


def _open_local(path: Path, offset: int) -> Opened:
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise SourceMissing(f"{path}: {exc.strerror or exc}") from None
    stream.seek(offset)
    return Opened(stream, path.stat().st_size)


def _open_http(uri: str, offset: int) -> Opened:
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        reply = urllib.request.urlopen(urllib.request.Request(uri, headers=headers), timeout=TIMEOUT_S)  # noqa: S310 - http(s) only, checked above
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code in (408, 429):
            raise SourceUnavailable(f"{uri}: HTTP {exc.code}") from None
        raise SourceMissing(f"{uri}: HTTP {exc.code}") from None
    except (urllib.error.URLError, *DROPPED) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise SourceUnavailable(f"{uri}: {reason}") from None
    if offset and reply.status != 206:
        reply.close()  # a server that ignores Range would hand us the file from byte 0 again
        raise SourceUnavailable(f"{uri}: the server does not answer range requests (HTTP {reply.status})")
    length = reply.headers.get("Content-Length")
    expected = int(length) if length and length.isdigit() else None
    return Opened(_LengthChecked(reply, expected, uri), _http_size(reply, offset))


def _http_size(reply: Any, offset: int) -> int | None:
    content_range = reply.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = reply.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


def _open_s3(uri: str, offset: int, cfg: Settings) -> Opened:
    from nashra.core.lake import s3_client

    parts = urlsplit(uri)
    request: dict[str, Any] = {"Bucket": parts.netloc, "Key": parts.path.lstrip("/")}
    if offset:
        request["Range"] = f"bytes={offset}-"
    try:
        reply = s3_client(cfg).get_object(**request)
    except (ClientError, BotoCoreError) as exc:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404", "NoSuchBucket", "AccessDenied", "403"):
            raise SourceMissing(f"{uri}: {code}") from None
        raise SourceUnavailable(f"{uri}: {code or type(exc).__name__}") from None
    size = reply.get("ContentRange", "").rsplit("/", 1)[-1]
    length = int(reply["ContentLength"])
    body = _LengthChecked(reply["Body"], length, uri)
    return Opened(body, int(size) if size.isdigit() else offset + length)
