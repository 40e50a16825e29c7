"""A small HTTP proxy in front of the embedded S3 (SeaweedFS) on 127.0.0.1: it logs every request
(method, path, status) and can answer some itself (injected faults). The fault tests use it to
break S3 on purpose; `make bench` (section history) counts the requests a batch costs with it,
whatever the client (boto3, pyarrow's S3 filesystem, delta-rs's object store).

Faults are an S3 error answer (status, body) or a broken connection (`Fault`): a reset (TCP RST,
no answer), a stall (no answer until the client hangs up or `stall_s` seconds pass, then a reset;
`stall_waits` says how long each client waited) or a truncated body (the backend's headers with
the full Content-Length, half the bytes, then the connection closes).
"""

from __future__ import annotations

import enum
import http.client
import select
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}
NO_ANSWER = 0  # the status logged when the client got no (whole) answer


class Fault(enum.Enum):
    RESET = "reset"
    STALL = "stall"
    TRUNCATE = "truncate"


Injected = tuple[int, bytes] | Fault | None


class S3Proxy:
    """Forwards S3 requests to a backend that can be swapped (a restarted server); `fault(method,
    path)` returns (status, body) to answer instead, or None to forward. An unreachable backend
    closes the client's connection with no answer, as a dead server does."""

    def __init__(self, backend: str) -> None:
        self.backend = backend  # host:port
        self.fault: Callable[[str, str], Injected] = lambda method, path: None
        self.log: list[tuple[str, str, int]] = []  # (method, path, status) of every answer
        self.served: Counter[Fault] = Counter()  # broken connections really delivered, by kind
        self.stall_s = 5.0
        self.stall_waits: list[float] = []  # seconds each stalled client waited before it hung up
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
                self._record(status)

            def _record(self, status: int, fault: Fault | None = None) -> None:
                with proxy.lock:
                    proxy.log.append((self.command, self.path, status))
                    if fault is not None:
                        proxy.served[fault] += 1

            def _reset(self) -> None:
                """Close with a TCP RST (linger 0): the client sees 'connection reset by peer'."""
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                self.wfile = _Discard()  # the handler's finish() must not write to the closed socket

            def _wait_for_hang_up(self, limit: float) -> float:
                """Answer nothing until the client closes its end (its timeout) or `limit` passes."""
                started = time.monotonic()
                while (waited := time.monotonic() - started) < limit:
                    readable, _, _ = select.select([self.connection], [], [], 0.05)
                    if readable and not self.connection.recv(1, socket.MSG_PEEK):
                        return waited
                return waited

            def _truncate(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response_only(status)
                for key, value in headers:
                    if key.lower() not in _HOP:
                        self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                self._record(NO_ANSWER, Fault.TRUNCATE)

            def _handle(self) -> None:
                body = self._body()
                injected = proxy.fault(self.command, self.path)
                if injected in (Fault.RESET, Fault.STALL):
                    if injected is Fault.STALL:
                        waited = self._wait_for_hang_up(proxy.stall_s)
                        with proxy.lock:
                            proxy.stall_waits.append(waited)
                    self._reset()
                    self._record(NO_ANSWER, injected)
                    return
                if isinstance(injected, tuple):
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
                    self._record(NO_ANSWER)
                    return
                if injected is Fault.TRUNCATE and self.command != "HEAD" and len(data) >= 2:
                    self._truncate(response.status, response.getheaders(), data)
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


class Hold:
    """A fault that holds the first request `matches` picks until `release(deliver)`: then it is
    forwarded (deliver) or the connection is reset (the bytes never reach S3). Kill tests use it to
    catch a writer between two requests: a slow link, not a poll, decides the instant."""

    def __init__(self, matches: Callable[[str, str], bool]) -> None:
        self.matches = matches
        self.held = threading.Event()
        self.released = threading.Event()
        self.deliver = False
        self.path = ""
        self.lock = threading.Lock()

    def __call__(self, method: str, path: str) -> Injected:
        with self.lock:
            if self.held.is_set() or not self.matches(method, path):
                return None
            self.path = path
            self.held.set()
        self.released.wait(120)
        return None if self.deliver else Fault.RESET

    def release(self, deliver: bool) -> None:
        self.deliver = deliver
        self.released.set()


class _Discard:
    """A write end that drops everything (the socket behind it was reset on purpose)."""

    closed = False

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
