"""SSRF at crawl level: a real crawl (Scrapy child process, fixture web as proxy) whose listings and
redirects point at private and metadata addresses. The registry even lists those IP literals as
"allowed domains" (a careless or hostile registry edit): the guard must still refuse them before
any connection, and count them as ``ssrf_blocked``.

No packet leaves loopback: in test mode every request goes to the fixture web on 127.0.0.1 as the
proxy, which only records and answers. The proof that the crawler refused a target is that the
proxy never received a request for it. Address verdicts for hostnames (DNS answers, rebinding) are
tested with a stub resolver in tests/unit/test_ssrf_guard.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from devkit.fixture_web import hostile
from nashra.core.lake import open_lake
from nashra.core.warc import read_pages
from spiders.crawl import CrawlReport, crawl_outlet
from tests.support import use_fixture_web

OUTLET = "ssrf_test"
BATCH = "ssrf_test-20260202T120000Z"
REGISTRY = """\
version: 1
defaults:
  politeness: {download_delay: 0.0, concurrency: 4}
outlets:
  - id: ssrf_test
    name: SSRF probe (fixture)
    country: QA
    languages: [en]
    timezone: Asia/Qatar
    homepage: http://hostile.test/
    allowed_domains: [hostile.test, 10.20.30.40, 169.254.169.254]
    cms: unknown
    discovery:
      - {method: sitemap, url: "http://hostile.test/ssrf/sitemap.xml", status: verified}
      - {method: sitemap, url: "http://169.254.169.254/latest/meta-data/sitemap.xml", status: verified}
    enabled: true
"""
BLOCKED_HOSTS = {"10.20.30.40", "169.254.169.254", "10.0.0.1", "::ffff:169.254.169.254", "2852039166"}


class Crawl:
    def __init__(self, report: CrawlReport, requests: list[tuple[str, str, str]], lake_uri: str):
        self.report = report
        self.requests = requests
        self.lake_uri = lake_uri


@pytest.fixture(scope="module")
def crawl(fixture_web: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    tmp = tmp_path_factory.mktemp("ssrf")
    registry = Path(tmp) / "outlets.yaml"
    registry.write_text(REGISTRY)
    with pytest.MonkeyPatch.context() as mp:
        use_fixture_web(mp, fixture_web, registry=str(registry), lake_uri=str(tmp / "lake"))
        mp.setenv("NASHRA_CRAWL_TIMEOUT", "60")
        start = len(fixture_web.requests)
        report = crawl_outlet(OUTLET, BATCH, registry_path=str(registry), today="2026-02-02", timeout=180)
        yield Crawl(report, list(fixture_web.requests[start:]), str(tmp / "lake"))


def test_private_and_metadata_targets_never_reach_the_network(crawl: Crawl) -> None:
    hosts = {h for h, _, _ in crawl.requests}
    assert hosts == {hostile.HOST}, hosts
    assert not hosts & BLOCKED_HOSTS


def test_blocked_requests_are_counted(crawl: Crawl) -> None:
    (family,) = crawl.report.families.values()
    # Two listed IP literals, three same-site redirects to private/metadata addresses, and the
    # discovery URL on the metadata address.
    assert family.ssrf_blocked == len(hostile.SSRF_LISTED) + 1
    # A decimal-encoded address is not an IP literal to the guard; off the allowed domains, it is
    # dropped as off-site (outside test mode, the guarded resolver refuses what it resolves to).
    assert family.offsite_filtered == len(hostile.SSRF_OFFSITE)
    assert family.discovery_ok == 1


def test_only_the_safe_article_is_archived(crawl: Crawl) -> None:
    lake = open_lake(crawl.lake_uri)
    pages = [
        p for rel in lake.list("raw", ".warc.gz") for p, _ in read_pages(io.BytesIO(lake.read_bytes(rel)))
    ]
    assert [p.url for p in pages] == [hostile.SSRF_ARTICLE]
    assert pages[0].status == 200
    for page in pages:
        assert urlsplit(page.final_url).hostname == hostile.HOST
