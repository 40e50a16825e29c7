"""The DNS half of the SSRF guard in a real crawl: no fixture proxy, a stub resolver.

The crawl child connects directly, and names resolve through NASHRA_TEST_HOSTS (test mode only):
the outlet's own host to this test's small web server on loopback, its other hosts to private,
link-local, metadata and unique-local addresses, one to a mixed answer (a public-looking address
and a private one: DNS rebinding's shape). The guard must refuse every one at resolution, count
each listed page as `ssrf_blocked` (not as a fetch failure, not retried), and archive only the
safe page. tests/integration/test_crawl_ssrf.py covers IP literals through the fixture proxy.

No packet leaves loopback: the stub resolver itself refuses to hand out a non-loopback address
(spiders/guard.py), so a guard that let one through fails this test as a fetch error instead
of connecting. The server records every request it receives: only the outlet's host reaches it.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nashra.core.lake import open_lake
from nashra.core.warc import read_pages
from spiders.crawl import CrawlReport, crawl_outlet

OUTLET = "resolver_test"
BATCH = "resolver_test-20260202T120000Z"
# name -> what the stub resolver answers; every name but the outlet's own is refused by the guard.
HOSTS = {
    "news.dns.test": ["127.0.0.1"],
    "private.dns.test": ["10.20.30.40"],
    "metadata.dns.test": ["169.254.169.254"],
    "linklocal.dns.test": ["fe80::1"],
    "ula.dns.test": ["fd12:3456::1"],
    "cgnat.dns.test": ["100.100.100.200"],  # Alibaba's metadata address
    "rebind.dns.test": ["93.184.216.34", "192.168.1.20"],
}
BLOCKED = sorted(set(HOSTS) - {"news.dns.test"})
ARTICLE_HTML = (
    "<html lang='en'><head><title>Gold Line: the route is confirmed</title></head><body><article>"
    "<h1>Gold Line: the route is confirmed</h1>"
    + "<p>The ministry confirmed the route of the new line on Monday, after a year of studies.</p>" * 6
    + "</article></body></html>"
)


class _Site(BaseHTTPRequestHandler):
    requests: list[tuple[str, str]]  # (Host header without port, path): set on the server class

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        self.server.requests.append((host, self.path))  # type: ignore[attr-defined]
        port = self.server.server_address[1]
        if self.path == "/robots.txt":
            return self._send(200, "User-agent: *\nAllow: /\n", "text/plain")
        if self.path == "/sitemap.xml":
            urls = [
                f"http://news.dns.test:{port}/news/ok.html",
                f"http://news.dns.test:{port}/news/moved.html",
            ]
            urls += [f"http://{name}:{port}/news/story.html" for name in BLOCKED]
            body = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
            return self._send(200, f'<?xml version="1.0"?><urlset>{body}</urlset>', "application/xml")
        if self.path == "/news/ok.html":
            return self._send(200, ARTICLE_HTML, "text/html; charset=utf-8")
        if self.path == "/news/moved.html":  # a same-site redirect to the metadata name
            self.send_response(302)
            self.send_header("Location", f"http://metadata.dns.test:{port}/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._send(404, "not here", "text/plain")

    def _send(self, status: int, text: str, content_type: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Crawl:
    def __init__(self, report: CrawlReport, requests: list[tuple[str, str]], lake_uri: str, port: int):
        self.report, self.requests, self.lake_uri, self.port = report, requests, lake_uri, port


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    tmp = tmp_path_factory.mktemp("resolver")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.requests = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    registry = Path(tmp) / "outlets.yaml"
    registry.write_text(
        f"""\
version: 1
defaults:
  politeness: {{download_delay: 0.0, concurrency: 4}}
outlets:
  - id: {OUTLET}
    name: Resolver probe (test)
    country: QA
    languages: [en]
    timezone: Asia/Qatar
    homepage: http://news.dns.test:{port}/
    allowed_domains: [dns.test]
    cms: unknown
    discovery:
      - {{method: sitemap, url: "http://news.dns.test:{port}/sitemap.xml", status: verified}}
      - {{method: sitemap, url: "http://private.dns.test:{port}/sitemap.xml", status: verified}}
    enabled: true
"""
    )
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("NASHRA_FIXTURE_PROXY", raising=False)
            mp.setenv("NASHRA_ALLOW_LOOPBACK", "1")
            mp.setenv("NASHRA_TEST_HOSTS", json.dumps(HOSTS))
            mp.setenv("NASHRA_REGISTRY", str(registry))
            mp.setenv("NASHRA_LAKE_URI", str(tmp / "lake"))
            mp.setenv("NASHRA_CRAWL_TIMEOUT", "60")
            report = crawl_outlet(OUTLET, BATCH, registry_path=str(registry), today="2026-02-02", timeout=180)
        yield Crawl(report, list(server.requests), str(tmp / "lake"), port)  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def test_only_the_outlets_own_host_is_ever_contacted(crawl: Crawl) -> None:
    assert {host for host, _ in crawl.requests} == {"news.dns.test"}
    assert ("news.dns.test", "/news/ok.html") in crawl.requests


def test_every_refused_name_is_counted_as_blocked_not_failed(crawl: Crawl) -> None:
    (family,) = crawl.report.families.values()
    # One listed page per refused name, the redirect to the metadata name, the discovery URL on
    # the private name. robots.txt of a refused name is not a page: not counted.
    assert family.ssrf_blocked == len(BLOCKED) + 2, family
    assert family.fetch_failed == 0, family
    assert family.discovery_ok == 1
    assert len(family.discovery_failures) == 1 and "private.dns.test" in family.discovery_failures[0]
    assert "10.20.30.40" in family.discovery_failures[0]  # the reason names the refused address


def test_only_the_safe_article_is_archived(crawl: Crawl) -> None:
    lake = open_lake(crawl.lake_uri)
    pages = [
        p for rel in lake.list("raw", ".warc.gz") for p, _ in read_pages(io.BytesIO(lake.read_bytes(rel)))
    ]
    assert [(p.url, p.status) for p in pages] == [(f"http://news.dns.test:{crawl.port}/news/ok.html", 200)]


def test_the_stub_resolver_is_refused_outside_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    from nashra.core.config import ConfigError, settings

    monkeypatch.setenv("NASHRA_ALLOW_LOOPBACK", "0")
    monkeypatch.setenv("NASHRA_TEST_HOSTS", json.dumps(HOSTS))
    with pytest.raises(ConfigError, match="NASHRA_TEST_HOSTS is for tests only"):
        settings()
