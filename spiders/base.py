"""What every family spider shares: outlet config from the registry, article requests, archiving.

A family spider only says how to read its discovery documents (feed, sitemap, WordPress API) and
yields `self.article_request(url, listing)` for each article; fetching, politeness, guarding,
skipping and archiving are the same for all families.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from nashra.core.model import RawPage
from nashra.core.registry import Outlet, load_registry

_ERROR_STATUSES = list(range(400, 600))
# Requests dropped on purpose, each counted in the crawl stats (robots.txt, off-site, already
# archived, SSRF guard). Any other IgnoreRequest (a gzip bomb over DOWNLOAD_MAXSIZE, a redirect
# loop past REDIRECT_MAX_TIMES) is a page that could not be fetched: it is archived as a fetch error.
_FILTERED_BY_DESIGN = (
    "Forbidden by robots.txt",
    "Filtered offsite request",
    "already archived:",
    "already requested in this batch:",
    "blocked ",
)


class NashraSpider(scrapy.Spider):
    family: str = ""  # feed | sitemap | wordpress

    def __init__(
        self,
        outlet_id: str,
        batch_id: str,
        registry_path: str | None = None,
        today: str | None = None,
        max_articles: int = 200,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.outlet: Outlet = load_registry(registry_path).get(outlet_id)
        self.batch_id = batch_id
        self.today = date.fromisoformat(today) if today else datetime.now(UTC).date()
        self.max_articles = int(max_articles)
        # Scrapy's offsite middlewares read this: off-site links and off-site redirects are dropped.
        self.allowed_domains = list(self.outlet.allowed_domains)
        self._requested: set[str] = set()
        self.discovery_failures: list[str] = []

    # -- discovery -------------------------------------------------------------------------
    def discovery_urls(self) -> list[str]:
        return self.outlet.discovery_urls(self.family, self.today)

    async def start(self) -> Any:  # Scrapy >= 2.13
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.discovery_urls():
            yield self.discovery_request(url)

    def discovery_request(self, url: str, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_discovery,
            errback=self.discovery_failed,
            meta={"nashra_discovery": True, **kwargs.pop("meta", {})},
            **kwargs,
        )

    def parse_discovery(self, response: Response) -> Iterator[scrapy.Request]:
        raise NotImplementedError

    def discovery_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.discovery_failures.append(f"{request.url}: {failure.getErrorMessage() or failure.type.__name__}")
        self.crawler.stats.inc_value("nashra/discovery_failed")

    def discovery_response_ok(self, response: Response) -> bool:
        if response.status >= 400:
            self.discovery_failures.append(f"{response.url}: HTTP {response.status}")
            self.crawler.stats.inc_value("nashra/discovery_failed")
            return False
        self.crawler.stats.inc_value("nashra/discovery_ok")
        return True

    # -- articles --------------------------------------------------------------------------
    def article_request(self, url: str, listing: dict[str, str] | None = None) -> scrapy.Request | None:
        url = url.strip()
        if not url or url in self._requested:
            return None
        if not self.outlet.allows_url(url):
            self.crawler.stats.inc_value("nashra/listing_offsite")
            return None
        if not self.outlet.is_article_url(url):
            self.crawler.stats.inc_value("nashra/listing_not_article")
            return None
        if len(self._requested) >= self.max_articles:
            self.crawler.stats.inc_value("nashra/listing_over_limit")
            return None
        self._requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={
                "nashra_article": True,
                "nashra_listing": {k: v for k, v in (listing or {}).items() if v},
                # 4xx/5xx reach parse_article and are archived (then quarantined by status); 3xx
                # must not be listed here, or the redirect middleware would not follow them.
                "handle_httpstatus_list": _ERROR_STATUSES,
            },
        )

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        request_url = response.request.meta.get("redirect_urls", [response.url])[0]
        headers = {
            k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
        }
        yield {
            "page": RawPage(
                outlet_id=self.outlet.id,
                url=request_url,
                final_url=response.url,
                status=response.status,
                headers=headers,
                body=response.body,
                fetched_at=datetime.now(UTC),
                batch_id=self.batch_id,
                discovery=self.family,
                listing=response.meta.get("nashra_listing", {}),
            )
        }

    def article_failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        if failure.check(IgnoreRequest) and failure.getErrorMessage().startswith(_FILTERED_BY_DESIGN):
            return  # robots.txt, off-site redirect, already archived, SSRF: by design, counted in stats
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value("nashra/fetch_failed")
        yield {
            "page": RawPage(
                outlet_id=self.outlet.id,
                # The listed URL, not the last redirect hop (a loop fails on a URL nobody listed).
                url=request.meta.get("redirect_urls", [request.url])[0],
                final_url=request.url,
                status=0,
                headers={},
                body=b"",
                fetched_at=datetime.now(UTC),
                batch_id=self.batch_id,
                discovery=self.family,
                listing=request.meta.get("nashra_listing", {}),
            ),
            "fetch_error": f"{failure.type.__name__}: {failure.getErrorMessage()}",
        }
