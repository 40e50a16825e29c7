"""SSRF guard: the crawler never connects to private, loopback, link-local or metadata addresses.

The decision is made where the address becomes known: at DNS resolution (a resolver installed on
the Twisted reactor, so it also covers every redirect target) and, for hosts written as IP
literals, before the request is sent. Test mode (`NASHRA_ALLOW_LOOPBACK=1`) lets loopback through,
for the fixture web only; everything else private stays blocked even then.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from twisted.internet import defer, threads
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

# Cloud metadata endpoints that are not all covered by is_link_local (e.g. Alibaba's 100.100.100.200).
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}


class BlockedAddress(Exception):
    pass


class BlockedLookup(DNSLookupError):
    """A name the guard refused at resolution: counted as ssrf_blocked, like an IP literal it
    refuses before the request (spiders/middlewares.py), and never retried."""


def address_verdict(address: str, *, allow_loopback: bool) -> str | None:
    """None when the crawler may connect to `address`, else the reason it may not."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in _METADATA:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is link-local"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return f"{ip} is a private or reserved address"
    if ip in ipaddress.ip_network("100.64.0.0/10"):  # carrier-grade NAT, not "private" in ipaddress
        return f"{ip} is a shared (CGNAT) address"
    return None


def check_host(host: str, addresses: list[str], *, allow_loopback: bool) -> None:
    """Raise BlockedAddress when any address a host resolves to is not allowed (DNS rebinding-safe:
    every answer must pass, not just the first)."""
    if not addresses:
        raise BlockedAddress(f"{host} resolved to no address")
    for address in addresses:
        reason = address_verdict(address, allow_loopback=allow_loopback)
        if reason:
            raise BlockedAddress(f"blocked {host}: {reason}")


def refusal(exc: BaseException, host: str) -> str | None:
    """The guard's reason when a download failed because the guard refused `host` at resolution,
    else None (a name that does not resolve, a network error).

    Twisted's endpoint turns any resolver error into its own "no results for hostname lookup"
    DNSLookupError, and Scrapy wraps that in CannotResolveHostError: the guard's exception does
    not survive, so the installed GuardedResolver keeps what it refused, by name."""
    for error in (exc, exc.__cause__):
        if isinstance(error, BlockedLookup):
            return str(error.args[0]) if error.args else str(error)
    from scrapy.exceptions import CannotResolveHostError
    from twisted.internet import reactor

    if not isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return None
    refused = getattr(getattr(reactor, "resolver", None), "refused", None)
    return refused.get(host) if isinstance(refused, dict) else None


def _static_lookup(hosts: dict[str, list[str]]) -> Callable[[str], list[str]]:
    """Test mode's stand-in for DNS (NASHRA_TEST_HOSTS): names answer from the map, others fail."""

    def lookup(host: str) -> list[str]:
        answer = hosts.get(host.lower())
        if answer is None:
            raise DNSLookupError(f"{host}: not in NASHRA_TEST_HOSTS")
        return [answer] if isinstance(answer, str) else list(answer)

    return lookup


def system_lookup(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


@implementer(IResolverSimple)
class GuardedResolver:
    """Scrapy DNS_RESOLVER: resolves in a thread, then applies the guard to every address."""

    def __init__(
        self,
        reactor: Any,
        allow_loopback: bool,
        lookup: Callable[[str], list[str]] | None = None,
        *,
        test_hosts: dict[str, list[str]] | None = None,
    ):
        self.reactor = reactor
        self.allow_loopback = allow_loopback
        self.test_hosts = test_hosts
        self.refused: dict[str, str] = {}  # name -> why, read back by refusal()
        self.lookup = lookup or (_static_lookup(test_hosts) if test_hosts is not None else system_lookup)
        self._cache: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        hosts = crawler.settings.getdict("NASHRA_TEST_HOSTS") or None
        return cls(reactor, crawler.settings.getbool("NASHRA_ALLOW_LOOPBACK"), test_hosts=hosts)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def resolve_checked(self, name: str) -> str:
        addresses = self.lookup(name)
        try:
            check_host(name, addresses, allow_loopback=self.allow_loopback)
        except BlockedAddress as exc:
            self.refused[name] = str(exc)
            raise BlockedLookup(str(exc)) from exc
        ipv4 = [a for a in addresses if ":" not in a]
        chosen = (ipv4 or addresses)[0]
        if self.test_hosts is not None and not ipaddress.ip_address(chosen).is_loopback:
            # A second line for tests that map names to private addresses: if the guard ever let
            # one through, the test fails here, before any packet leaves loopback.
            raise DNSLookupError(f"test resolver: {name} -> {chosen} would leave loopback")
        return chosen

    def getHostByName(self, name: str, timeout: Any = ()) -> Deferred:
        if name in self._cache:
            return defer.succeed(self._cache[name])
        d = threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.resolve_checked, name)
        d.addCallback(self._remember, name)
        return d

    def _remember(self, address: str, name: str) -> str:
        self._cache[name] = address
        return address


class IpLiteralGuardMiddleware:
    """Downloader middleware: a URL whose host is an IP literal never reaches the resolver, so the
    same verdict is applied here. Hostnames are left to GuardedResolver.

    It also judges every request as it is scheduled (the `request_scheduled` signal, where Scrapy's
    OffsiteMiddleware filters too): a redirect to http://169.254.169.254/ is then refused, and
    counted as `ssrf_blocked`, before the off-site filter would count it as merely off-site."""

    def __init__(self, allow_loopback: bool, stats: Any = None):
        self.allow_loopback = allow_loopback
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> IpLiteralGuardMiddleware:
        from scrapy import signals

        mw = cls(crawler.settings.getbool("NASHRA_ALLOW_LOOPBACK"), crawler.stats)
        # Connected before OffsiteMiddleware's handler (middlewares are built in priority order).
        crawler.signals.connect(mw.request_scheduled, signal=signals.request_scheduled)
        return mw

    def request_scheduled(self, request: Any, spider: Any = None) -> None:
        try:
            self.process_request(request, spider)
        except IgnoreRequest:
            # Refused here already: the off-site filter must not count the same request again.
            request.meta["allow_offsite"] = True
            raise

    def process_request(self, request: Any, spider: Any = None) -> None:
        if request.meta.get("nashra_ssrf_blocked"):
            raise IgnoreRequest(f"blocked {request.url}: {request.meta['nashra_ssrf_blocked']}")
        host = urlsplit(request.url).hostname or ""
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return None
        reason = address_verdict(host, allow_loopback=self.allow_loopback)
        if reason:
            request.meta["nashra_ssrf_blocked"] = reason  # judged (and counted) once
            stats = self.stats or (spider.crawler.stats if spider is not None else None)
            if stats is not None:
                stats.inc_value("nashra/ssrf_blocked")
            raise IgnoreRequest(f"blocked {request.url}: {reason}")
        return None
