"""Cross-lingual story linking: articles about one event in ar/fr/en get the same story_id.

Evidence that survives translation, with no model: names (as consonant skeletons, see
transforms/transliterate.py), numbers, and publication time. Each article becomes a set of
string keys; two articles published within WINDOW of each other are linked when the weights of
the keys they share reach a threshold chosen on tests/dedup_eval (see `nashra eval dedup`).

Latin-script text marks its names with capitals; Arabic has no capitals, so an Arabic article
keeps a key for every word of its title and lead (function words removed) and a Latin name is
"found" in it when its skeleton is among them. Key kinds (the prefix is the weight class):
    u:<skeleton>         one name word               b:<skel>|<skel>   two adjacent name words
    n:<digits>           a number                    y:<year>          a year (weak: every story has one)
    p:<skeleton>         a place every story here names (Morocco, Qatar, Doha ...: weak)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from transforms.transliterate import fold_latin, is_arabic, skeleton

WINDOW = timedelta(days=3)
# Chosen on tests/dedup_eval (`nashra eval dedup --sweep`): above the strongest same-venue,
# other-event pair (5.0: "Web Summit Qatar 2026" + Doha + Qatar), below the weakest named pair.
# Arabic-Arabic pairs compare two word sets, not names against words (see score()).
THRESHOLD = 5.5
THRESHOLD_ARABIC = 5.5
LEAD_WORDS = 160  # Arabic: title + this many words; the lead names who, where and how many

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_TOKEN = re.compile(r"\d+(?:[.,\u066b\u066c\u00a0 ]\d{3})*(?:[.,]\d+)?|[^\W\d_]+(?:[-'’][^\W\d_]+)*")
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
_WEIGHTS = {"b": 1.5, "n": 1.5, "s": 0.75, "y": 0.25, "p": 0.25}


@dataclass(frozen=True)
class StoryDoc:
    article_id: str
    published_at: datetime | None
    script: str  # "latin": keys are names; "arabic": keys are every lead word
    keys: frozenset[str]
    story_id: str | None = None  # set for stored articles


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


def _word_key(skel: str) -> str | None:
    if len(skel) < 2:
        return None
    return f"p:{skel}" if skel in _COMMON_PLACES else f"u:{skel}"


def _latin_names(tokens: list[tuple[str, str]]) -> list[bool]:
    """Which words belong to names: capitalised words, and particles (bin, El) inside a name.

    A word also seen in lower case is a common word; a lone capitalised word opening a sentence
    is grammar, not a name ("Concernant", "Officials").
    """
    lower_seen = {fold_latin(t) for t, _ in tokens if t[:1].islower()}
    keep = [False] * len(tokens)
    start = None
    for i, (token, gap) in enumerate([*tokens, ("", ".")]):
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
    """(word, the text between it and the previous word); the first word gets a newline."""
    out: list[tuple[str, str]] = []
    last = 0
    for m in _TOKEN.finditer(text):
        out.append((m[0], text[last : m.start()] if out else "\n"))
        last = m.end()
    return out


def _runs(tokens: list[tuple[str, str]], keep: list[bool]) -> list[list[str]]:
    """Skeletons of kept words, split where a word is not kept or punctuation intervenes."""
    runs: list[list[str]] = [[]]
    for (token, gap), kept in zip(tokens, keep, strict=True):
        if not kept or gap.strip(" -\u00a0"):
            runs.append([])
        skel = skeleton(token) if kept else ""
        if skel:
            runs[-1].append(skel)
    return [run for run in runs if run]


def story_keys(title: str, body: str, language: str | None) -> tuple[str, frozenset[str]]:
    """(script, keys) of one article."""
    text = f"{title}\n{body}"
    tokens = _tokens(text)
    keys: set[str] = set()
    for i, (token, _) in enumerate(tokens):
        if _NUMBER.match(token):
            key = _number_key(token, tokens[i + 1][0] if i + 1 < len(tokens) else "")
            if key:
                keys.add(key)
    if language == "ar" or (language is None and is_arabic(title)):
        words = [(t, gap) for t, gap in tokens if not _NUMBER.match(t)][:LEAD_WORDS]
        runs = _runs(words, [t not in _ARABIC_STOP for t, _ in words])
        script = "arabic"
    else:
        runs = _runs(tokens, _latin_names(tokens))
        script = "latin"
    for run in runs:
        for i, skel in enumerate(run):
            key = _word_key(skel)
            if key:
                keys.add(key)
            if i:
                keys.add(f"b:{run[i - 1]}|{skel}")
    return script, frozenset(keys)


def key_weight(key: str) -> float:
    kind, value = key.split(":", 1)
    if kind == "u":
        return 1.0 if len(value) >= 4 else 0.5
    return _WEIGHTS.get(kind, 0.0)


def score(a: StoryDoc, b: StoryDoc) -> float:
    """Weight of the evidence two articles share; 0 outside the publication window."""
    if a.published_at is None or b.published_at is None or abs(a.published_at - b.published_at) > WINDOW:
        return 0.0
    shared = a.keys & b.keys
    if a.script == b.script == "arabic" and not _shares_a_figure(shared):
        # Two Arabic word sets share common words ("درجات الحرارة") whatever the event: without
        # capitals to tell names apart, a shared figure is required as well.
        return 0.0
    return sum(key_weight(k) for k in shared)


def _shares_a_figure(shared: frozenset[str]) -> bool:
    return any(k.startswith("n:") for k in shared) or sum(k.startswith("s:") for k in shared) >= 2


def threshold_for(a: StoryDoc, b: StoryDoc, threshold: float, threshold_arabic: float) -> float:
    return threshold_arabic if a.script == b.script == "arabic" else threshold


def _order(doc: StoryDoc) -> tuple[bool, datetime | None, str]:
    return (doc.published_at is None, doc.published_at, doc.article_id)


def link_stories(
    new: list[StoryDoc],
    stored: Iterable[StoryDoc],
    *,
    threshold: float = THRESHOLD,
    threshold_arabic: float = THRESHOLD_ARABIC,
    max_df: int = 200,
) -> dict[str, tuple[str, float]]:
    """article_id -> (story_id, best link score) for the new articles.

    New articles linked to each other form one group (union-find). A group that links to stored
    articles joins the stored story of its strongest link (stored rows are never rewritten, as in
    exact dedup); otherwise its story_id is the id of its earliest article. Keys shared by more
    than ``max_df`` articles of the window say nothing about one event and are skipped, which also
    keeps the work per article bounded.
    """
    stored = list(stored)
    docs = stored + list(new)
    postings: dict[str, list[int]] = {}
    for i, doc in enumerate(docs):
        for key in doc.keys:
            postings.setdefault(key, []).append(i)
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_new = len(stored)
    best_stored: dict[int, tuple[float, int]] = {}  # new doc -> (score, stored doc)
    best_score: dict[int, float] = {}
    for i in range(first_new, len(docs)):
        doc = docs[i]
        totals: dict[int, float] = {}
        for key in doc.keys:
            posting = postings[key]
            if len(posting) > max_df:
                continue
            weight = key_weight(key)
            for j in posting:
                if j != i and (j < first_new or j < i):
                    totals[j] = totals.get(j, 0.0) + weight
        for j, _ in totals.items():
            s = score(doc, docs[j])
            if s < threshold_for(doc, docs[j], threshold, threshold_arabic):
                continue
            best_score[i] = max(best_score.get(i, 0.0), s)
            if j < first_new:
                if s > best_stored.get(i, (0.0, -1))[0]:
                    best_stored[i] = (s, j)
            else:
                best_score[j] = max(best_score.get(j, 0.0), s)
                parent[find(i)] = find(j)

    groups: dict[int, list[int]] = {}
    for i in range(first_new, len(docs)):
        groups.setdefault(find(i), []).append(i)
    out: dict[str, tuple[str, float]] = {}
    for members in groups.values():
        links = [best_stored[i] for i in members if i in best_stored]
        if links:
            _, j = max(links, key=lambda link: (link[0], [-ord(c) for c in docs[link[1]].article_id]))
            story = docs[j].story_id or docs[j].article_id
        else:
            story = min((docs[i] for i in members), key=_order).article_id
        for i in members:
            out[docs[i].article_id] = (story, round(best_score.get(i, 0.0), 2))
    return out
