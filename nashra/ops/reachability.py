"""Before a live run: does each outlet's host name resolve? One DNS lookup per host, in parallel.

Offline, a crawl of 37 outlets used to spend minutes finding out one outlet at a time; this
answers in seconds, before anything is crawled. Only names are resolved (no connection is made),
and the lookup function is injectable, so tests use a stub resolver and send nothing.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any
from urllib.parse import urlsplit

LOOKUP_TIMEOUT_S = 5.0
RESOLVER: Callable[..., Any] = socket.getaddrinfo  # what `nashra run` uses; tests put a stub here


def outlet_hosts(outlets: Iterable[Any]) -> dict[str, list[str]]:
    """host -> ids of the outlets that crawl it (homepage and every live discovery URL)."""
    hosts: dict[str, list[str]] = {}
    for outlet in outlets:
        urls = [outlet.homepage, *(d.url or d.url_template or "" for d in outlet.discovery if not d.failing)]
        for url in urls:
            host = urlsplit(url).hostname
            if host and outlet.id not in hosts.setdefault(host, []):
                hosts[host].append(outlet.id)
    return hosts


def unresolved(
    hosts: Iterable[str],
    resolve: Callable[..., Any] = socket.getaddrinfo,
    timeout: float = LOOKUP_TIMEOUT_S,
) -> dict[str, str]:
    """host -> why it did not resolve (an error, or no answer within `timeout`), for the failures."""
    names = sorted(set(hosts))
    if not names:
        return {}
    pool = ThreadPoolExecutor(max_workers=min(16, len(names)), thread_name_prefix="dns-check")
    futures = {pool.submit(resolve, name, 443): name for name in names}
    done, pending = wait(futures, timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)  # a stuck lookup must not hold the command
    failed = {futures[f]: f"no answer in {timeout:.0f} s" for f in pending}
    for future in done:
        error = future.exception()
        if error is not None:
            failed[futures[future]] = f"{type(error).__name__}: {error}"
    return failed


def check_outlets(
    outlets: list[Any], resolve: Callable[..., Any] = socket.getaddrinfo
) -> tuple[list[str], dict[str, str]]:
    """(ids of the outlets with at least one host that resolves, the hosts that do not)."""
    hosts = outlet_hosts(outlets)
    failed = unresolved(hosts, resolve)
    dead = {outlet_id for host, ids in hosts.items() for outlet_id in ids}
    dead -= {outlet_id for host, ids in hosts.items() if host not in failed for outlet_id in ids}
    return [o.id for o in outlets if o.id not in dead], failed
