"""The held-out split, generated at import from ``texts.yaml`` x ``debris.yaml`` x ``templates.py``.

Each of the 12 texts is rendered in the 7 CMS families of ``templates.FAMILIES`` with its own
outlet, timezone, date, section, tags, image and debris wordings; the truth is built the same way
as the tuning set's: must-have snippets, must-not debris (every furniture string the page shows,
unless the article itself contains it), expected metadata. No registry hints: these outlets are new.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from lxml import html as lxml_html

from tests.eval.extraction.heldout import templates
from tests.eval.extraction.pages import EvalPage
from tests.support import StubOutlet

HERE = Path(__file__).resolve().parent
TEXTS_YAML = HERE / "texts.yaml"
DEBRIS_YAML = HERE / "debris.yaml"

# Two outlets' countries per language, none of them the tuning set's (Morocco, Qatar).
_ZONES = {
    "ar": (("SA", "Asia/Riyadh"), ("EG", "Africa/Cairo")),
    "fr": (("TN", "Africa/Tunis"), ("FR", "Europe/Paris")),
    "en": (("AE", "Asia/Dubai"), ("KE", "Africa/Nairobi")),
}
_AUTHORS = ("ليلى الحسني", "كريم بن يوسف", "هدى العمراني")
_SECTIONS = {
    "ar": ("دولي", "جهات", "ثقافة"),
    "fr": ("International", "Politique", "Culture"),
    "en": ("World", "Africa", "Science"),
}
_TAGS = {
    "ar": ("التنمية", "البنية التحتية", "المناخ"),
    "fr": ("Proche-Orient", "Diplomatie", "Élections"),
    "en": ("Middle East", "Diplomacy", "Trade"),
}
_MONTHS = {
    "ar": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split(),  # noqa: SIM905
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),  # noqa: SIM905
    "en": "January February March April May June July August September October November December".split(),  # noqa: SIM905
}
_WEEKDAYS = {
    "ar": "الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد".split(),  # noqa: SIM905
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split(),  # noqa: SIM905
}
_UPDATED = {"ar": "آخر تحديث:", "fr": "Mis à jour le", "en": "Updated"}


def norm(text: str) -> str:
    return " ".join(text.split())


def _snippets(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Must-have snippets, the tuning set's rule written out here so the split does not move with it:
    the first 60 characters of the first five paragraphs and the last 50 of the text."""
    return tuple(dict.fromkeys([*(p[:60] for p in paragraphs[:5]), paragraphs[-1][-50:]]))


@cache
def _data() -> tuple[dict[str, Any], dict[str, Any]]:
    texts = yaml.safe_load(TEXTS_YAML.read_text(encoding="utf-8"))
    debris = yaml.safe_load(DEBRIS_YAML.read_text(encoding="utf-8"))
    return texts, debris


def _date_text(local: datetime, lang: str, n: int) -> str:
    """Visible dates in formats the tuning set does not use."""
    month = _MONTHS[lang][local.month - 1]
    if lang == "ar":
        if n % 2:
            return f"نشر بتاريخ {local:%d/%m/%Y} - {local:%H:%M}"
        return f"{_WEEKDAYS['ar'][local.weekday()]} {local.day} {month} {local.year} | {local:%H:%M}"
    if lang == "fr":
        if n % 2:
            return f"{local:%d.%m.%Y} - {local:%H:%M}"
        weekday = _WEEKDAYS["fr"][local.weekday()]
        return f"Publié le {weekday} {local.day} {month} {local.year} à {local:%Hh%M}"
    if n % 2:
        hour, half = local.hour % 12 or 12, "PM" if local.hour >= 12 else "AM"
        return f"{month[:3]} {local.day}, {local.year} at {hour}:{local:%M} {half}"
    return f"Published {local.day} {month} {local.year}, {local:%H:%M}"


def _local_time(n: int, tz: ZoneInfo) -> datetime:
    """A date spread over 2025 (DST changes of Paris and Cairo included), never in a DST gap."""
    local = datetime(2025, 1 + (n * 5) % 12, 1 + (n * 11) % 28, (7 + n * 7) % 24, (n * 17) % 60, tzinfo=tz)
    if local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        local += timedelta(hours=1)  # a wall-clock time that does not exist that day
    return local


def _shown(candidate: str, page_html: str, page_text: str) -> bool:
    """In the markup as one text (a trail of links), or anywhere in the source (JSON included)."""
    escaped = html.escape(candidate, quote=True)
    return candidate in page_html or escaped in page_html or norm(candidate) in page_text


def _page(key: str, text: dict[str, Any], t_index: int, f_index: int, family: str) -> EvalPage:
    _texts, debris = _data()
    render, states_modified, states_section = templates.FAMILIES[family]
    n = t_index * len(templates.FAMILIES) + f_index
    lang = text["language"]
    paragraphs = tuple(text["paragraphs"])
    country, tz_name = _ZONES[lang][n % 2]
    local = _local_time(n, ZoneInfo(tz_name))
    modified = local + timedelta(hours=3, minutes=40) if n % 3 == 1 else None
    bylined = text["obtained_from"] == "written for the project"
    authors = _AUTHORS[n % 3 : n % 3 + 1 + n % 2] if bylined else ()
    section = _SECTIONS[lang][n % 3]
    tags = _TAGS[lang][: 2 + n % 2]
    site = f"{family.replace('_', '')}-{lang}-{country.lower()}"
    domain = f"{site}.blogspot.test" if family == "blogger" else f"www.{site}.test"
    slug = key.replace("_", "-")
    url = _url(family, domain, slug, n, local, lang)
    words = {f: opts[lang][n % len(opts[lang])] for f, opts in debris["families"].items()}
    crumb = debris["breadcrumb"][lang]
    bio = debris["author_bio"][lang]
    related = tuple(debris["related_titles"][lang][n % 3 :] + debris["related_titles"][lang][: n % 3])
    spec = templates.Spec(
        url=url,
        lang=lang,
        title=text["title"],
        paragraphs=paragraphs,
        authors=authors,
        published_iso=local.isoformat(timespec="seconds"),
        published_utc=local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        modified_iso=modified.isoformat(timespec="seconds") if modified else None,
        date_text=_date_text(local, lang, n),
        section=section,
        tags=tags,
        image=f"https://cdn.{site}.test/img/{n}/{slug}.jpg",
        site=site,
        n=n,
        debris=words,
        related=related,
        most_read=tuple(debris["most_read_titles"][lang]),
        breadcrumb=crumb["sep"].join((crumb["home"], crumb["region"], section)),
        bio=bio["person"].format(name=authors[0]) if authors else bio["desk"],
        extra={
            "crumb_sep": crumb["sep"],
            "time_text": f"{local:%H:%M}",
            "modified_text": f"{_UPDATED[lang]} {_date_text(modified, lang, n)}" if modified else "",
        },
    )
    page_html = render(spec)
    page_text = norm(lxml_html.document_fromstring(page_html).text_content())
    article = " ".join((text["title"], *paragraphs))
    candidates = (
        *words.values(),
        *related,
        *spec.most_read,
        spec.breadcrumb,
        spec.bio,
        spec.date_text,
        spec.extra["modified_text"],
        templates.DRAFT_NOTE[lang],
    )
    return EvalPage(
        name=f"{n:02d}-{lang}-{family}-{key}",
        language=lang,
        family=family,
        url=url,
        html=page_html,
        outlet=StubOutlet(f"heldout_{site}", country, (lang,), tz_name, (domain.removeprefix("www."),), {}),
        must=_snippets(paragraphs),
        # every piece of furniture the page shows (in markup or in its JSON), unless the article
        # itself contains those words: then it could never be scored as left-over debris
        must_not=tuple(
            c for c in dict.fromkeys(candidates) if c and _shown(c, page_html, page_text) and c not in article
        ),
        title=text["title"],
        expected={
            "title": text["title"],
            "authors": list(authors),
            "published_at": local.astimezone(UTC),
            "modified_at": modified.astimezone(UTC) if modified and states_modified else None,
            "section": section if states_section else None,
            "tags": list(tags),
            "image_url": spec.image,
            "language": lang,
        },
    )


def _url(family: str, domain: str, slug: str, n: int, local: datetime, lang: str) -> str:
    paths = {
        "drupal": f"/{lang}/actualites/{local:%Y/%m/%d}/{slug}",
        "joomla": f"/index.php/{n}-{slug}",
        "nextjs": f"/{slug}-{n:05d}",
        "amp": f"/amp/article/{n}/{slug}",
        "blogger": f"/{local:%Y/%m}/{slug}.html",
        "sidebar_cms": f"/news/{n}.html",
        "jsonld_disagree": f"/story/{local.year}/{local.month}/{local.day}/{slug}",
    }
    return f"https://{domain}{paths[family]}"


def heldout_pages() -> list[EvalPage]:
    texts, _debris = _data()
    keys = sorted(texts, key=lambda k: (texts[k]["language"], k))
    return [
        _page(key, texts[key], t, f, family)
        for t, key in enumerate(keys)
        for f, family in enumerate(templates.FAMILIES)
    ]


def debris_kind(snippet: str) -> str:
    """The family a must-not snippet belongs to, for the leak breakdown of the report."""
    _texts, debris = _data()
    for family, options in debris["families"].items():
        if any(snippet in words for words in options.values()):
            return family
    lists = {"related_titles": "related_list", "most_read_titles": "most_read_list"}
    for key, kind in lists.items():
        if any(snippet in titles for titles in debris[key].values()):
            return kind
    if any(snippet.startswith(c["home"]) for c in debris["breadcrumb"].values()):
        return "breadcrumb"
    if snippet in templates.DRAFT_NOTE.values():
        return "stale_draft_paragraph"
    bios = [b["desk"] for b in debris["author_bio"].values()]
    bios += [b["person"].split("{name}")[1] for b in debris["author_bio"].values()]
    if any(bio in snippet for bio in bios):
        return "author_bio"
    return "title_first_line" if snippet.startswith("<") else "date_line"


def fingerprint(pages: list[EvalPage]) -> str:
    """SHA-256 of everything the split scores (markup, outlet, truth): recorded in the gate test, so
    any change to the split, through its files or a helper it uses, shows in review."""
    rows = [
        [p.name, p.url, p.html, list(p.must), list(p.must_not), p.title, repr(p.outlet)]
        + [str(p.expected[k]) for k in sorted(p.expected)]
        for p in pages
    ]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()
