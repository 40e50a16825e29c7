"""Cross-lingual story linking: articles about one event in ar/fr/en get the same story_id.

Evidence that survives translation, with no model: names (as consonant skeletons, see
transforms/transliterate.py), places (transforms/places.py: "Irak", "irakiennes", "العراقية"),
numbers, and publication time. Each article becomes a set of string keys; two articles published
within WINDOW of each other are linked when the weights of the keys they share reach a threshold
chosen on tests/eval/dedup (see `python -m devkit eval dedup`).

Latin-script text marks its names with capitals; Arabic has no capitals, so an Arabic article
keeps a key for every word of its title and lead (function words removed) and a Latin name is
"found" in it when its skeleton is among them. Key kinds (the prefix is the weight class):
    u:<skeleton>         one name word               b:<skel>|<skel>   two adjacent name words
    n:<digits>           a number                    y:<year>          a year (weak: every story has one)
    c:<place id>         a country or region         p:<...>           a place every story here names
                                                                       (Morocco, Qatar, Doha ...: weak)
    q:<value>|<unit>     a number with its unit      e:<concept>       an event word ("séisme", "زلزال",
                         ("42 et 47 degrés")                           "earthquake": transforms/newswords.py)
    d:<month>-<day>      a date ("1er février", "February 1", "1 فبراير")
Long real articles share common names whatever the event ("United States", "Democratic", the
candidates of one election), so the evidence is weighed by where it sits and how rare it is:
- a key in the title or the lead (the first PROMINENT_WORDS words) of both articles counts fully,
  in the lead of one only half, in the bodies of both a quarter; a Latin body is read only up to
  BODY_WORDS words (background paragraphs name many things);
- a key that many articles of the window share (a document frequency from the articles being
  linked) says "same news period", not "same event": it counts a quarter;
- the names a headline is about (named in the title and again in the body) must appear in the
  other article when both are in one language: "Warren endorses Biden" is not "Sanders endorses
  Biden", however many names the two share;
- the shared evidence must include a distinctive key (a name, a name pair or a number, in a
  lead), not only places, years and small numbers; two measurements in both leads ("entre 42 et
  47 degrés" / "ما بين 42 و47 درجة") count as one. Event words never carry a link: they add to the
  score of a pair already anchored, which is how a translated weather or disaster report with no
  name in common links (the weights were set on the tuning split, README.md there).
Markers stored with the keys (state in the lake is a list of strings): "^<key>" the key is in the
title or lead, "!<key>" the key names the headline's subject, "~<language>".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from transforms import newswords, places
from transforms.transliterate import fold_latin, is_arabic, latin_variants, skeleton

WINDOW = timedelta(days=3)
# Chosen on tests/eval/dedup (`python -m devkit eval dedup --sweep`; README.md there has the numbers).
THRESHOLD = 5.5
THRESHOLD_ARABIC = 5.5
# Two articles in different languages share only what survives translation (names, places,
# figures, dates, event words); two in one language also share the news period's vocabulary
# and its background names. The same evidence is stronger across languages.
THRESHOLD_CROSS_LANGUAGE = 4.0
# A full name shared as a pair ("b:ksm|slmn") also shares its words: they count this much more,
# so one person named in both articles is one piece of evidence, not three (an actor of two
# events a day apart, Soleimani killed / Iraq's parliament votes, is not the event).
PAIR_PARTS_FACTOR = 0.5
LEAD_WORDS = 160  # Arabic: title + this many words; the lead names who, where and how many
PROMINENT_WORDS = 60  # title + this many body words: the lead, where wire copy states the event
BODY_WORDS = 300  # Latin: names after this many body words are background, not keyed
# How much a shared key counts: in both leads, in one lead, in neither.
ZONE_FACTOR = (0.25, 0.5, 1.0)
# A key found in more than this share of the window's articles (and at least COMMON_MIN_DF of
# them: a small batch says nothing about frequency) counts COMMON_FACTOR of its weight.
COMMON_SHARE = 0.01
COMMON_MIN_DF = 30
COMMON_FACTOR = 0.25
SUBJECT_MIN_SKELETON = 3  # "Trump" (trmb), "Biden" (bdn); shorter skeletons collide too often
# A headline about someone the other article (in the same language) does not name at all: same
# topic, another event ("Warren endorses Biden" / "Sanders endorses Biden"). The score is cut.
SUBJECT_MISSING_FACTOR = 0.5

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_TOKEN = re.compile(r"\d+(?:[.,\u066b\u066c\u00a0 ]\d{3})*(?:[.,]\d+)?|[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")
_NUMBER = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[.!?؟:;«»\"()\[\]\n]")

# Latin words that are capitalised for grammar, not because they name something.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LATIN_STOP = _words(
    """le la les l un une des du de d ce cet cette ces il elle ils elles on nous vous dans pour par sur
    selon mais et ou en au aux a à apres après avant lors depuis sous son sa ses leur leurs qui que
    mme m mr mrs ms dr pr the an in on at for by with this that these those it he she they we his her
    its as but and of to from after before while when during under over according said also
    lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday
    saturday sunday janvier fevrier mars avril mai juin juillet aout septembre octobre novembre
    decembre january february march april may june july august september october november december
    video photo afp map qna reuters"""
)
_PARTICLES = frozenset({"bin", "ben", "ibn", "bint", "ould", "abu", "abou", "bou", "al", "el", "de", "ait"})
_ARABIC_STOP = _words(
    """في من على إلى الى عن مع أن ان إن التي الذي الذين هذا هذه ذلك تلك كما وقد قد لقد كان كانت
    يكون بين خلال حول عبر ضمن بعد قبل حيث أو او ثم لكن غير كل بعض أي اي هو هي هم ما لا لم لن
    وذلك فيما تم وهو وهي منذ عند إلا الا أيضا ايضا يناير فبراير مارس أبريل ابريل ماي مايو يونيو يوليوز
    يوليو غشت أغسطس شتنبر سبتمبر أكتوبر اكتوبر نونبر نوفمبر دجنبر ديسمبر الأحد الاثنين الثلاثاء
    الأربعاء الخميس الجمعة السبت يوم اليوم"""
)
# "131 ألف" in Arabic is "131,000" in English: a number word multiplies the number before it.
_MULTIPLIERS = {
    **dict.fromkeys(("ألف", "الف", "آلاف", "thousand", "mille"), 1000),
    **dict.fromkeys(("مليون", "ملايين", "million", "millions"), 1_000_000),
    **dict.fromkeys(("مليار", "billion", "billions", "milliard", "milliards"), 1_000_000_000),
}
# Places and bodies named by nearly every Moroccan or Qatari story: they say "same region", not
# "same event". Skeletons of their ar/fr/en names.
_COMMON_PLACES = frozenset(
    {"mGrb", "mrk", "ktr", "dh", "rbt", "kblnk", "ksblnk", "mmlk", "dlt", "mrkS", "mrks", "bld", "lbld"}
)
# q: a number with its unit (on top of its n:/s: key); e: an event concept (transforms/newswords.py);
# d: a date (day and month; many articles of one day name it: never a link alone).
_WEIGHTS = {"b": 1.5, "n": 1.5, "s": 0.75, "y": 0.25, "p": 0.25, "c": 0.5, "q": 1.0, "e": 0.5, "d": 0.5}
# Words between a number and its unit ("30 pour cent", "12 في المئة") or between the two numbers
# of a range ("42 et 47 degrés", "7 و10 أقدام", "5 to 7 metres").
_ORDINAL_ENDINGS = frozenset({"er", "st", "nd", "rd", "th"})  # "1er février", "February 1st"
_UNIT_FILLERS = frozenset({"pour", "per", "في"})
_UNIT_SIGNS = {"%": "percent", "٪": "percent", "°": "degree"}
_RANGE_WORDS = frozenset({"and", "to", "et", "à", "a", "و", "الى", "إلى"})


# French elision and English possessive around a name: "l'Irak", "d'Oman", "Qatar's".
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’](?=[^\W\d_]{2})", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")
# Words that are capitalised before a name but say which office, not who: not a headline's subject.
_ROLES = frozenset(
    map(
        skeleton,
        _words(
            """president minister ministre prime premier king roi queen reine prince princess princesse
            emir sheikh cheikh sultan secretary secretaire general ambassador ambassadeur governor
            gouverneur wali mayor maire director directeur chairman chief chef head former ancien pope pape"""
        ),
    )
)
# A Latin name's other skeleton (transliterate.latin_variants), matched only against an Arabic
# article's name words ("v:nkl" for "Nicolas" finds "u:nkl", نيكولا).
VARIANT = "v"
# Markers kept with the keys (see the module docstring).
LEAD, SUBJECT, LANGUAGE = "^", "!", "~"
_MARKERS = (LEAD, SUBJECT, LANGUAGE)


@dataclass(frozen=True)
class StoryDoc:
    article_id: str
    published_at: datetime | None
    script: str  # "latin": keys are names; "arabic": keys are every lead word
    keys: frozenset[str]  # keys and markers, as story_keys() returns them and the lake stores them
    story_id: str | None = None  # set for stored articles
    # Derived from keys:
    bare: frozenset[str] = field(init=False, repr=False, compare=False)
    lead: frozenset[str] = field(init=False, repr=False, compare=False)
    subjects: frozenset[str] = field(init=False, repr=False, compare=False)
    language: str | None = field(init=False, repr=False, compare=False)
    # A Latin name's variants as the u: keys an Arabic article would hold ("v:nkl" -> "u:nkl").
    variants: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One pass over the keys: a batch's window builds tens of thousands of these.
        bare, lead, subjects, variants, language = [], [], [], [], None
        for k in self.keys:
            marker = k[:1]
            if marker == LEAD:
                lead.append(k[1:])
            elif marker == SUBJECT:
                subjects.append(k[1:])
            elif marker == LANGUAGE:
                language = language or k[1:]
            else:
                bare.append(k)
                if marker == VARIANT:
                    variants.append("u" + k[1:])
        object.__setattr__(self, "variants", frozenset(variants))
        object.__setattr__(self, "bare", frozenset(bare))
        object.__setattr__(self, "lead", frozenset(lead))
        object.__setattr__(self, "subjects", frozenset(subjects))
        object.__setattr__(self, "language", language)


def _number_key(token: str, next_word: str = "") -> str | None:
    digits = token.translate(_DIGITS)
    whole = re.sub(r"[.,\u066b\u066c\u00a0 ](?=\d{3}(?!\d))", "", digits)  # 131,000 / 1.500
    whole = re.split(r"[.,]", whole)[0].lstrip("0")
    if not whole:
        return None
    value = int(whole) * _MULTIPLIERS.get(next_word.lower(), 1)
    if 1900 <= value <= 2100 and len(whole) == 4:
        return f"y:{value}"
    return f"s:{value}" if value <= 31 else f"n:{value}"


def _value(tokens: list[tuple[str, str]], i: int) -> int | None:
    """The value of a number written in digits (with its multiplier word) or in words."""
    token = tokens[i][0]
    if not _NUMBER.match(token):
        return newswords.number_word(token)
    key = _number_key(token, tokens[i + 1][0] if i + 1 < len(tokens) else "")
    return int(key[2:]) if key else None


def _unit_after(tokens: list[tuple[str, str]], i: int) -> str | None:
    """The unit measuring the number at i: "42 degrés", "131 ألف حاوية", "12 %", "42°C", "30 pour
    cent", and the first number of a range: "entre 42 et 47 degrés", "ما بين 7 و10 أقدام", "5-7 m"."""
    nxt = i + 1
    if nxt < len(tokens) and tokens[nxt][0].lower() in _MULTIPLIERS:
        nxt += 1
    if nxt >= len(tokens):
        return None
    gap = tokens[nxt][1].strip()
    if gap[:1] in _UNIT_SIGNS:
        return _UNIT_SIGNS[gap[:1]]
    if gap in ("-", "–") and _NUMBER.match(tokens[nxt][0]):  # "5-7 metres": the range's second number
        return _unit_after(tokens, nxt)
    word = tokens[nxt][0]
    if word.lower() in _UNIT_FILLERS and nxt + 1 < len(tokens):  # "pour cent", "في المئة"
        word = tokens[nxt + 1][0]
    found = newswords.unit(word)
    if found or word.lower() not in _RANGE_WORDS or nxt + 2 >= len(tokens):
        return found
    return _unit_after(tokens, nxt + 1) if _value(tokens, nxt + 1) is not None else None


def _date_key(tokens: list[tuple[str, str]], i: int) -> str | None:
    """d:<month>-<day> for "1er février", "1 فبراير", "February 1", "Feb. 1st": one date in any language."""
    if not tokens[i][0].isdigit() or not 1 <= int(tokens[i][0].translate(_DIGITS)) <= 31:
        return None
    after = i + 2 if i + 2 < len(tokens) and tokens[i + 1][0].lower() in _ORDINAL_ENDINGS else i + 1
    found = newswords.month(tokens[after][0]) if after < len(tokens) else None
    if found is None and i:
        found = newswords.month(tokens[i - 1][0])
    return f"d:{found}-{int(tokens[i][0].translate(_DIGITS))}" if found else None


def _quantity_key(tokens: list[tuple[str, str]], i: int) -> str | None:
    """q:<value>|<unit> for a number with its unit: a measurement any translation keeps."""
    value = _value(tokens, i)
    found = _unit_after(tokens, i) if value else None
    return f"q:{value}|{found}" if found else None


def _word_key(skel: str) -> str | None:
    if len(skel) < 2:
        return None
    return f"p:{skel}" if skel in _COMMON_PLACES else f"u:{skel}"


def _place_key(place: str) -> str:
    return f"p:{place}" if place in places.HOME else f"c:{place}"


def _latin_names(tokens: list[tuple[str, str]], limit: int | None = None) -> list[bool]:
    """Which words belong to names: capitalised words, and particles (bin, El) inside a name.

    A word also seen in lower case (anywhere in the text) is a common word; a lone capitalised
    word opening a sentence is grammar, not a name ("Concernant", "Officials"). Words from
    ``limit`` on are only judged when a name runs across it.
    """
    lower_seen = {fold_latin(t) for t, _ in tokens if t[:1].islower()}
    keep = [False] * len(tokens)
    start = None
    for i, (token, gap) in enumerate([*tokens, ("", ".")]):
        if limit is not None and i >= limit and start is None:
            break
        folded = fold_latin(token)
        capital = token[:1].isupper() and folded not in lower_seen and folded not in _LATIN_STOP
        if (capital or (start is not None and folded in _PARTICLES)) and not (
            start is not None and gap.strip(" -\u00a0")
        ):
            start = i if start is None else start
            continue
        if start is not None:
            opens_sentence = start == 0 or bool(_SENTENCE_END.search(tokens[start][1]))
            if not (opens_sentence and i - start == 1):
                keep[start:i] = [True] * (i - start)
        start = i if capital else None
    return keep


def _tokens(text: str) -> list[tuple[str, str]]:
    """(word, the text between it and the previous word); the first word gets a newline.

    An elided article or preposition is left in the gap ("l'Irak" is "Irak"), and so is a
    possessive ("Qatar's" is "Qatar").
    """
    # re.split with the token pattern captured gives gap, word, gap, word... in one C pass: a
    # Python loop over match objects was most of story linking's time on long bodies.
    parts = _TOKEN_SPLIT.split(text)
    words, gaps = parts[1::2], parts[0:-1:2]
    for i, word in enumerate(words):
        if "'" not in word and "’" not in word:
            continue
        elided = _ELISION.match(word)
        if elided:
            gaps[i] += word[: elided.end()]
            word = words[i] = word[elided.end() :]
        if len(word) > 3 and word[-2:] in ("'s", "’s"):
            words[i] = word[:-2]
    if gaps:
        gaps[0] = "\n"
    return list(zip(words, gaps, strict=True))


def _runs(tokens: list[tuple[str, str]], keep: list[bool]) -> list[list[tuple[str, int]]]:
    """(skeleton, position) of kept words, split where a word is not kept or punctuation intervenes."""
    runs: list[list[tuple[str, int]]] = [[]]
    for i, ((token, gap), kept) in enumerate(zip(tokens, keep, strict=True)):
        if not kept or gap.strip(" -\u00a0"):
            runs.append([])
        skel = skeleton(token) if kept else ""
        if skel:
            runs[-1].append((skel, i))
    return [run for run in runs if run]


def story_keys(title: str, body: str, language: str | None) -> tuple[str, frozenset[str]]:
    """(script, keys and markers) of one article."""
    n_title = len(_tokens(title))
    tokens = _tokens(f"{title}\n{body}")
    arabic = language == "ar" or (language is None and is_arabic(title))
    lead_end = n_title + PROMINENT_WORDS
    keys: dict[str, int] = {}  # key -> first position

    def add(key: str | None, position: int) -> None:
        if key and key not in keys:
            keys[key] = position

    if arabic:
        at = [i for i, (t, _) in enumerate(tokens) if not _NUMBER.match(t)][:LEAD_WORDS]
        words = [tokens[i] for i in at]  # title and lead, numbers left out
        found = places.find_places([t for t, _ in words], arabic=True)
        keep = [t not in _ARABIC_STOP and j not in found for j, (t, _) in enumerate(words)]
        runs = [[(skel, at[j]) for skel, j in run] for run in _runs(words, keep)]
        place_positions = {at[j]: place for j, place in found.items()}
        script = "arabic"
    else:
        keep = _latin_names(tokens, limit=n_title + BODY_WORDS)
        tokens, keep = tokens[: n_title + BODY_WORDS], keep[: n_title + BODY_WORDS]
        place_positions = places.find_places([t for t, _ in tokens], arabic=False)
        keep = [k and i not in place_positions for i, k in enumerate(keep)]
        runs = _runs(tokens, keep)
        script = "latin"
    for i, (token, _) in enumerate(tokens[: n_title + BODY_WORDS]):
        if _NUMBER.match(token):
            add(_number_key(token, tokens[i + 1][0] if i + 1 < len(tokens) else ""), i)
            add(_quantity_key(tokens, i), i)
            add(_date_key(tokens, i), i)
            continue
        if newswords.number_word(token):  # "trente centimètres"
            add(_quantity_key(tokens, i), i)
        for part in token.split("-") if "-" in token else (token,):  # "tree-planting": each part
            found = newswords.concept(part)
            if found:
                add(f"e:{found}", i)
    for i, place in sorted(place_positions.items()):
        add(_place_key(place), i)
    body_names: set[str] = set()
    for run in runs:
        for j, (skel, i) in enumerate(run):
            key = _word_key(skel)
            add(key, i)
            if not arabic and key and key[0] == "u":  # how Arabic may spell this name (score: cross-script)
                for variant in latin_variants(tokens[i][0]):
                    add(f"{VARIANT}:{variant}", i)
            if key and i >= n_title:
                body_names.add(key)
            if j:
                add(f"b:{run[j - 1][0]}|{skel}", i)
    out = set(keys)
    out |= {LEAD + k for k, i in keys.items() if i < lead_end}
    if not arabic:  # the names a Latin headline is about: in the title, and named again below it
        out |= {
            SUBJECT + k
            for k, i in keys.items()
            if i < n_title
            and k.startswith("u:")
            and len(k) - 2 >= SUBJECT_MIN_SKELETON
            and k in body_names
            and k[2:] not in _ROLES
        }
    if language:
        out.add(LANGUAGE + language)
    return script, frozenset(out)


def key_weight(key: str) -> float:
    kind, value = key.split(":", 1)
    if kind == "u":
        return 1.0 if len(value) >= 4 else 0.5
    return _WEIGHTS.get(kind, 0.0)


def _distinctive(key: str) -> bool:
    """A key that can carry a link: a name pair, a long name, or a large number (with a unit or not)."""
    if key[0] == "q":
        return int(key[2 : key.index("|")]) > 31
    return key[0] in "bn" or (key[0] == "u" and len(key) >= 6)


def score(a: StoryDoc, b: StoryDoc, common: frozenset[str] = frozenset()) -> float:
    """Weight of the evidence two articles share; 0 outside the publication window.

    ``common``: keys that many articles of the window share (link_stories computes them).
    """
    if a.published_at is None or b.published_at is None or abs(a.published_at - b.published_at) > WINDOW:
        return 0.0
    shared = a.bare & b.bare
    if a.script != b.script:
        shared |= _variant_matches(a, b)
    if a.script == b.script == "arabic" and not _shares_a_figure(shared):
        # Two Arabic word sets share common words ("درجات الحرارة") whatever the event: without
        # capitals to tell names apart, a shared figure is required as well.
        return 0.0
    total, anchored, measures = 0.0, False, 0
    in_pairs = {part for k in shared if k[0] == "b" for part in k[2:].split("|")}
    for key in shared:
        in_leads = _in_leads(key, a) + _in_leads(key, b)
        weight = key_weight(key) * ZONE_FACTOR[in_leads]
        if key[0] == "u" and key[2:] in in_pairs:
            weight *= PAIR_PARTS_FACTOR
        if key in common:
            weight *= COMMON_FACTOR
        elif in_leads and _distinctive(key):
            anchored = True
        measures += key[0] == "q" and in_leads == 2
        total += weight
    # Two measurements in both leads ("7 to 10 feet", "42 and 47 degrees") pin one event down as a
    # large number does, though each number alone is small.
    if not (anchored or measures >= 2):
        return 0.0
    if a.language and a.language == b.language and (a.subjects - b.bare or b.subjects - a.bare):
        total *= SUBJECT_MISSING_FACTOR  # a headline is about someone the other article does not name
    return total


def _variant_matches(a: StoryDoc, b: StoryDoc) -> frozenset[str]:
    """The u: keys of the Arabic article that a Latin name's variant spells (v:nkl -> u:nkl)."""
    latin, arabic = (a, b) if b.script == "arabic" else (b, a)
    return latin.variants & arabic.bare


def _in_leads(key: str, doc: StoryDoc) -> bool:
    """Whether the key (or, for a Latin article, the variant that matched it) is in the lead."""
    return key in doc.lead or (doc.script == "latin" and key[0] == "u" and VARIANT + key[1:] in doc.lead)


def _shares_a_figure(shared: frozenset[str]) -> bool:
    return any(k.startswith("n:") for k in shared) or sum(k.startswith("s:") for k in shared) >= 2


def threshold_for(a: StoryDoc, b: StoryDoc, threshold: float, threshold_arabic: float) -> float:
    if a.script != b.script or (a.language and b.language and a.language != b.language):
        return min(threshold, THRESHOLD_CROSS_LANGUAGE)
    return threshold_arabic if a.script == b.script == "arabic" else threshold


def _order(doc: StoryDoc) -> tuple[bool, datetime | None, str]:
    return (doc.published_at is None, doc.published_at, doc.article_id)


def common_keys(postings: dict[str, list[int]], n_docs: int) -> frozenset[str]:
    """Keys in more than COMMON_SHARE of the window's articles (and at least COMMON_MIN_DF)."""
    cutoff = max(COMMON_MIN_DF, COMMON_SHARE * n_docs)
    return frozenset(k for k, posting in postings.items() if len(posting) >= cutoff)


@runtime_checkable
class StoredStories(Protocol):
    """The window's stored canonical articles, as link_stories reads them: the articles holding
    some keys, and one article by position. Positions follow publication order (then id)."""

    def __len__(self) -> int: ...

    def postings(self, keys: Collection[str]) -> dict[str, list[int]]:
        """key -> positions (ascending) of the stored articles with that bare key, for `keys`."""
        ...

    def doc(self, position: int) -> StoryDoc: ...


@dataclass
class ListStories:
    """StoredStories over StoryDoc objects in memory (tests and the evaluation; the process stage
    reads the lake's columns instead: transforms/story_table.py)."""

    docs: list[StoryDoc]
    _postings: dict[str, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.docs)

    def postings(self, keys: Collection[str]) -> dict[str, list[int]]:
        if self._postings is None:
            self._postings = {}
            for i, doc in enumerate(self.docs):
                for key in doc.bare:
                    self._postings.setdefault(key, []).append(i)
        return {k: list(self._postings[k]) for k in keys if k in self._postings}

    def doc(self, position: int) -> StoryDoc:
        return self.docs[position]


def link_stories(
    new: list[StoryDoc],
    stored: Iterable[StoryDoc] | StoredStories,
    *,
    threshold: float = THRESHOLD,
    threshold_arabic: float = THRESHOLD_ARABIC,
    max_df: int = 200,
) -> dict[str, tuple[str, float]]:
    """article_id -> (story_id, best link score) for the new articles.

    New articles linked to each other form one group (union-find). A group that links to stored
    articles joins the stored story of its strongest link (stored rows are never rewritten, as in
    exact dedup); otherwise its story_id is the id of its earliest article. Keys in many articles
    of the window count little (common_keys); keys shared by more than ``max_df`` articles are not
    followed to find candidates at all, which keeps the work per article bounded.

    Only the new articles' keys are looked up in `stored`, and only candidate articles are read
    from it: the work follows the batch, not the size of the window.
    """
    window = stored if isinstance(stored, StoredStories) else ListStories(list(stored))
    first_new = len(window)
    new = list(new)
    postings = window.postings({key for doc in new for key in doc.bare})
    for i, doc in enumerate(new, start=first_new):
        for key in doc.bare:
            postings.setdefault(key, []).append(i)
    # Document frequencies of the new articles' keys are all `score` and the candidate walk read.
    common = common_keys(postings, first_new + len(new))
    read: dict[int, StoryDoc] = {}

    def doc_at(i: int) -> StoryDoc:
        if i >= first_new:
            return new[i - first_new]
        if i not in read:
            read[i] = window.doc(i)
        return read[i]

    parent = {i: i for i in range(first_new, first_new + len(new))}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    best_stored: dict[int, tuple[float, int]] = {}  # new doc -> (score, stored doc)
    best_score: dict[int, float] = {}
    for i in range(first_new, first_new + len(new)):
        doc = doc_at(i)
        candidates: set[int] = set()
        for key in doc.bare:
            posting = postings[key]
            if len(posting) > max_df or key in common:
                continue
            candidates.update(j for j in posting if j != i and (j < first_new or j < i))
        for j in sorted(candidates):  # in order: equal scores resolve the same way on every run
            other = doc_at(j)
            s = score(doc, other, common)
            if s < threshold_for(doc, other, threshold, threshold_arabic):
                continue
            best_score[i] = max(best_score.get(i, 0.0), s)
            if j < first_new:
                if s > best_stored.get(i, (0.0, -1))[0]:
                    best_stored[i] = (s, j)
            else:
                best_score[j] = max(best_score.get(j, 0.0), s)
                parent[find(i)] = find(j)

    groups: dict[int, list[int]] = {}
    for i in range(first_new, first_new + len(new)):
        groups.setdefault(find(i), []).append(i)
    out: dict[str, tuple[str, float]] = {}
    for members in groups.values():
        links = [best_stored[i] for i in members if i in best_stored]
        if links:
            _, j = max(links, key=lambda link: (link[0], [-ord(c) for c in doc_at(link[1]).article_id]))
            story = doc_at(j).story_id or doc_at(j).article_id
        else:
            story = min((doc_at(i) for i in members), key=_order).article_id
        for i in members:
            out[doc_at(i).article_id] = (story, round(best_score.get(i, 0.0), 2))
    return out
