"""Network errors are retried, a host that does not resolve is not: offline, each outlet paid three
lookups for robots.txt and three per discovery URL before failing."""

from __future__ import annotations

import scrapy
from scrapy.exceptions import CannotResolveHostError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError, TimeoutError

from spiders.middlewares import NoDnsRetryMiddleware
from spiders.settings import static_settings


def _middleware() -> NoDnsRetryMiddleware:
    crawler = get_crawler(scrapy.Spider, settings_dict={"RETRY_TIMES": 2})
    crawler.spider = scrapy.Spider.from_crawler(crawler, "probe")
    return NoDnsRetryMiddleware.from_crawler(crawler)


def test_a_host_that_does_not_resolve_is_not_asked_again() -> None:
    middleware, request = _middleware(), scrapy.Request("https://www.hespress.com/robots.txt")
    assert middleware.process_exception(request, DNSLookupError("no such host")) is None
    assert middleware.process_exception(request, CannotResolveHostError("no such host")) is None


def test_other_network_errors_are_still_retried() -> None:
    retried = _middleware().process_exception(scrapy.Request("https://www.hespress.com/feed"), TimeoutError())
    assert isinstance(retried, scrapy.Request) and retried.meta["retry_times"] == 1


def test_it_replaces_scrapys_retry_middleware() -> None:
    middlewares = static_settings()["DOWNLOADER_MIDDLEWARES"]
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert middlewares["spiders.middlewares.NoDnsRetryMiddleware"] == 550
