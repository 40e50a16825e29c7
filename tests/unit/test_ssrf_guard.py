"""The SSRF guard decides on addresses, never by connecting: every test here uses literal addresses,
a stub DNS lookup, or scrapy Request objects that no downloader ever sends."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import scrapy
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from spiders.guard import (
    BlockedAddress,
    BlockedLookup,
    GuardedResolver,
    IpLiteralGuardMiddleware,
    address_verdict,
    check_host,
    refusal,
)

PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4007:80e::200e"]
PRIVATE = [
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.0.1",
    "192.168.255.254",
    "169.254.1.1",  # link-local
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "fe80::1",
    "fc00::1",  # unique local
    "::ffff:10.0.0.1",  # IPv4-mapped private
    "::ffff:192.168.1.1",
    "::ffff:169.254.169.254",
    "0.0.0.0",
    "::",
    "224.0.0.1",  # multicast
]
METADATA = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"]
LOOPBACK = ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]


# -- address_verdict / check_host ----------------------------------------------------------------


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_verdict(address, allow_loopback=False) is None
    assert address_verdict(address, allow_loopback=True) is None


@pytest.mark.parametrize("address", PRIVATE)
@pytest.mark.parametrize("allow_loopback", [False, True])
def test_private_link_local_and_reserved_addresses_are_blocked_even_in_test_mode(
    address: str, allow_loopback: bool
) -> None:
    reason = address_verdict(address, allow_loopback=allow_loopback)
    assert reason is not None


@pytest.mark.parametrize("address", METADATA)
@pytest.mark.parametrize("allow_loopback", [False, True])
def test_metadata_endpoints_are_blocked_even_in_test_mode(address: str, allow_loopback: bool) -> None:
    reason = address_verdict(address, allow_loopback=allow_loopback)
    assert reason is not None and "metadata" in reason


@pytest.mark.parametrize("address", LOOPBACK)
def test_loopback_only_with_allow_loopback(address: str) -> None:
    reason = address_verdict(address, allow_loopback=False)
    assert reason is not None and "loopback" in reason
    assert address_verdict(address, allow_loopback=True) is None


def test_reasons_name_the_kind_of_address() -> None:
    assert "CGNAT" in (address_verdict("100.64.0.1", allow_loopback=False) or "")
    assert "link-local" in (address_verdict("fe80::1", allow_loopback=False) or "")
    assert "private" in (address_verdict("::ffff:10.0.0.1", allow_loopback=False) or "")
    assert "10.0.0.1" in (address_verdict("::ffff:10.0.0.1", allow_loopback=False) or "")


def test_non_address_is_not_allowed() -> None:
    assert address_verdict("example.com", allow_loopback=True) is not None
    assert address_verdict("", allow_loopback=True) is not None


def test_check_host_passes_when_every_answer_is_public() -> None:
    check_host("example.com", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"], allow_loopback=False)


@pytest.mark.parametrize("private", ["10.0.0.1", "169.254.169.254", "127.0.0.1", "::ffff:172.16.0.5"])
@pytest.mark.parametrize("public_first", [True, False])
def test_rebinding_style_answer_with_one_private_address_is_blocked(private: str, public_first: bool) -> None:
    answers = ["93.184.216.34", private] if public_first else [private, "93.184.216.34"]
    with pytest.raises(BlockedAddress, match=re.escape("rebind.test")):
        check_host("rebind.test", answers, allow_loopback=False)


def test_check_host_with_no_answer_is_blocked() -> None:
    with pytest.raises(BlockedAddress, match="no address"):
        check_host("empty.test", [], allow_loopback=True)


def test_check_host_loopback_in_test_mode_but_private_neighbour_still_blocked() -> None:
    check_host("fixture.test", ["127.0.0.1"], allow_loopback=True)
    with pytest.raises(BlockedAddress):
        check_host("fixture.test", ["127.0.0.1", "192.168.1.10"], allow_loopback=True)


# -- GuardedResolver -----------------------------------------------------------------------------

DNS = {
    "public.test": ["93.184.216.34"],
    "dual.test": ["2606:2800:220:1::1", "93.184.216.34"],
    "v6only.test": ["2606:2800:220:1::1"],
    "metadata.test": ["169.254.169.254"],
    "rebind.test": ["93.184.216.34", "10.1.2.3"],
    "internal.test": ["192.168.10.5"],
    "loop.test": ["127.0.0.1"],
}


class StubLookup:
    """Stands in for getaddrinfo: answers from DNS above, counts calls, never touches the network."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.calls.append(host)
        return list(DNS[host])


def test_resolve_checked_returns_public_address_preferring_ipv4() -> None:
    resolver = GuardedResolver(reactor=None, allow_loopback=False, lookup=StubLookup())
    assert resolver.resolve_checked("public.test") == "93.184.216.34"
    assert resolver.resolve_checked("dual.test") == "93.184.216.34"
    assert resolver.resolve_checked("v6only.test") == "2606:2800:220:1::1"


@pytest.mark.parametrize("host", ["metadata.test", "rebind.test", "internal.test", "loop.test"])
def test_resolve_checked_raises_dns_lookup_error_for_blocked_hosts(host: str) -> None:
    resolver = GuardedResolver(reactor=None, allow_loopback=False, lookup=StubLookup())
    with pytest.raises(DNSLookupError, match=re.escape(host)):
        resolver.resolve_checked(host)


def test_resolve_checked_loopback_only_in_test_mode() -> None:
    resolver = GuardedResolver(reactor=None, allow_loopback=True, lookup=StubLookup())
    assert resolver.resolve_checked("loop.test") == "127.0.0.1"
    with pytest.raises(DNSLookupError, match="metadata"):
        resolver.resolve_checked("metadata.test")


class FakeReactor:
    """Just enough reactor for deferToThreadPool: a real thread pool, and callFromThread that queues
    the callback for the test thread to run (the role of the reactor's main loop)."""

    def __init__(self, pool: ThreadPool) -> None:
        self.pool = pool
        self.calls: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()
        self.installed: object | None = None

    def getThreadPool(self) -> ThreadPool:
        return self.pool

    def callFromThread(self, f: Callable[..., Any], *args: Any) -> None:
        self.calls.put((f, args))

    def installResolver(self, resolver: object) -> None:
        self.installed = resolver

    def run_one(self) -> None:
        f, args = self.calls.get(timeout=5)
        f(*args)


@pytest.fixture
def reactor() -> Iterator[FakeReactor]:
    pool = ThreadPool(minthreads=1, maxthreads=2, name="test-dns")
    pool.start()
    try:
        yield FakeReactor(pool)
    finally:
        pool.stop()


def _outcome(d: Any) -> list[Any]:
    results: list[Any] = []
    d.addBoth(results.append)
    return results


def test_get_host_by_name_resolves_in_the_thread_pool_and_caches(reactor: FakeReactor) -> None:
    lookup = StubLookup()
    threads_seen: list[str] = []

    def lookup_in_thread(host: str) -> list[str]:
        threads_seen.append(threading.current_thread().name)
        return lookup(host)

    resolver = GuardedResolver(reactor, allow_loopback=False, lookup=lookup_in_thread)
    results = _outcome(resolver.getHostByName("public.test"))
    assert results == []  # not fired until the "reactor" runs the thread's callback
    reactor.run_one()
    assert results == ["93.184.216.34"]
    assert threads_seen and threads_seen[0] != threading.current_thread().name

    # Second lookup: answered from the cache, synchronously, without another DNS query.
    again = _outcome(resolver.getHostByName("public.test"))
    assert again == ["93.184.216.34"]
    assert lookup.calls == ["public.test"]


def test_get_host_by_name_errbacks_for_blocked_hosts_and_does_not_cache(reactor: FakeReactor) -> None:
    lookup = StubLookup()
    resolver = GuardedResolver(reactor, allow_loopback=False, lookup=lookup)
    results = _outcome(resolver.getHostByName("rebind.test"))
    reactor.run_one()
    assert len(results) == 1 and isinstance(results[0], Failure)
    assert results[0].check(DNSLookupError)
    assert "10.1.2.3" in results[0].getErrorMessage()

    # A blocked answer is not remembered as good: the next lookup asks (and blocks) again.
    results = _outcome(resolver.getHostByName("rebind.test"))
    reactor.run_one()
    assert isinstance(results[0], Failure) and results[0].check(DNSLookupError)
    assert lookup.calls == ["rebind.test", "rebind.test"]


def test_resolver_from_crawler_reads_test_mode_and_installs(reactor: FakeReactor) -> None:
    crawler = get_crawler(settings_dict={"NASHRA_ALLOW_LOOPBACK": True})
    resolver = GuardedResolver.from_crawler(crawler, reactor)
    assert resolver.allow_loopback is True
    resolver.install_on_reactor()
    assert reactor.installed is resolver
    assert GuardedResolver.from_crawler(get_crawler(), reactor).allow_loopback is False


# -- IpLiteralGuardMiddleware --------------------------------------------------------------------


@pytest.fixture
def spider() -> scrapy.Spider:
    crawler = get_crawler(scrapy.Spider)
    return scrapy.Spider.from_crawler(crawler, name="guard-test")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1:8080/admin",
        "http://[fe80::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://100.64.0.1/",
        "http://127.0.0.1/",
        "http://[::1]/",
    ],
)
def test_ip_literal_to_forbidden_address_is_ignored(url: str, spider: scrapy.Spider) -> None:
    mw = IpLiteralGuardMiddleware(allow_loopback=False)
    with pytest.raises(IgnoreRequest, match="blocked"):
        mw.process_request(scrapy.Request(url), spider)
    assert spider.crawler.stats.get_value("nashra/ssrf_blocked") == 1


def test_metadata_literal_blocked_in_test_mode_but_loopback_passes(spider: scrapy.Spider) -> None:
    mw = IpLiteralGuardMiddleware.from_crawler(get_crawler(settings_dict={"NASHRA_ALLOW_LOOPBACK": True}))
    assert mw.allow_loopback is True
    with pytest.raises(IgnoreRequest, match="metadata"):
        mw.process_request(scrapy.Request("http://169.254.169.254/latest/meta-data/"), spider)
    assert mw.process_request(scrapy.Request("http://127.0.0.1:8000/feed"), spider) is None


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/", "http://[2606:4700:4700::1111]/x", "http://hespress.test/feed"]
)
def test_public_literals_and_hostnames_pass(url: str, spider: scrapy.Spider) -> None:
    mw = IpLiteralGuardMiddleware(allow_loopback=False)
    assert mw.process_request(scrapy.Request(url), spider) is None
    assert spider.crawler.stats.get_value("nashra/ssrf_blocked") is None


def test_without_a_spider_the_verdict_still_applies() -> None:
    mw = IpLiteralGuardMiddleware(allow_loopback=False)
    with pytest.raises(IgnoreRequest):
        mw.process_request(scrapy.Request("http://10.0.0.1/"))


@pytest.mark.parametrize(
    "location", [b"http://169.254.169.254/latest/meta-data/", b"http://10.0.0.1/internal", b"//192.168.0.1/x"]
)
def test_redirect_to_private_ip_literal_is_refused(location: bytes, spider: scrapy.Spider) -> None:
    """A redirect is a new request through the downloader middlewares: the guard sees the Location's
    host, not the (public) host that sent the redirect."""
    crawler = spider.crawler
    redirect_mw = RedirectMiddleware.from_crawler(crawler)
    crawler.spider = spider
    guard = IpLiteralGuardMiddleware(allow_loopback=False)

    original = scrapy.Request("http://93.184.216.34/story", meta={"nashra_article": True})
    assert guard.process_request(original, spider) is None
    response = HtmlResponse(
        original.url, status=302, headers={"Location": location}, body=b"moved", request=original
    )
    redirected = redirect_mw.process_response(original, response)
    assert isinstance(redirected, scrapy.Request)
    assert redirected.url != original.url
    assert redirected.meta["redirect_times"] == 1
    with pytest.raises(IgnoreRequest, match="blocked"):
        guard.process_request(redirected, spider)


def test_redirect_to_public_literal_passes(spider: scrapy.Spider) -> None:
    crawler = spider.crawler
    crawler.spider = spider
    original = scrapy.Request("http://93.184.216.34/story")
    response = HtmlResponse(
        original.url, status=301, headers={"Location": "http://1.1.1.1/new"}, body=b"", request=original
    )
    redirected = RedirectMiddleware.from_crawler(crawler).process_response(original, response)
    assert isinstance(redirected, scrapy.Request) and redirected.url == "http://1.1.1.1/new"
    assert IpLiteralGuardMiddleware(allow_loopback=False).process_request(redirected, spider) is None


# -- the test-mode stub resolver (NASHRA_TEST_HOSTS) ----------------------------------------------


def test_test_hosts_answer_instead_of_dns_and_the_guard_still_judges_them() -> None:
    hosts = {"news.test": ["127.0.0.1"], "metadata.test": ["169.254.169.254"]}
    resolver = GuardedResolver(reactor=None, allow_loopback=True, test_hosts=hosts)
    assert resolver.resolve_checked("news.test") == "127.0.0.1"
    with pytest.raises(BlockedLookup, match=re.escape("169.254.169.254")):
        resolver.resolve_checked("metadata.test")
    with pytest.raises(DNSLookupError, match="not in NASHRA_TEST_HOSTS") as unknown:
        resolver.resolve_checked("elsewhere.test")  # never asked of the real DNS
    assert refusal(unknown.value, "elsewhere.test") is None  # not resolving is not an SSRF block


def test_the_stub_resolver_never_hands_out_an_address_off_loopback() -> None:
    """Its second line: were the guard to pass a public address, the test crawl would fail here
    rather than connect."""
    resolver = GuardedResolver(
        reactor=None, allow_loopback=True, test_hosts={"public.test": ["93.184.216.34"]}
    )
    with pytest.raises(DNSLookupError, match="would leave loopback") as refused:
        resolver.resolve_checked("public.test")
    assert refusal(refused.value, "public.test") is None


def test_a_refusal_is_recognised_after_twisted_and_scrapy_replaced_its_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the downloader sees of a refused name: Twisted's own "no results" DNSLookupError,
    wrapped by Scrapy; the installed resolver remembers why it refused."""
    from scrapy.exceptions import CannotResolveHostError
    from twisted.internet import reactor

    resolver = GuardedResolver(reactor=None, allow_loopback=False, lookup=StubLookup())
    with pytest.raises(BlockedLookup) as direct:
        resolver.resolve_checked("internal.test")
    assert (
        refusal(direct.value, "internal.test")
        == "blocked internal.test: 192.168.10.5 is a private or reserved address"
    )
    monkeypatch.setattr(reactor, "resolver", resolver, raising=False)
    try:
        raise DNSLookupError("no results for hostname lookup: internal.test")
    except DNSLookupError as twisted_error:
        try:
            raise CannotResolveHostError(str(twisted_error)) from twisted_error
        except CannotResolveHostError as wrapped:
            assert refusal(wrapped, "internal.test") == direct.value.args[0]
            assert refusal(wrapped, "public.test") is None  # resolved fine, or never asked


@pytest.mark.parametrize("raw", ["not json", '["a list"]', '{"host": 5}'])
def test_a_malformed_test_hosts_map_is_one_clear_error(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from nashra.core.config import ConfigError, settings

    monkeypatch.setenv("NASHRA_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("NASHRA_TEST_HOSTS", raw)
    with pytest.raises(ConfigError, match="NASHRA_TEST_HOSTS must be a JSON object"):
        settings()
