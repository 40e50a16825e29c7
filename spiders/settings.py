"""Scrapy settings that hold for every crawl of every outlet (the static half).

`spiders.crawl.scrapy_settings` adds what depends on the outlet (politeness from the registry),
the run (batch, lake, URLs already archived) and the environment (timeouts, test mode). Components
are switched on here with their priority numbers, as Scrapy intends.
"""

from __future__ import annotations

import os

from nashra.core import model

CONTACT = os.environ.get("NASHRA_CONTACT", "nashra-crawler@users.noreply.github.com")

BOT_NAME = "nashra"
USER_AGENT = f"nashra/0.1 (news research crawler; +mailto:{CONTACT})"
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "nashra"
AUTOTHROTTLE_MAX_DELAY = 60.0
DOWNLOAD_MAXSIZE = model.MAX_PAGE_BYTES
# Not the 5 MiB text cap: a page with a 4 MB inline image is an ordinary article (the cap counts
# it without its data: payloads), and a warning for each would be noise.
DOWNLOAD_WARNSIZE = model.MAX_PAGE_BYTES // 2
DNS_TIMEOUT = 10
# Network errors: Scrapy's RetryMiddleware. HTTP 429/5xx: our back-off (slot-wide delay).
RETRY_TIMES = 2
RETRY_HTTP_CODES: list[int] = []
NASHRA_RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
NASHRA_RETRY_TIMES = 3
NASHRA_BACKOFF_CAP = 120.0
# The SSRF guard resolves every host name, redirects included.
TWISTED_DNS_RESOLVER = "spiders.guard.GuardedResolver"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.NoDnsRetryMiddleware": 550,  # where Scrapy's RetryMiddleware sits
    "spiders.middlewares.IncrementalSkipMiddleware": 40,
    "spiders.guard.IpLiteralGuardMiddleware": 45,
    "spiders.middlewares.BackoffRetryMiddleware": 560,
    "spiders.middlewares.FixtureProxyMiddleware": 740,
}
ITEM_PIPELINES = {"spiders.pipelines.WarcArchivePipeline": 100}
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# No scheduler dupefilter: the spider and IncrementalSkipMiddleware already request each listed URL
# once, and the dupefilter silently dropped redirect hops back to a URL already seen (a redirect
# loop a -> b -> a vanished with no trace). Loops now end at REDIRECT_MAX_TIMES as a fetch error in
# the raw archive.
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"


def static_settings() -> dict[str, object]:
    """The settings above as a dict (upper-case names only), for CrawlerProcess."""
    return {name: value for name, value in globals().items() if name.isupper() and name != "CONTACT"}
