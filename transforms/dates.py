"""Date parsing for ar/fr/en news pages, always returning timezone-aware UTC.

Our own small parser runs first because dateparser does not know the Moroccan month names
(غشت, شتنبر, يوليوز, ...) nor the Levantine ones (كانون الثاني, ...); dateparser handles the rest.
Naive dates are read in the outlet's timezone: Morocco switches to UTC+0 during Ramadan, which
only zoneinfo knows about, so offsets are never hard-coded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser
from lxml.cssselect import SelectorError
from lxml.etree import XPathError

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Alef forms, alef maqsura and taa marbuta vary between sites; matching is done on a folded form.
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_AR_DIACRITICS = re.compile("[\u064b-\u0652\u0670]")

_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "janvier", "janv", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "février", "fevrier", "févr", "fevr", "fév", "fev", "february", "feb"),
    3: ("مارس", "آذار", "mars", "march", "mar"),
    4: ("أبريل", "إبريل", "نيسان", "أفريل", "avril", "avr", "april", "apr"),
    5: ("ماي", "مايو", "أيار", "mai", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "juin", "june", "jun"),
    7: ("يوليوز", "يوليو", "يوليه", "تموز", "جويلية", "juillet", "juil", "july", "jul"),
    8: ("غشت", "أغسطس", "آب", "أوت", "août", "aout", "august", "aug"),
    9: ("شتنبر", "سبتمبر", "أيلول", "septembre", "sept", "september", "sep"),
    10: ("أكتوبر", "تشرين الأول", "اكتوبر", "octobre", "oct", "october"),
    11: ("نونبر", "نوفمبر", "تشرين الثاني", "novembre", "nov", "november"),
    12: ("دجنبر", "ديسمبر", "كانون الأول", "décembre", "decembre", "déc", "dec", "december"),
}


def _fold(text: str) -> str:
    return _AR_DIACRITICS.sub("", text.translate(_DIGITS).translate(_AR_FOLD)).lower()


_MONTH_BY_NAME = {_fold(name): month for month, names in _MONTHS.items() for name in names}
# Longest names first so "يوليوز" wins over "يوليو" and "septembre" over "sept".
_MONTH_ALT = "|".join(re.escape(n) for n in sorted(_MONTH_BY_NAME, key=len, reverse=True))
_END = r"(?![^\W\d_])"  # not followed by a letter (\b is wrong between Arabic letters and digits)

_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?",
    re.IGNORECASE,
)
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:er|st|nd|rd|th)?\s*(?:de\s+)?({_MONTH_ALT})\.?{_END}\s*,?\s*(\d{{4}})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![^\W\d_])({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)"
)
_NUMERIC_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)")
_NUMERIC_YMD = re.compile(r"(?<!\d)(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?!\d)")
_TIME = re.compile(
    r"(?<!\d)(\d{1,2})\s*[:h]\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)"
    r"(?:\s*(a\.?m\.?|p\.?m\.?|صباحا|صباحًا|مساء|مساءً|ص|م)(?![^\W\d_]))?"
)
# "GMT+1", "UTC", or a bare "+0300" right after the time (RSS pubDate, RFC 822).
_UTC_OFFSET = re.compile(
    r"(?:gmt|utc)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?(?![^\W\d_])"
    r"|(?<=\d)\s*([+-])(\d{2}):?(\d{2})(?!\d)"
)
_YEARS = range(1990, 2101)

# dateparser's relative parser is off: "il y a 3 heures" depends on a clock, and this module
# never reads one. Relative dates are resolved by `parse_relative`, against a time passed in.
_DATEPARSER_SETTINGS = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
}


# Words that sit around a date on a dateline and say nothing else: weekdays, "le ... à ...",
# "published"/"updated", "نشر في ... الساعة".
_DATELINE_WORDS = re.compile(
    r"(?<![^\W\d_])(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|الاثنين|الإثنين|الثلاثاء|الاربعاء"
    r"|الأربعاء|الخميس|الجمعة|السبت|الاحد|الأحد|le|à|a|at|on|the|de|du|et|publié|publie|mis à jour"
    r"|mise à jour|modifié|published|posted|updated|last updated|نشر|نشرت|تم النشر|في|بتاريخ|الساعة"
    r"|اخر تحديث|آخر تحديث|تحديث|يوم|h|am|pm|gmt|utc|ص|م)(?![^\W\d_])",
    re.IGNORECASE,
)
MAX_DATELINE_CHARS = 80


def is_dateline(text: str) -> bool:
    """A line that is only a date (and time), as themes print above a body: "Le 23/02/2025 à
    23h13", "9 يونيو 2025 - 07:05", "Updated: March 3, 2025 10:00 GMT"."""
    if len(text) > MAX_DATELINE_CHARS or not any(ch.isdigit() for ch in text.translate(_DIGITS)):
        return False
    folded = _fold(text)
    if not (_calendar_date(folded) or _ISO.search(folded) or _NUMERIC_DMY.search(folded)):
        return False
    for pattern in (_ISO, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC_DMY, _NUMERIC_YMD, _TIME, _UTC_OFFSET):
        folded = pattern.sub(" ", folded)
    folded = _DATELINE_WORDS.sub(" ", folded)
    return not re.sub(r"[\W_]+", "", folded)


def _zone(tz: str) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _to_utc(value: datetime, tz: str) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(tz))
    return value.astimezone(UTC)


def _time_of_day(text: str) -> tuple[int, int, int] | None:
    for m in _TIME.finditer(text):
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
        suffix = (m[4] or "").replace(".", "")
        if suffix in ("pm", "مساء", "مساءً", "م") and hour < 12:
            hour += 12
        elif suffix in ("am", "صباحا", "صباحًا", "ص") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return hour, minute, second
    return None


def _explicit_offset(text: str) -> timezone | None:
    m = _UTC_OFFSET.search(text)
    if not m:
        return None
    sign, hours, minutes = (m[1], m[2], m[3]) if not m[4] else (m[4], m[5], m[6])
    if not sign:
        return UTC
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def _calendar_date(text: str) -> tuple[tuple[int, int, int], re.Match[str]] | None:
    """(year, month, day) from the first date-shaped run in already folded text."""
    candidates: list[tuple[int, tuple[int, int, int], re.Match[str]]] = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        candidates.append((m.start(), (int(m[3]), _MONTH_BY_NAME[m[2]], int(m[1])), m))
    for m in _MONTH_DAY_YEAR.finditer(text):
        candidates.append((m.start(), (int(m[3]), _MONTH_BY_NAME[m[1]], int(m[2])), m))
    for m in _NUMERIC_DMY.finditer(text):  # Morocco, Qatar and France all write day first
        candidates.append((m.start(), (int(m[3]), int(m[2]), int(m[1])), m))
    for m in _NUMERIC_YMD.finditer(text):
        candidates.append((m.start(), (int(m[1]), int(m[2]), int(m[3])), m))
    for _, ymd, m in sorted(candidates, key=lambda c: c[0]):
        try:
            datetime(*ymd)
        except ValueError:
            continue
        if ymd[0] in _YEARS:
            return ymd, m
    return None


def _own_parse(text: str, tz: str) -> datetime | None:
    folded = _fold(text)
    iso = _ISO.search(folded)
    if iso:
        try:
            value = datetime.fromisoformat(re.sub(r"\s+(?=[Z+-])", "", iso[0].upper()))
        except ValueError:
            value = None
        if value and value.year in _YEARS:
            return _to_utc(value, tz)
    found = _calendar_date(folded)
    if not found:
        return None
    (year, month, day), m = found
    rest = folded[: m.start()] + " " + folded[m.end() :]  # the time may sit before or after the date
    hms = _time_of_day(rest) or (0, 0, 0)
    value = datetime(year, month, day, *hms)
    offset = _explicit_offset(rest)
    return value.replace(tzinfo=offset).astimezone(UTC) if offset else _to_utc(value, tz)


# Relative dates, matched on folded text (alef forms folded, taa marbuta -> ha).
_UNITS: dict[str, tuple[str, ...]] = {
    "minutes": ("دقيقه", "دقائق", "minutes", "minute", "mins", "min", "mn"),
    "hours": ("ساعه", "ساعات", "heures", "heure", "hours", "hour", "hrs", "hr", "h"),
    "days": ("يوم", "ايام", "jours", "jour", "days", "day"),
    "weeks": ("اسبوع", "اسابيع", "semaines", "semaine", "weeks", "week"),
}
_UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words}
_UNIT_ALT = "|".join(sorted(_UNIT_OF, key=len, reverse=True))
# Arabic duals carry the number 2 in the noun: ساعتين = two hours.
_DUALS = {"ساعتين": "hours", "ساعتان": "hours", "دقيقتين": "minutes", "دقيقتان": "minutes",
          "يومين": "days", "يومان": "days", "اسبوعين": "weeks", "اسبوعان": "weeks"}  # fmt: skip
_ONE = r"\d+|une?|an?|one|quelques"
_AGO = re.compile(
    rf"منذ\s+(?:(\d+)\s*)?({_UNIT_ALT}){_END}"
    rf"|منذ\s+({'|'.join(_DUALS)}){_END}"
    rf"|il\s+y\s+a\s+({_ONE})\s*({_UNIT_ALT}){_END}"
    rf"|(?<![^\W\d_])({_ONE})\s*({_UNIT_ALT})\s+ago{_END}"
)
_YESTERDAY = re.compile(rf"(?<![^\W\d_])(?:امس|البارحه|hier|yesterday){_END}")
_TODAY = re.compile(rf"(?<![^\W\d_])(?:اليوم|aujourd'hui|aujourd’hui|today){_END}")


def _count(word: str | None) -> int:
    if not word:
        return 1
    if word.isdigit():
        return int(word)
    return 3 if word == "quelques" else 1


def parse_relative(text: str, tz: str, reference: datetime) -> datetime | None:
    """ "منذ ساعتين", "il y a 3 heures", "2 hours ago", "أمس 14:30", "today at 10:05" -> aware UTC.

    ``reference`` is when the page was fetched: "two hours ago" is two hours before it. A day
    without a time ("hier") is midnight in the outlet's timezone, like an absolute date without one.
    """
    folded = _fold(" ".join(text.split()))
    m = _AGO.search(folded)
    if m:
        if m[3]:
            count, unit = 2, _DUALS[m[3]]
        else:
            number, word = (m[1], m[2]) if m[2] else (m[4], m[5]) if m[5] else (m[6], m[7])
            count, unit = _count(number), _UNIT_OF[word]
        return reference.astimezone(UTC) - timedelta(**{unit: count})
    local_today = reference.astimezone(_zone(tz)).date()
    for pattern, day in ((_YESTERDAY, local_today - timedelta(days=1)), (_TODAY, local_today)):
        found = pattern.search(folded)
        if not found:
            continue
        hms = _time_of_day(folded[: found.start()] + " " + folded[found.end() :])
        if hms is None and pattern is _TODAY:
            return None  # "today" alone says less than the fetch time itself
        value = datetime(day.year, day.month, day.day, *(hms or (0, 0, 0)))
        return _to_utc(value, tz)
    return None


def parse_date(text: str, tz: str, languages: Sequence[str] = ("ar", "fr", "en")) -> datetime | None:
    """Parse one date string into aware UTC; None when there is no absolute date in it."""
    if not text or not text.strip() or len(text) > 300:
        return None
    text = " ".join(text.split())
    try:
        value = _own_parse(text, tz)
        if value is not None:
            return value
        parsed = dateparser.parse(text, languages=list(languages), settings=_DATEPARSER_SETTINGS)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None or parsed.year not in _YEARS:
        return None
    return _to_utc(parsed, tz)


def pick_published(
    *,
    tz: str,
    jsonld: str | None = None,
    meta: str | None = None,
    visible: Iterable[str] | Callable[[], Iterable[str]] = (),
    htmldate_value: str | Callable[[], str | None] | None = None,
    listing: str | None = None,
    guessed: str | Callable[[], str | None] | None = None,
    now: datetime | None = None,
    languages: Sequence[str] = ("ar", "fr", "en"),
    fetched_at: datetime | None = None,
) -> tuple[datetime | None, str | None]:
    """First usable published date in order of trust, with the name of the source it came from.

    Order: JSON-LD datePublished, meta article:published_time, visible date text, htmldate on
    markup and URL, the feed/sitemap listing, then ``guessed`` (htmldate's extensive text search).
    The text search comes after the listing because it turns any year in the body ("Web Summit
    Qatar 2026") into a January 1st. The htmldate values may be callables so they only run when
    the cheaper sources gave nothing; so may ``visible`` (searching the page's elements costs more
    than parsing the JSON-LD date most articles have). A date more than a day after ``now`` is a
    template or parsing artefact and is skipped. Never falls back to "now". When no absolute date
    is found, a relative visible date is resolved against ``fetched_at`` (else ``now``).
    """
    visible_texts: list[str] = []  # read twice: absolute dates first, relative ones last

    def candidates() -> Iterator[tuple[str, str | Callable[[], str | None] | None]]:
        yield "jsonld", jsonld
        yield "meta", meta
        visible_texts.extend(visible() if callable(visible) else visible)
        yield from (("visible", text) for text in visible_texts)
        yield from (("htmldate", htmldate_value), ("listing", listing), ("htmldate_guess", guessed))

    limit = now + timedelta(days=1) if now else None
    for source, candidate in candidates():
        text = candidate() if callable(candidate) else candidate
        if not text:
            continue
        value = parse_date(text, tz, languages)
        if value is not None and (limit is None or value <= limit):
            return value, source
    # Relative visible dates ("منذ ساعتين") come last: they are precise to the unit at best.
    reference = fetched_at or now
    if reference is not None:
        for text in visible_texts:
            value = parse_relative(text, tz, reference) if text else None
            if value is not None:
                return value, "visible_relative"
    return None, None


# Date-ish elements of common themes; "updated"/"modified" ones are skipped for the published date.
_DATE_XPATH = (
    "//time | //*[@itemprop='datePublished'] | //*[contains(@class, 'date') or contains(@class, 'time')"
    " or contains(@class, 'published') or contains(@class, 'meta-date')]"
)


def visible_date_texts(tree: Any, selector: str | None = None, limit: int = 8) -> list[str]:
    """Candidate date strings shown on the page: the outlet's hint first, then common elements.

    Elements inside <article>/<main> come before the rest so sidebar teasers of other
    articles are tried last.
    """
    found: list[str] = []

    def add(value: str | None) -> None:
        value = " ".join((value or "").split())
        if value and len(value) <= 120 and value not in found:
            found.append(value)

    hinted: list[Any] = []
    if selector:
        try:
            hinted = tree.cssselect(selector)
        except (SelectorError, XPathError):  # a bad selector in the registry must not lose the page
            hinted = []
    for el in hinted:
        add(el.get("datetime") or el.get("content"))
        add(el.text_content())
    elements = tree.xpath(_DATE_XPATH)
    in_article = [el for el in elements if el.xpath("ancestor::article or ancestor::main")]
    for el in in_article + [el for el in elements if el not in in_article]:
        marks = f"{el.get('class', '')} {el.get('itemprop', '')}".lower()
        if ("updated" in marks or "modified" in marks) and "published" not in marks:
            continue
        add(el.get("datetime") or el.get("content"))
        add(el.text_content())
        if len(found) >= limit:
            break
    return found[:limit]
