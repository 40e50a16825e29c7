"""Every page of the fixture web, built once from the seeds and ``texts``.

Dates are fixed (around the reference date 2026-02-02) so runs are reproducible; only the monthly
sitemap URLs a crawler *asks for* depend on its own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from devkit.fixture_web import texts
from devkit.fixture_web.model import Edge, Listed, Story
from devkit.fixture_web.seeds import load_seeds

CASABLANCA = ZoneInfo("Africa/Casablanca")
DOHA = ZoneInfo("Asia/Qatar")
# The "now" of the fixture world: the spiders' monthly/daily expansion must use it in tests.
REFERENCE_NOW = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)

HOSTS: dict[str, str] = {  # outlet id -> host
    "hespress_ar": "hespress.test",
    "le360_fr": "le360.test",
    "qna_en": "qna.test",
    "peninsula_en": "peninsula.test",
    "gulftimes_en": "gulftimes.test",
    "h24info_fr": "h24info.test",
    "aljazeera_ar": "aljazeera.test",
}
OFFSITE_HOST = "evil.test"
WIRE_PORT = "qna-hamad-port-2026-02"


def _at(tz: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=tz)  # type: ignore[misc]


def _url(outlet_id: str, path: str) -> str:
    return f"http://{HOSTS[outlet_id]}{path}"


def _moroccan_stories() -> list[Story]:
    seeds = load_seeds()
    ar, fr = seeds["ar"], seeds["fr"]
    heat_title, heat_body = texts.HESPRESS_HEATWAVE
    stories = [
        Story(
            "hespress_ar",
            _url("hespress_ar", "/tech/morocco-qatar-digital-partnership-1500001.html"),
            "ar",
            ar.title,
            ar.paragraphs,
            _at(CASABLANCA, 2026, 2, 1, 18, 40),
            "hespress",
            ("hespress:sitemap-news", "hespress:feed"),
            author="هسبريس من الرباط",
            page_debris=ar.debris,
        ),
        Story(
            "hespress_ar",
            _url("hespress_ar", "/societe/heatwave-alert-1500002.html"),
            "ar",
            heat_title,
            heat_body,
            _at(CASABLANCA, 2025, 8, 24, 14, 30),
            "hespress",
            ("hespress:feed",),
            date_in_page="text",
            date_in_listing=False,
            author="هسبريس",
        ),
        Story(
            "le360_fr",
            _url(
                "le360_fr",
                "/economie/economie-numerique-le-maroc-et-le-qatar-etudient-les-possibilites"
                "-de-collaboration_K3JQ5TZ2V5HXDNLB/",
            ),
            "fr",
            fr.title,
            fr.paragraphs,
            _at(CASABLANCA, 2026, 2, 1, 10, 5),
            "le360",
            ("le360:sitemap-news",),
            date_in_page="json_ld",
            author="Le360 (avec MAP)",
            page_debris=fr.debris,
            title_in_body=fr.title_repeated,
        ),
    ]
    h24 = [
        (texts.H24_TRAMWAY, "rabat-le-tramway-prolonge-vers-de-nouveaux-quartiers", (2026, 1, 30, 10, 40)),
        (texts.H24_NEIGE, "meteo-chutes-de-neige-attendues-sur-latlas-ce-week-end", (2026, 1, 31, 17, 0)),
        (texts.H24_FORUM_EAU, "marrakech-accueille-un-forum-regional-sur-leau", (2026, 2, 1, 12, 25)),
    ]
    for (title, body), slug, when in h24:
        stories.append(
            Story(
                "h24info_fr",
                _url("h24info_fr", f"/maroc/{slug}/"),
                "fr",
                title,
                body,
                _at(CASABLANCA, *when),
                "h24info",
                ("h24info:rest",),
                author="H24info",
            )
        )
    return stories


def _qatari_stories() -> list[Story]:
    wire_title, wire_body = texts.QNA_WIRE
    slug = "hamad-port-container-volumes-rise-12-percent-in-january"
    wire = {"wire_group": WIRE_PORT, "author": "QNA"}
    trees_title, trees_body = texts.GULFTIMES_TREES
    aj_title, aj_body = texts.ALJAZEERA_WINDS
    return [
        Story(
            "qna_en",
            _url("qna_en", f"/en/news/news-details?id={slug}&date=2/02/2026"),
            "en",
            wire_title,
            wire_body,
            _at(DOHA, 2026, 2, 2, 9, 15),
            "qna",
            ("qna:rss",),
            **wire,
        ),
        Story(
            "peninsula_en",
            _url("peninsula_en", f"/article/02/02/2026/{slug}"),
            "en",
            wire_title,
            wire_body,
            _at(DOHA, 2026, 2, 2, 11, 30),
            "peninsula",
            ("peninsula:monthly",),
            **wire,
        ),
        Story(
            "gulftimes_en",
            _url("gulftimes_en", f"/article/718204/business/{slug}"),
            "en",
            wire_title,
            wire_body,
            _at(DOHA, 2026, 2, 2, 10, 40),
            "gulftimes",
            ("gulftimes:rss",),
            **wire,
        ),
        Story(
            "gulftimes_en",
            _url("gulftimes_en", "/article/718150/qatar/doha-municipality-starts-winter-tree-planting"),
            "en",
            trees_title,
            trees_body,
            _at(DOHA, 2026, 2, 1, 20, 10),
            "gulftimes",
            ("gulftimes:rss",),
            author="Gulf Times Staff",
        ),
        # Reached only through a same-site 302 from its old URL, which is what the sitemap lists.
        Story(
            "aljazeera_ar",
            _url("aljazeera_ar", "/news/2026/2/1/qatar-met-warns-strong-winds-high-waves"),
            "ar",
            aj_title,
            aj_body,
            _at(DOHA, 2026, 2, 1, 16, 20),
            "aljazeera",
            ("aljazeera:daily",),
            date_in_page="json_ld",
            author="الجزيرة نت",
            listed_url=_url("aljazeera_ar", "/news/2026/2/1/qatar-met-warning-winds"),
        ),
    ]


def _edges() -> list[Edge]:
    return [
        Edge(
            "hespress_ar",
            _url("hespress_ar", "/politique/deleted-article-1500003.html"),
            "missing",
            "مقال تم حذفه",
            "ar",
            _at(CASABLANCA, 2026, 2, 1, 12, 0),
            ("hespress:sitemap-news",),
        ),
        Edge(
            "hespress_ar",
            _url("hespress_ar", "/private/draft-1500004.html"),
            "disallowed",
            texts.HESPRESS_PRIVATE[0],
            "ar",
            _at(CASABLANCA, 2026, 2, 1, 20, 0),
            ("hespress:feed",),
        ),
        Edge(
            "le360_fr",
            _url("le360_fr", "/videos/web-summit-qatar-2026-les-coulisses_7QWERTYZ/"),
            "video",
            texts.LE360_VIDEO_TITLE,
            "fr",
            _at(CASABLANCA, 2026, 2, 1, 12, 30),
            ("le360:sitemap-news",),
        ),
        Edge(
            "gulftimes_en",
            _url("gulftimes_en", "/pdf/gulf-times-supplement-2026-02-01.pdf"),
            "pdf",
            "Gulf Times weekend supplement (PDF)",
            "en",
            _at(DOHA, 2026, 2, 1, 6, 0),
            ("gulftimes:rss",),
        ),
        Edge(
            "aljazeera_ar",
            _url("aljazeera_ar", "/ext/partner-story"),
            "offsite_redirect",
            "قصة من موقع شريك",
            "ar",
            _at(DOHA, 2026, 2, 2, 9, 0),
            ("aljazeera:daily",),
            target=f"http://{OFFSITE_HOST}/x",
        ),
    ]


@dataclass(frozen=True)
class Catalog:
    stories: tuple[Story, ...]
    edges: tuple[Edge, ...]

    def listed(self, doc: str) -> list[Listed]:
        """Entries of one discovery document, newest first (as feeds order them)."""
        rows = [
            Listed(s.link, s.title, s.language, s.published if s.date_in_listing else None)
            for s in self.stories
            if doc in s.docs
        ] + [Listed(e.link, e.title, e.language, e.published) for e in self.edges if doc in e.docs]
        return sorted(rows, key=lambda r: r.published or REFERENCE_NOW, reverse=True)

    def publish_date(self, url: str) -> datetime:
        for item in (*self.stories, *self.edges):
            if item.link == url:
                return item.published
        raise KeyError(url)


@cache
def catalog() -> Catalog:
    return Catalog(tuple(_moroccan_stories() + _qatari_stories()), tuple(_edges()))
