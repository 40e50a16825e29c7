"""Wire-copy variants of a source text, by the edit families real republishing shows.

Written for the held-out split (heldout/set.yaml) independently of the implementation it scores:
this module imports nothing from nashra/ or transforms/, and its wordings (credit lines, datelines,
"read more" lines) are not the ones the tuning split's `apply_edit` (score.py) uses, so a threshold
tuned on those strings cannot have learnt these. Seeded and deterministic: the same recipe (families,
seed, params) gives the same text on every machine (random.Random seeded with a string is
independent of PYTHONHASHSEED).

Families (each is one editor's habit; a recipe chains several):
  credit          agency credit line added at the end or the start ("(AFP)", "(قنا)", "- Agence", ...)
  dateline        dateline added before the first paragraph, in a wire format ("PARIS, Sept 26 (AFP) -")
  dateline_change an existing dateline replaced by another format
  dateline_drop   an existing dateline removed
  title           title rewritten (given text, or a kicker / "Place:" prefix / the lead's first clause)
  drop_sentence   one sentence removed (never the first of the lead)
  drop_paragraph  one paragraph removed (never the first; mostly the last, as editors cut from the end)
  swap_paragraphs two adjacent paragraphs after the lead swapped
  reword          common phrases reworded ("said" -> "stated", "selon" -> "d'après", "قال" -> "صرح")
  read_more       a "Read more:"/"Lire aussi"/"اقرأ أيضا" line with another headline inserted
  teaser          truncated teaser copy: the lead cut at a sentence end, "..." and a "full story" line
  typography      quotes, apostrophes, non-breaking spaces, Arabic-Indic/Latin digits changed
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_SENTENCE = re.compile(r"(?<=[.!?؟])\s+(?=\S)")
# A dateline: a short run of words ending in a dash or colon before the text proper ("DOHA, Jan 5
# (Reuters) - ", "الدوحة - قنا: "). Only looked for at the very start of the first paragraph.
_DATELINE = re.compile(r"^[^\n.!?]{2,60}?\s?[-–—:]\s+")

CREDITS: dict[str, list[tuple[str, str]]] = {  # (where, text): "end" is a line of its own
    "en": [
        ("end", "(AFP)"),
        ("end", "— Reuters"),
        ("end", "Source: APS"),
        ("start", "(AP) — "),
        ("end", "With inputs from agencies"),
        ("end", "(WAM)"),
    ],
    "fr": [
        ("end", "(Avec AFP)"),
        ("end", "- Agence"),
        ("end", "Source : APS"),
        ("start", "(Reuters) - "),
        ("end", "Avec agences"),
        ("end", "(MAP)"),
    ],
    "ar": [
        ("end", "(المصدر: قنا)"),
        ("end", "المصدر: وكالة المغرب العربي للأنباء"),
        ("end", "(أ ف ب)"),
        ("start", "(واس) - "),
        ("end", "(وأج)"),
        ("end", "المصدر: رويترز"),
    ],
}
_AGENCY = {
    "en": ["AFP", "Reuters", "AP", "APS"],
    "fr": ["AFP", "Reuters", "APS", "MAP"],
    "ar": ["أ ف ب", "رويترز", "قنا", "و م ع"],
}
_MONTHS = {
    "en": ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "ar": [
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
}
READ_MORE = {
    "en": ["Read more: {}", "READ ALSO | {}", "Related: {}"],
    "fr": ["Lire aussi >> {}", "À lire aussi : {}", "VOIR AUSSI - {}"],
    "ar": ["اقرأ أيضا: {}", "اقرأ أيضاً | {}", "مواضيع ذات صلة: {}"],
}
# Headlines of unrelated items a site links to (invented, neutral: no name, place or number, so the
# line adds no evidence of another event).
OTHER_HEADLINES = {
    "en": [
        "Weekend weather: showers expected inland",
        "How to renew your passport online",
        "Markets close mixed after a quiet session",
    ],
    "fr": [
        "Météo : des averses attendues ce week-end",
        "Comment renouveler son passeport en ligne",
        "Les marchés terminent en ordre dispersé",
    ],
    "ar": [
        "الطقس: زخات مطرية متوقعة نهاية الأسبوع",
        "كيف تجدد جواز سفرك عبر الإنترنت",
        "تباين أداء الأسواق في ختام التداولات",
    ],
}
KICKERS = {
    "en": ["UPDATE: ", "Breaking: ", "WATCH: "],
    "fr": ["Vidéo. ", "Info. ", "DIRECT - "],
    "ar": ["عاجل: ", "بالفيديو.. ", "متابعة: "],
}
FULL_STORY = {"en": "Read the full story", "fr": "Lire la suite", "ar": "التفاصيل كاملة"}
REWORDINGS = {  # ordinary editing of news phrases, both directions where both are common
    "en": [
        (" said", " stated"),
        (" says", " stated"),
        ("according to", "citing"),
        (" also ", " further "),
        ("yesterday", "on the previous day"),
        (" announced", " made public"),
        (" people", " persons"),
        ("killed", "left dead"),
        (" reported", " said"),
    ],
    "fr": [
        (" a déclaré", " a affirmé"),
        ("selon ", "d'après "),
        (" également", " aussi"),
        (" a annoncé", " a fait savoir"),
        ("hier", "la veille"),
        ("Selon ", "D'après "),
        (" a estimé", " a jugé"),
        (" indique le texte", " précise le texte"),
        (" personnes", " individus"),
    ],
    "ar": [
        ("قال ", "صرح "),
        ("وفقا ل", "بحسب "),
        ("أعلن ", "كشف "),
        ("كما ", "و"),
        ("أمس", "البارحة"),
        ("أكد ", "شدد "),
    ],
}
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass
class Copy:
    """The text being edited: a title and its paragraphs, with what the families need to know."""

    title: str
    paragraphs: list[str]
    language: str
    published_at: datetime
    params: dict[str, Any] = field(default_factory=dict)


def _credit(c: Copy, rng: random.Random) -> None:
    where, text = rng.choice(CREDITS[c.language])
    if where == "start" and "place" not in c.params:  # with a dateline the agency goes in it, not before
        c.paragraphs[0] = text + c.paragraphs[0]
    else:
        c.paragraphs.append(text)


def _dateline_text(c: Copy, rng: random.Random) -> str:
    place = c.params.get("place")
    if not place:  # a dateline names the place the story was filed from: the recipe must say it
        raise ValueError("dateline: the recipe needs params.place")
    day, month = c.published_at.day, _MONTHS[c.language][c.published_at.month - 1]
    agency = rng.choice(_AGENCY[c.language])
    formats = {
        "en": [
            f"{place.upper()}, {month} {day} ({agency}) - ",
            f"{place.upper()} — ",
            f"{place}, {month} {day}: ",
        ],
        "fr": [
            f"{place}, {day} {month} {c.published_at.year} ({agency}) – ",
            f"{place.upper()} : ",
            f"{place} (correspondance) - ",
        ],
        "ar": [f"{place} {day} {month} ({agency}) - ", f"{place} {day} {month} /{agency}/ ", f"{place}: "],
    }[c.language]
    return rng.choice(formats)


def _dateline(c: Copy, rng: random.Random) -> None:
    c.paragraphs[0] = _dateline_text(c, rng) + c.paragraphs[0]


def _existing_dateline(c: Copy) -> re.Match[str]:
    match = _DATELINE.match(c.paragraphs[0])
    if not match:
        raise ValueError(f"no dateline to change in {c.paragraphs[0][:40]!r}")
    return match


def _dateline_change(c: Copy, rng: random.Random) -> None:
    match = _existing_dateline(c)
    c.paragraphs[0] = _dateline_text(c, rng) + c.paragraphs[0][match.end() :]


def _dateline_drop(c: Copy, rng: random.Random) -> None:
    c.paragraphs[0] = c.paragraphs[0][_existing_dateline(c).end() :]


def _title(c: Copy, rng: random.Random) -> None:
    if c.params.get("title"):  # a headline rewritten by hand is the common case; the recipe gives it
        c.title = c.params["title"]
        return
    first = _SENTENCE.split(c.paragraphs[0])[0].rstrip(".")
    choices = [rng.choice(KICKERS[c.language]) + c.title, " ".join(first.split()[:12])]
    if c.params.get("place"):
        choices.append(
            f"{c.params['place']} : {c.title}" if c.language == "fr" else f"{c.params['place']}: {c.title}"
        )
    c.title = rng.choice(choices)


def _drop_sentence(c: Copy, rng: random.Random) -> None:
    spots = [(p, s) for p, para in enumerate(c.paragraphs) for s in range(len(_SENTENCE.split(para)))]
    spots = [(p, s) for p, s in spots if (p, s) != (0, 0) and len(_SENTENCE.split(c.paragraphs[p])) > 1]
    if not spots:
        raise ValueError("drop_sentence: no paragraph with two sentences")
    p, s = rng.choice(spots)
    sentences = _SENTENCE.split(c.paragraphs[p])
    del sentences[s]
    c.paragraphs[p] = " ".join(sentences)


def _drop_paragraph(c: Copy, rng: random.Random) -> None:
    if len(c.paragraphs) < 3:
        raise ValueError("drop_paragraph: fewer than three paragraphs")
    index = len(c.paragraphs) - 1 if rng.random() < 0.6 else rng.randrange(1, len(c.paragraphs))
    del c.paragraphs[index]


def _swap_paragraphs(c: Copy, rng: random.Random) -> None:
    if len(c.paragraphs) < 3:
        raise ValueError("swap_paragraphs: fewer than three paragraphs")
    i = rng.randrange(1, len(c.paragraphs) - 1)
    c.paragraphs[i], c.paragraphs[i + 1] = c.paragraphs[i + 1], c.paragraphs[i]


def _reword(c: Copy, rng: random.Random) -> None:
    body = "\n\n".join(c.paragraphs)
    found = [pair for pair in REWORDINGS[c.language] if pair[0] in body]
    if not found:
        raise ValueError("reword: no phrase of the list in the text")
    for old, new in rng.sample(found, min(2, len(found))):
        body = body.replace(old, new, 1)
    c.paragraphs = body.split("\n\n")


def _read_more(c: Copy, rng: random.Random) -> None:
    line = rng.choice(READ_MORE[c.language]).format(rng.choice(OTHER_HEADLINES[c.language]))
    c.paragraphs.insert(rng.randrange(1, len(c.paragraphs) + 1), line)


def _teaser(c: Copy, rng: random.Random) -> None:
    sentences = _SENTENCE.split(c.paragraphs[0])
    keep = sentences[: max(1, rng.randrange(1, len(sentences) + 1))]
    c.paragraphs = [" ".join(keep) + " …", FULL_STORY[c.language]]


def _typography(c: Copy, rng: random.Random) -> None:
    body = "\n\n".join(c.paragraphs)
    body = re.sub(r'"([^"\n]*)"', "«\u00a0\\1\u00a0»" if c.language == "fr" else "“\\1”", body)
    body = body.replace("'", "’")
    if c.language == "fr":  # French typesetting: a (narrow) no-break space before ; : ! ?
        body = re.sub(r" ([;:!?])", "\u202f\\1", body)
    if c.language == "ar" and rng.random() < 0.5:
        body = body.translate(_ARABIC_DIGITS)
        c.title = c.title.translate(_ARABIC_DIGITS)
    c.paragraphs = body.split("\n\n")


FAMILIES: dict[str, Callable[[Copy, random.Random], None]] = {
    "credit": _credit,
    "dateline": _dateline,
    "dateline_change": _dateline_change,
    "dateline_drop": _dateline_drop,
    "title": _title,
    "drop_sentence": _drop_sentence,
    "drop_paragraph": _drop_paragraph,
    "swap_paragraphs": _swap_paragraphs,
    "reword": _reword,
    "read_more": _read_more,
    "teaser": _teaser,
    "typography": _typography,
}


def derive(
    title: str,
    body: str,
    language: str,
    published_at: datetime,
    families: list[str],
    seed: int | str,
    params: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """The copy a republisher would run: `families` applied in order, each with its own seeded draw."""
    copy = Copy(title, body.split("\n\n"), language, published_at, dict(params or {}))
    for step, family in enumerate(families):
        if family not in FAMILIES:
            raise ValueError(f"unknown edit family {family!r}")
        FAMILIES[family](copy, random.Random(f"{seed}/{step}/{family}"))
    return copy.title, "\n\n".join(p for p in copy.paragraphs if p.strip())
