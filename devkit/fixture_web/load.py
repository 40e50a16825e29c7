"""``http://load.test/``: a fixture outlet of any size for load tests, generated on the fly.

Nothing is stored: article ``/news/<n>.html`` is rendered from its number (a deterministic word
sequence, so no two bodies are near-duplicates), and the sitemap index
``/sitemap_index.xml?pages=N`` lists ``ceil(N / 1000)`` sitemaps ``/sitemap-<i>.xml?pages=N`` of up
to 1,000 URLs each. Registry: ``load.yaml``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from devkit.fixture_web.listings import SITEMAP_NS, robots_txt
from devkit.fixture_web.responses import TEXT, XML, Response, not_found, ok

HOST = "load.test"
OUTLET_ID = "load_test"
REGISTRY_PATH = Path(__file__).with_name("load.yaml")
PER_SITEMAP = 1000
DEFAULT_PAGES = 50_000
MAX_PAGES = 1_000_000
DAY_START = datetime(2026, 2, 1, 0, 0, tzinfo=UTC)  # pages spread over the fixture world's day before

# A neutral English vocabulary; 120 words per body drawn per page. Word 3-shingles of two such
# bodies share nothing by chance, so dedup treats every page as its own article.
_VOCABULARY = (
    "minister council budget port container harbour metro station line tender contract district "
    "school hospital clinic water power grid solar desert road bridge airport terminal cargo "
    "freight shipping customs trade export import market price index growth quarter annual report "
    "survey census housing rent tenant owner developer project phase works crew engineer design "
    "plan review committee vote session debate law draft amendment court ruling appeal judge "
    "police traffic safety campaign festival museum library exhibition concert season league match "
    "team coach player stadium final record weather wind rain heat storm forecast coast fishing boat "
    "farm harvest crop seed irrigation dam reservoir pipeline refinery gas oil tanker fleet bank loan "
    "credit fund investor share bond rating currency inflation wage worker union strike talks deal "
    "agreement partner visit delegation summit forum conference startup platform digital network "
    "mobile service customer license permit inspection audit office agency authority official "
    "spokesman statement figures total average increase decrease compared previous expected "
    "planned announced confirmed reported launched opened completed extended approved rejected"
)
_WORDS = tuple(_VOCABULARY.split())


def _rng(n: int) -> random.Random:
    return random.Random(n * 2654435761 % 2**32)  # noqa: S311 - fixture text, not security


def title(n: int) -> str:
    words = _rng(n).sample(_WORDS, 6)
    return f"{' '.join(words).capitalize()} report {n}"


def published(n: int) -> datetime:
    return DAY_START + timedelta(seconds=(n * 7919) % 86_000)


def url(n: int) -> str:
    return f"http://{HOST}/news/{n}.html"


def article_html(n: int) -> str:
    rng = _rng(n)
    rng.sample(_WORDS, 6)  # the title's draw
    paras = []
    for _ in range(4):
        words = [rng.choice(_WORDS) for _ in range(30)]
        paras.append(" ".join(words).capitalize() + ".")
    when = published(n).isoformat()
    head = (
        f"<title>{title(n)} | Load</title>"
        f'<meta property="article:published_time" content="{when}">'
        f'<link rel="canonical" href="{url(n)}">'
    )
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}</head><body>'
        f'<nav><a href="/">load.test</a></nav><article><h1>{title(n)}</h1>'
        f'<div class="article-body">{body}</div></article><footer>© load.test</footer></body></html>'
    )


def _pages(params: dict[str, list[str]]) -> int:
    raw = (params.get("pages") or [str(DEFAULT_PAGES)])[0]
    return max(0, min(MAX_PAGES, int(raw))) if raw.isdigit() else DEFAULT_PAGES


def sitemap_count(pages: int) -> int:
    return -(-pages // PER_SITEMAP)


@cache
def _robots() -> Response:
    return ok(robots_txt(), TEXT)


def resolve(path: str, query: str = "") -> Response:
    params = parse_qs(query)
    pages = _pages(params)
    if path == "/robots.txt":
        return _robots()
    if path == "/sitemap_index.xml":
        rows = "".join(
            f"<sitemap><loc>{escape(f'http://{HOST}/sitemap-{i}.xml?pages={pages}')}</loc>"
            f"<lastmod>2026-02-02T00:00:00+00:00</lastmod></sitemap>\n"
            for i in range(sitemap_count(pages))
        )
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
        body += f"{rows}</sitemapindex>\n"
        return ok(body, XML)
    if path.startswith("/sitemap-") and path.endswith(".xml"):
        index = path[len("/sitemap-") : -len(".xml")]
        if not index.isdigit() or int(index) >= sitemap_count(pages):
            return not_found(HOST)
        first = int(index) * PER_SITEMAP
        rows = "".join(
            f"<url><loc>{url(n)}</loc><lastmod>{published(n).isoformat()}</lastmod></url>\n"
            for n in range(first, min(first + PER_SITEMAP, pages))
        )
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{rows}</urlset>\n'
        return ok(body, XML)
    if path.startswith("/news/") and path.endswith(".html"):
        number = path[len("/news/") : -len(".html")]
        if number.isdigit() and int(number) < MAX_PAGES:
            return ok(article_html(int(number)), last_modified=published(int(number)))
    return not_found(HOST)
