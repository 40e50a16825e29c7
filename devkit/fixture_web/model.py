"""What the fixture web serves, as data: article pages (Story) and edge cases (Edge).

Both the server and ``truth.py`` are derived from these records, so the ground truth cannot drift
from what is actually served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

DateSource = Literal["meta", "json_ld", "text"]
EdgeKind = Literal["missing", "video", "pdf", "offsite_redirect", "disallowed"]


@dataclass(frozen=True)
class Story:
    """One article page. ``published`` is aware and outlet-local (as the page states it)."""

    outlet_id: str
    url: str  # where the page is served (the final URL when reached through a redirect)
    language: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    template: str  # key of templates.RENDERERS
    docs: tuple[str, ...]  # discovery documents listing it, e.g. "hespress:feed"
    date_in_page: DateSource = "meta"
    date_in_listing: bool = True  # False: listings omit the date, so only the page can give it
    listed_url: str | None = None  # a same-site URL that 302s here; listings carry that one
    wire_group: str | None = None
    author: str = ""
    page_debris: tuple[str, ...] = ()  # debris text specific to this page (the seed's)
    title_in_body: bool = False  # the scrape repeated the title as the first body paragraph

    @property
    def link(self) -> str:
        return self.listed_url or self.url

    @property
    def published_utc(self) -> datetime:
        return self.published.astimezone(UTC)


@dataclass(frozen=True)
class Edge:
    """A listed URL that must not become an article (quarantine) or must never be fetched."""

    outlet_id: str
    url: str
    kind: EdgeKind
    title: str
    language: str
    published: datetime
    docs: tuple[str, ...]
    target: str | None = None  # redirect target

    @property
    def link(self) -> str:
        return self.url


@dataclass(frozen=True)
class Listed:
    """One entry of a discovery document."""

    url: str
    title: str
    language: str
    published: datetime | None
