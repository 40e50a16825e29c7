"""Ground truth of the fixture web, for end-to-end and extraction tests.

Everything is derived from the same catalog the server renders, so it cannot drift from what is
served. Importing this module reads the seed files (``NASHRA_SEEDS_DIR`` or the packaged copy).

- ``ARTICLES``: every article page with its expected title, UTC publication time, snippets that must
  be in the extracted body and debris that must not.
- ``WIRE_GROUPS``: sets of article URLs that are identical wire copies (same title, same body).
- ``QUARANTINED``: listed URLs that must end as a Rejection, with the reason family.
- ``NEVER_FETCHED`` / ``FORBIDDEN_HOSTS`` / ``DISALLOWED_PREFIXES``: what a polite, offsite-filtering
  crawler never requests.
- ``REDIRECTS``: listed URL -> Location, same-site (follow) and off-site (drop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from devkit.fixture_web import templates
from devkit.fixture_web.catalog import HOSTS, OFFSITE_HOST, REFERENCE_NOW, catalog
from devkit.fixture_web.model import Edge, Story

QuarantineReason = Literal["http_status", "not_html", "no_main_text"]

REGISTRY_PATH = Path(__file__).with_name("outlets.yaml")
OUTLET_IDS: tuple[str, ...] = tuple(HOSTS)
FORBIDDEN_HOSTS: frozenset[str] = frozenset({OFFSITE_HOST})
DISALLOWED_PREFIXES: dict[str, tuple[str, ...]] = {
    host: ("/wp-admin/", "/private/") if oid in ("hespress_ar", "h24info_fr") else ("/private/",)
    for oid, host in HOSTS.items()
}
__all__ = [
    "ARTICLES",
    "DISALLOWED_PREFIXES",
    "FORBIDDEN_HOSTS",
    "NEVER_FETCHED",
    "OUTLET_IDS",
    "QUARANTINED",
    "REDIRECTS",
    "REFERENCE_NOW",
    "REGISTRY_PATH",
    "WIRE_GROUPS",
    "ArticleTruth",
    "NeverFetched",
    "QuarantineTruth",
    "article",
    "articles_of",
    "outcome",
]


@dataclass(frozen=True)
class ArticleTruth:
    url: str  # final URL of the page
    listed_url: str  # what the discovery document lists (differs only after a same-site redirect)
    outlet_id: str
    language: str
    title: str
    published_utc: datetime
    published_local: datetime  # as the page states it, with the outlet's offset
    date_source: str  # meta | json_ld | text (text: a Moroccan-month date in visible text only)
    date_in_listing: bool  # False: the discovery document gives no date, only the page does
    must_contain: tuple[str, ...]
    must_not_contain: tuple[str, ...]
    wire_group: str | None
    body: str  # the full expected body, paragraphs joined by blank lines


@dataclass(frozen=True)
class QuarantineTruth:
    url: str
    outlet_id: str
    reason: QuarantineReason
    status: int  # HTTP status the server answers


@dataclass(frozen=True)
class NeverFetched:
    url: str
    outlet_id: str
    why: Literal["robots", "offsite"]
    listed_url: str  # the listed URL that leads to it (itself for robots; the redirect for offsite)


def _snippets(story: Story) -> tuple[str, ...]:
    # Short spans inside single paragraphs, so whitespace normalisation cannot break them.
    first, last = story.paragraphs[0].split(), story.paragraphs[-1].split()
    picks = [" ".join(first[:8]), " ".join(last[-8:])]
    if len(story.paragraphs) > 2:
        middle = story.paragraphs[len(story.paragraphs) // 2].split()
        picks.append(" ".join(middle[2:9]))
    return tuple(picks)


def _article(story: Story) -> ArticleTruth:
    return ArticleTruth(
        url=story.url,
        listed_url=story.link,
        outlet_id=story.outlet_id,
        language=story.language,
        title=story.title,
        published_utc=story.published_utc,
        published_local=story.published,
        date_source=story.date_in_page,
        date_in_listing=story.date_in_listing,
        must_contain=_snippets(story),
        must_not_contain=templates.debris(story),
        wire_group=story.wire_group,
        body="\n\n".join(story.paragraphs),
    )


_REASONS: dict[str, tuple[QuarantineReason, int]] = {
    "missing": ("http_status", 404),
    "pdf": ("not_html", 200),
    "video": ("no_main_text", 200),
}


def _never(edge: Edge) -> NeverFetched:
    if edge.kind == "disallowed":
        return NeverFetched(edge.url, edge.outlet_id, "robots", edge.url)
    assert edge.target is not None
    return NeverFetched(edge.target, edge.outlet_id, "offsite", edge.url)


_CATALOG = catalog()
ARTICLES: tuple[ArticleTruth, ...] = tuple(_article(s) for s in _CATALOG.stories)
WIRE_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(a.url for a in ARTICLES if a.wire_group == group)
    for group in sorted({a.wire_group for a in ARTICLES if a.wire_group})
)
QUARANTINED: tuple[QuarantineTruth, ...] = tuple(
    QuarantineTruth(e.url, e.outlet_id, *_REASONS[e.kind]) for e in _CATALOG.edges if e.kind in _REASONS
)
NEVER_FETCHED: tuple[NeverFetched, ...] = tuple(
    _never(e) for e in _CATALOG.edges if e.kind in ("disallowed", "offsite_redirect")
)
REDIRECTS: dict[str, str] = {
    **{s.listed_url: s.url for s in _CATALOG.stories if s.listed_url},
    **{e.url: e.target for e in _CATALOG.edges if e.target},
}


def article(url: str) -> ArticleTruth:
    """The article served at ``url`` (final or listed URL)."""
    for item in ARTICLES:
        if url in (item.url, item.listed_url):
            return item
    raise KeyError(f"no fixture article at {url}")


def articles_of(outlet_id: str) -> tuple[ArticleTruth, ...]:
    return tuple(a for a in ARTICLES if a.outlet_id == outlet_id)


def outcome(listed_url: str) -> str:
    """What a correct crawl does with a URL found in a discovery document: ``article``,
    ``redirect_same_site``, ``redirect_offsite``, ``quarantine:<reason>`` or ``never_fetch``."""
    if any(n.listed_url == listed_url and n.why == "robots" for n in NEVER_FETCHED):
        return "never_fetch"
    if any(n.listed_url == listed_url and n.why == "offsite" for n in NEVER_FETCHED):
        return "redirect_offsite"
    if listed_url in REDIRECTS:
        return "redirect_same_site"
    if any(a.url == listed_url for a in ARTICLES):
        return "article"
    for q in QUARANTINED:
        if q.url == listed_url:
            return f"quarantine:{q.reason}"
    raise KeyError(f"{listed_url} is not a fixture URL")
