"""The committed evaluation set, generated at import from ``texts.py`` x ``templates.py``.

Each text is rendered in seven outlet-family variants (WordPress, WordPress with pasted debris,
Arc XP, Arc XP with pasted debris, the '/rssFeed/N' CMS with registry hints, a JSON-LD story page,
a JSON-LD teaser page), with its own date, authors and debris wordings, and the truth to score:
snippets that must be in the body, snippets that must not, and the expected metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.eval.extraction import templates
from tests.eval.extraction.debris import FAMILIES, RELATED_TITLES, pick
from tests.eval.extraction.texts import EvalText, all_texts
from tests.support import StubOutlet

NOW = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class EvalPage:
    name: str
    language: str
    family: str
    url: str
    html: str
    outlet: StubOutlet
    must: tuple[str, ...]
    must_not: tuple[str, ...]
    title: str  # also: the body must not start with it
    expected: dict[str, object]  # metadata field -> expected value (None = must be null)


_MONTHS = {
    "ar_MA": "يناير فبراير مارس أبريل ماي يونيو يوليوز غشت شتنبر أكتوبر نونبر دجنبر".split(),  # noqa: SIM905
    "ar_QA": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split(),  # noqa: SIM905
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),  # noqa: SIM905
    "en": "January February March April May June July August September October November December".split(),  # noqa: SIM905
}
_AUTHORS = {
    "ar": ("محمد الأمين", "سناء العلوي", "يوسف الكبير"),
    "fr": ("Karim Benali", "Salma Idrissi", "Nadia Tazi"),
    "en": ("Sarah Ahmed", "John Carter", "Fatima Al-Sulaiti"),
}
_BYLINE = {"ar": ("بقلم", " و"), "fr": ("Par", " et "), "en": ("By", " and ")}
_SECTIONS = {"ar": ("اقتصاد", "مجتمع"), "fr": ("Economie", "Société"), "en": ("Business", "Community")}
_TAGS = {
    "ar": ("المغرب", "قطر", "الاقتصاد"),
    "fr": ("Maroc", "Economie", "Régions"),
    "en": ("Qatar", "Doha", "Transport"),
}


def _date_text(local: datetime, lang: str, country: str, n: int) -> str:
    if lang == "ar":
        month = _MONTHS[f"ar_{country}"][local.month - 1]
        return f"{local.day} {month} {local.year} - {local:%H:%M}"
    if lang == "fr":
        month = _MONTHS["fr"][local.month - 1]
        return (
            f"Le {local:%d/%m/%Y} à {local:%H}h{local:%M}"
            if n % 2
            else f"{local.day} {month} {local.year} à {local:%H:%M}"
        )
    return f"{_MONTHS['en'][local.month - 1]} {local.day}, {local.year} {local:%H:%M}"


def _snippets(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    starts = [p[:60] for p in paragraphs]
    return tuple(dict.fromkeys([*starts[:5], paragraphs[-1][-50:]]))


Variant = tuple[str, Callable[[templates.PageSpec], str], bool]
VARIANTS: tuple[Variant, ...] = (
    ("wordpress", templates.wordpress, False),
    ("wordpress_pasted", templates.wordpress, True),
    ("arc", templates.arc, False),
    ("arc_pasted", templates.arc, True),
    ("rssfeed_hinted", templates.rssfeed_cms, True),
    ("jsonld_story", lambda s: templates.jsonld_story(s, teaser=False), False),
    ("jsonld_teaser", lambda s: templates.jsonld_story(s, teaser=True), False),
)
RSS_HINTS = {
    "body_selector": "div.texte-article",
    "date_text_selector": "span.date-article",
    "title_selector": "h2.titre",
    "author_selector": "span.auteur",
}


def _page(text: EvalText, t_index: int, v_index: int) -> EvalPage:
    family, render, pasted = VARIANTS[v_index]
    n = t_index * len(VARIANTS) + v_index
    lang = text.language
    country = "QA" if lang == "en" or (lang == "ar" and t_index % 2) else "MA"
    tz = "Asia/Qatar" if country == "QA" else "Africa/Casablanca"
    domain = f"{family.split('_')[0]}-{lang}-{country.lower()}.test"
    url = f"https://www.{domain}/{n}/{text.key.replace('_', '-')}"
    # Dates spread over the year, Ramadan included (Morocco is at UTC+0 then).
    local = datetime(2025, 1 + n % 12, 1 + (n * 7) % 27, (6 + n * 5) % 24, (n * 13) % 60, tzinfo=ZoneInfo(tz))
    published = local.astimezone(UTC)
    modified = local + timedelta(hours=2, minutes=15) if n % 3 == 0 else None
    # no byline where the source names no author (Wikinews): then the authors must come back empty
    authors = _AUTHORS[lang][n % 3 : n % 3 + 1 + n % 2] if text.bylined else ()
    section = _SECTIONS[lang][n % 2]
    tags = _TAGS[lang][: 2 + n % 2]
    image = f"https://www.{domain}/uploads/{n}.jpg"
    debris = {f: pick(f, lang, n) for f in FAMILIES}
    related = RELATED_TITLES[lang][n % 2]
    prefix, _sep = _BYLINE[lang]
    spec = templates.PageSpec(
        url=url,
        lang=lang,
        title=text.title,
        paragraphs=text.paragraphs,
        authors=authors if family != "wordpress" else tuple(f"{prefix} {a}" for a in authors),
        published_iso=local.isoformat(timespec="seconds"),
        modified_iso=modified.isoformat(timespec="seconds") if modified else None,
        date_text=_date_text(local, lang, country, n),
        section=section,
        tags=tags,
        image=image,
        debris=debris,
        related=related,
        site=domain.split(".")[0],
        pasted=pasted,
        extra={"byline_prefix": prefix, "byline_sep": _sep},
    )
    hinted = family == "rssfeed_hinted"
    outlet = StubOutlet(
        f"{family}_{lang}", country, (lang,), tz, (domain,), dict(RSS_HINTS) if hinted else {}
    )
    expected: dict[str, object] = {
        "title": text.title,
        "authors": list(authors),
        "published_at": published,
        "modified_at": None if hinted or modified is None else modified.astimezone(UTC),
        "section": None if hinted else section,
        "tags": [] if hinted else list(tags),
        "image_url": None if hinted else image,
        "language": lang,
    }
    return EvalPage(
        name=f"{n:02d}-{lang}-{family}-{text.key}",
        language=lang,
        family=family,
        url=url,
        html=render(spec),
        outlet=outlet,
        must=_snippets(text.paragraphs),
        # as trafilatura's own set requires: a must-not snippet that the article itself contains
        # (the label "مشاركة" inside "المشاركة") could never be scored as left-over debris
        # the visible date line is metadata: left in the body it is debris too
        must_not=tuple(
            d
            for d in (*debris.values(), related, spec.date_text)
            if d not in " ".join((text.title, *text.paragraphs))
        ),
        title=text.title,
        expected=expected,
    )


def eval_pages() -> list[EvalPage]:
    texts = all_texts()
    return [_page(text, t, v) for t, text in enumerate(texts) for v in range(len(VARIANTS))]
