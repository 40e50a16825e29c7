"""A small HTTP proxy in front of the embedded S3 (SeaweedFS) on 127.0.0.1: it logs every request
(method, path, status) and can answer some itself (injected faults). The fault tests use it to
break S3 on purpose; `make bench` (section history) counts the requests a batch costs with it,
whatever the client (boto3, pyarrow's S3 filesystem, delta-rs's object store).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


class S3Proxy:
    """Forwards S3 requests to a backend that can be swapped (a restarted server); `fault(method,
    path)` returns (status, body) to answer instead, or None to forward. An unreachable backend
    closes the client's connection with no answer, as a dead server does."""

    def __init__(self, backend: str) -> None:
        self.backend = backend  # host:port
        self.fault: Callable[[str, str], tuple[int, bytes] | None] = lambda method, path: None
        self.log: list[tuple[str, str, int]] = []  # (method, path, status) of every answer
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while (size := int(self.rfile.readline().split(b";")[0], 16)) > 0:
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    self.rfile.readline()
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response_only(status)
                for key, value in headers:
                    if key.lower() not in _HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                length = next((v for k, v in headers if k.lower() == "content-length"), None)
                self.send_header(
                    "Content-Length", length if self.command == "HEAD" and length else str(len(body))
                )
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                with proxy.lock:
                    proxy.log.append((self.command, self.path, status))

            def _handle(self) -> None:
                body = self._body()
                injected = proxy.fault(self.command, self.path)
                if injected is not None:
                    status, payload = injected
                    self._answer(status, [("Content-Type", "application/xml")], payload)
                    return
                try:
                    conn = http.client.HTTPConnection(proxy.backend, timeout=60)
                    conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for key, value in self.headers.items():
                        if key.lower() not in _HOP and key.lower() != "content-length":
                            conn.putheader(key, value)
                    conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders(body)
                    response = conn.getresponse()
                    data = response.read()
                    conn.close()
                except OSError:
                    self.close_connection = True  # no answer at all: the server is gone
                    with proxy.lock:
                        proxy.log.append((self.command, self.path, 0))
                    return
                self._answer(response.status, response.getheaders(), data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def count(self, predicate: Callable[[str, str, int], bool]) -> int:
        with self.lock:
            return sum(1 for entry in self.log if predicate(*entry))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
