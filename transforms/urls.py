"""Canonical URL of an article: the identity that article ids and dedup hang on."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tld import get_fld
from w3lib.url import canonicalize_url

# An explicit list rather than courlan's broad regex, which also strips params such as
# "gallery" or "sourceid" that can tell two articles apart.
_TRACKERS = re.compile(
    r"^(?:utm|hsa|pk|mtm|__hs|_hs|vero|oly|wt|at)_|"
    r"^(?:fbclid|gclid|gclsrc|dclid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|ref|ref_src|"
    r"amp|output|share|s_cid|cmpid|ito|spm|from|src|ncid|ocid|sr_share|wt\.mc_id)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracker(param: str) -> bool:
    return bool(_TRACKERS.search(param))


def registrable_domain(url: str) -> str | None:
    """eTLD+1 (offline list bundled with `tld`); the bare host for localhost/IPs."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return _site_of_host(host) if host else None


@lru_cache(maxsize=4096)
def _site_of_host(host: str) -> str:
    # get_fld costs ~0.5 ms and a crawl sees few distinct hosts
    fld = get_fld(f"http://{host}/", fail_silently=True)
    return str(fld) if fld else host


def _absolute_http(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return url


def normalize_url(url: str) -> str:
    """Lowercase scheme and host, drop default port, fragment and trackers, sort the query.

    The path keeps its case (servers are case-sensitive) and the scheme is kept as given,
    since http and https copies are sometimes distinct.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracker(k))
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
    # w3lib settles percent-encoding (raw Arabic slug vs %D9%85..., %d9 vs %D9) and sorts the query.
    return canonicalize_url(rebuilt)


def canonical_url(page_url: str, html_canonical: str | None, og_url: str | None) -> str:
    """The declared canonical (then og:url) when it is on the page's own site, else the page URL."""
    page_site = registrable_domain(page_url)
    for candidate in (html_canonical, og_url):
        absolute = _absolute_http(candidate)
        # A canonical pointing off-site (syndication partner, CMS misconfiguration) would merge
        # unrelated articles under one id, so it is ignored.
        if absolute and page_site and registrable_domain(absolute) == page_site:
            return normalize_url(absolute)
    return normalize_url(page_url)
