"""Routes whose answer depends on the request: monthly and daily sitemaps, the WordPress REST API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import escape
from math import ceil

from devkit.fixture_web import listings
from devkit.fixture_web.catalog import REFERENCE_NOW, Catalog
from devkit.fixture_web.model import Listed
from devkit.fixture_web.responses import XML, Response, json_response, ok
from devkit.fixture_web.templates.common import paras

MONTHLY = re.compile(r"^/sitemap_articles-(\d{4})-(\d{1,2})\.xml$")
DAILY_PATH = "/sitemaps/article-daily.xml"
WP_POSTS_PATHS = ("/wp-json/wp/v2/posts", "/wp-json/wp/v2/posts/")
# Real WordPress allows 100 per page; the fixture caps at 2 so pagination is always exercised.
WP_MAX_PER_PAGE = 2
WP_FIRST_ID = 30101

Params = dict[str, list[str]]


def monthly_sitemap(cat: Catalog, path: str) -> Response | None:
    """``/sitemap_articles-2026-2.xml`` (or ``-02``): that month's articles; other months are empty."""
    match = MONTHLY.match(path)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    items = [i for i in cat.listed("peninsula:monthly") if _month_of(i) == (year, month)]
    return ok(listings.urlset(items), XML, REFERENCE_NOW)


def _month_of(item: Listed) -> tuple[int, int] | None:
    return (item.published.year, item.published.month) if item.published else None


def daily_days(cat: Catalog) -> list[date]:
    return sorted({i.published.date() for i in cat.listed("aljazeera:daily") if i.published}, reverse=True)


def daily_sitemap_url(host: str, day: date) -> str:
    return f"http://{host}{DAILY_PATH}?yyyy={day.year}&mm={day.month:02d}&dd={day.day:02d}"


def daily_sitemap(cat: Catalog, path: str, params: Params) -> Response | None:
    """``/sitemaps/article-daily.xml?yyyy=2026&mm=02&dd=01``: that day's articles, else empty."""
    if path != DAILY_PATH:
        return None
    try:
        day = date(int(params["yyyy"][0]), int(params["mm"][0]), int(params["dd"][0]))
    except (KeyError, ValueError):
        return None
    items = [i for i in cat.listed("aljazeera:daily") if i.published and i.published.date() == day]
    return ok(listings.urlset(items), XML, REFERENCE_NOW)


def _wp_error(code: str, message: str) -> Response:
    return json_response({"code": code, "message": message, "data": {"status": 400}}, status=400)


def _parse_after(params: Params, name: str) -> datetime | None:
    if name not in params:
        return None
    value = datetime.fromisoformat(params[name][0].replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _excerpt(first_paragraph: str) -> str:
    return f"<p>{escape(first_paragraph[:140])}&hellip;</p>"


def wp_posts(cat: Catalog, host: str, path: str, params: Params) -> Response | None:
    """``/wp-json/wp/v2/posts?per_page=N&page=P[&after=ISO][&order=asc]`` with X-WP-Total(Pages)."""
    if path not in WP_POSTS_PATHS:
        return None
    stories = sorted((s for s in cat.stories if "h24info:rest" in s.docs), key=lambda s: s.published)
    ids = {s.url: WP_FIRST_ID + n for n, s in enumerate(stories)}
    try:
        per_page = int(params.get("per_page", ["10"])[0])
        page = int(params.get("page", ["1"])[0])
        after, modified_after = _parse_after(params, "after"), _parse_after(params, "modified_after")
    except ValueError:
        return _wp_error("rest_invalid_param", "Invalid parameter(s).")
    if not 1 <= per_page <= 100 or page < 1:
        return _wp_error("rest_invalid_param", "Invalid parameter(s): per_page, page")
    for bound in (after, modified_after):
        if bound is not None:
            stories = [s for s in stories if s.published_utc > bound]
    if params.get("order", ["desc"])[0] != "asc":
        stories.reverse()
    size = min(per_page, WP_MAX_PER_PAGE)
    total_pages = ceil(len(stories) / size)
    if page > max(total_pages, 1):
        return _wp_error(
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
        )
    chunk = stories[(page - 1) * size : page * size]
    posts = [listings.wp_post(s, ids[s.url], paras(s.paragraphs), _excerpt(s.paragraphs[0])) for s in chunk]
    headers = {"X-WP-Total": str(len(stories)), "X-WP-TotalPages": str(total_pages)}
    if page < total_pages:
        next_page = f"http://{host}{WP_POSTS_PATHS[0]}?per_page={per_page}&page={page + 1}"
        headers["Link"] = f'<{next_page}>; rel="next"'
    return json_response(posts, **headers)
