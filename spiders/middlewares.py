"""Downloader middlewares: how pages are fetched (politeness, test-mode proxy, incremental skipping)."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from twisted.internet.error import DNSLookupError

from spiders.guard import refusal

log = logging.getLogger(__name__)


class FixtureProxyMiddleware:
    """Test/demo mode: route every request through the offline fixture web, which answers as the
    outlets' hosts (`http://hespress.test/...`). Off outside test mode (setting empty)."""

    def __init__(self, proxy: str | None):
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Any) -> FixtureProxyMiddleware:
        return cls(crawler.settings.get("NASHRA_FIXTURE_PROXY") or None)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.proxy:
            request.meta["proxy"] = self.proxy


class IncrementalSkipMiddleware:
    """Skip article URLs the lake already holds a usable fetch of (raw_index), so a scheduled crawl
    fetches only what is new. Feeds, sitemaps and robots.txt are always fetched."""

    # Article URLs requested so far by this crawl process (one process = one outlet batch): the
    # families run one after another, and a URL listed by both the feed and the sitemap is
    # fetched once.
    requested_in_batch: set[str] = set()  # noqa: RUF012 - process-wide on purpose

    def __init__(self, seen: set[str]):
        self.seen = seen

    @classmethod
    def from_crawler(cls, crawler: Any) -> IncrementalSkipMiddleware:
        return cls(crawler.settings.get("NASHRA_SEEN_URLS") or set())

    def process_request(self, request: Request, spider: Spider) -> None:
        meta = request.meta
        # Redirect hops and retries (429/5xx back-off, network errors) re-enter the middleware
        # chain with a URL this crawl has already let through: they are not new listings.
        if not meta.get("nashra_article") or meta.get("redirect_times") or meta.get("retry_times"):
            return
        if request.url in self.seen:
            spider.crawler.stats.inc_value("nashra/skipped_already_archived")
            raise IgnoreRequest(f"already archived: {request.url}")
        if request.url in self.requested_in_batch:
            spider.crawler.stats.inc_value("nashra/skipped_same_batch")
            raise IgnoreRequest(f"already requested in this batch: {request.url}")
        self.requested_in_batch.add(request.url)


class BackoffRetryMiddleware:
    """Retries 429/5xx with exponential back-off applied to the whole download slot (the domain),
    honouring Retry-After. Scrapy's own RetryMiddleware re-queues at once, which hammers a site that
    is already saying "slow down"; AutoThrottle then keeps the raised delay until responses are 200."""

    def __init__(self, codes: set[int], max_retries: int, base: float, cap: float):
        self.codes = codes
        self.max_retries = max_retries
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        s = crawler.settings
        return cls(
            {int(c) for c in s.getlist("NASHRA_RETRY_HTTP_CODES")},
            s.getint("NASHRA_RETRY_TIMES"),
            s.getfloat("NASHRA_BACKOFF_BASE"),
            s.getfloat("NASHRA_BACKOFF_CAP"),
        )

    def process_response(self, request: Request, response: Response, spider: Spider) -> Request | Response:
        if response.status not in self.codes:
            return response
        attempt = request.meta.get("retry_times", 0) + 1
        delay = min(self.cap, self._retry_after(response) or self.base * 2 ** (attempt - 1))
        self._slow_down(request, spider, delay)
        retry = get_retry_request(
            request, spider=spider, reason=f"http_{response.status}", max_retry_times=self.max_retries
        )
        return retry or response  # out of retries: the response is archived and quarantined later

    @staticmethod
    def _retry_after(response: Response) -> float | None:
        value = response.headers.get(b"Retry-After")
        if not value:
            return None
        text = value.decode("latin-1").strip()
        if text.isdigit():
            return float(text)
        try:
            from datetime import UTC, datetime

            return max(0.0, (parsedate_to_datetime(text) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None

    @staticmethod
    def _slow_down(request: Request, spider: Spider, delay: float) -> None:
        downloader = spider.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay < delay:
            log.info("back-off: %s delay %.1fs after HTTP error", key, delay)
            slot.delay = delay


class NoDnsRetryMiddleware(RetryMiddleware):
    """Scrapy's retries of network errors, except a host name that does not resolve: asking again a
    second later gets the same answer (offline, each outlet paid three failed lookups for robots.txt
    and three per discovery URL); the next scheduled crawl tries again anyway.

    The SSRF guard's refusals at resolution arrive here as DNS errors: they become the same
    "blocked ..." IgnoreRequest as an IP literal refused before the request, counted once per
    request as `ssrf_blocked` (robots.txt of a refused host is not a page, so not counted)."""

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> Any:
        reason = refusal(exception, urlsplit(request.url).hostname or "")
        if reason:
            if not request.meta.get("dont_obey_robotstxt"):
                self.crawler.stats.inc_value("nashra/ssrf_blocked")
            raise IgnoreRequest(f"blocked {request.url}: {reason}")
        if isinstance(exception, (DNSLookupError, CannotResolveHostError)):
            return None
        return super().process_exception(request, exception)  # Scrapy 2.13+: no spider argument
