"""The fixture web's HTTP server: one standard-library server that plays every ``*.test`` host.

Crawlers reach it as an HTTP proxy, so request lines arrive in absolute form
(``GET http://hespress.test/feed HTTP/1.1``); origin form with a ``Host`` header works too.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from devkit.fixture_web.responses import Response
from devkit.fixture_web.site import Site, build_site

log = logging.getLogger(__name__)
RequestRecord = tuple[str, str, str]  # host, path (with ?query), User-Agent


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy's proxy connections expect
    server: _Server

    def do_GET(self) -> None:
        self._safely(send_body=True)

    def do_HEAD(self) -> None:
        self._safely(send_body=False)

    def _safely(self, send_body: bool) -> None:
        try:
            self._answer(send_body)
        except ConnectionError:
            return  # the client hung up (a crawler cancelling an oversized download): nothing to answer
        except Exception:
            # A fixture bug must show up as a 500 in the crawl, not as a silently dropped connection.
            log.exception("fixture web failed on %s", self.path)
            self.send_error(500, "fixture web error")

    def do_CONNECT(self) -> None:
        # Fixture outlets are plain http; an HTTPS tunnel means the crawler left the fixture world.
        self.send_error(501, "fixture web serves http:// only")

    def _target(self) -> tuple[str, str, str]:
        parts = urlsplit(self.path)
        if parts.scheme:  # absolute form: we are being used as a proxy
            host = parts.hostname or ""
        else:  # origin form: the Host header names the outlet (port ignored)
            host = urlsplit("//" + self.headers.get("Host", "")).hostname or ""
        return host.lower(), parts.path or "/", parts.query

    def _answer(self, send_body: bool) -> None:
        host, path, query = self._target()
        full_path = f"{path}?{query}" if query else path
        self.server.fixture.record(host, full_path, self.headers.get("User-Agent", ""))
        response = self.server.fixture.site.resolve(host, path, query)
        headers = response.all_headers()
        status = response.status
        if status == 200:
            headers["ETag"] = '"' + hashlib.sha1(response.body, usedforsecurity=False).hexdigest()[:16] + '"'
            if self._not_modified(headers, response):
                status = 304
        body = response.body if status != 304 else b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and response.stall_s:  # a stalling server: a few bytes, then silence
            self.wfile.write(body[:512])
            self.wfile.flush()
            time.sleep(min(response.stall_s, 60.0))
            return
        if send_body:
            self.wfile.write(body)

    def _not_modified(self, headers: dict[str, str], response: Response) -> bool:
        etag = self.headers.get("If-None-Match")
        if etag is not None:
            return etag == headers["ETag"]
        since = self.headers.get("If-Modified-Since")
        if since and response.last_modified is not None:
            try:
                return response.last_modified <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log on FixtureWeb replaces stderr noise


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fixture: FixtureWeb


class FixtureWeb:
    """A running fixture web. Use as a context manager, or call ``stop()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, site: Site | None = None) -> None:
        self.site = site or build_site()
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.fixture = self
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fixture-web", daemon=True)
        self._thread.start()

    @property
    def proxy_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def record(self, host: str, path: str, user_agent: str) -> None:
        with self._lock:
            self.requests.append((host, path, user_agent))

    def fetched(self, url: str) -> bool:
        """Whether a request for ``url`` (http://host/path?query) reached the server."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            return any(h == parts.hostname and p == path for h, p, _ in self.requests)

    def hosts_contacted(self) -> set[str]:
        with self._lock:
            return {h for h, _, _ in self.requests}

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FixtureWeb:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_fixture_web(port: int = 0, host: str = "127.0.0.1") -> FixtureWeb:
    """Start the fixture web in a background thread (``port=0`` picks a free port)."""
    return FixtureWeb(host=host, port=port)
