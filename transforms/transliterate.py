"""Arabic and Latin names reduced to one consonant skeleton, so السغروشني and Seghrouchni meet.

Transliterations of one Arabic name disagree on vowels (Mohammed/Muhammad), on doubled letters
(Mannai/Manai), on the article (Al/El/ال), and on a few consonant spellings (ch/sh, ou/u, q/k).
Consonants survive all of them, so both scripts are mapped to a small consonant alphabet:
vowels, semivowels (و ي ا) and the glottal letters (ء ع) are dropped, doubled letters collapse.

    السغروشني -> skrSn      Seghrouchni -> skrSn
    المناعي   -> mn         Al Mannai   -> mn
    محمد      -> mhmd       Mohammed    -> mhmd

Upper-case letters in a skeleton stand for digraphs: S = ش/ch/sh, T = ث ذ ظ/th/dh, X = خ/kh.
غ is a k, as g and gh are: Arabic writes a foreign g as غ ("Mbougar" مبوغار, "Hugo" هوغو) as
often as it writes Arabic غ as gh. The skeleton is a matching key, not a readable transliteration.

`latin_variants` gives the other skeletons a Latin name has when Arabic writes it by ear: a
silent final consonant dropped ("Nicolas" نيكولا), a silent initial h ("Hollande" أولاند), th
as t ("Bismuth" بيسموت).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_AR_MAP = {
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "T", "ذ": "T", "ظ": "T", "ج": "j", "ح": "h",
    "ه": "h", "خ": "X", "د": "d", "ض": "d", "ر": "r", "ز": "z", "س": "s", "ص": "s", "ش": "S",
    "چ": "S", "غ": "k", "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "ڭ": "k", "گ": "k", "ل": "l",
    "م": "m", "ن": "n",
}  # fmt: skip
# Everything else Arabic (alef forms, hamza, ain, waw, yaa, taa marbuta, diacritics) is a vowel.

# Longest first: "sch" before "ch", "kh" before "h".
_LATIN_DIGRAPHS = [
    ("tch", "S"), ("sch", "S"), ("ch", "S"), ("sh", "S"), ("gh", "k"), ("kh", "X"), ("th", "T"),
    ("dh", "T"), ("ph", "f"), ("dj", "j"), ("ck", "k"), ("qu", "k"), ("x", "ks"),
]  # fmt: skip
_LATIN_MAP = {
    "b": "b", "p": "b", "t": "t", "j": "j", "h": "h", "d": "d", "r": "r", "z": "z", "s": "s",
    "f": "f", "v": "f", "k": "k", "q": "k", "c": "k", "g": "k", "l": "l", "m": "m", "n": "n",
    "S": "S", "T": "T", "X": "X",
}  # fmt: skip

_AR_ARTICLE = re.compile(r"^(?:[وف]?[بكل]?ال|[وف]?لل)(?=..)")
_LATIN_ARTICLE = re.compile(r"^(?:[ae][ldstnr])-(?=..)")
_LATIN_ARTICLE_WORDS = frozenset({"al", "el"})
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u067e\u0686\u06a4\u06ad\u06af]")


@lru_cache(maxsize=131072)  # pure, and called for every word of every article by story linking
def fold_latin(text: str) -> str:
    """Lower case without accents; ç is an s."""
    if text.isascii():
        return text.lower()
    text = text.lower().replace("ç", "s")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _collapse(chars: list[str]) -> str:
    out: list[str] = []
    for c in chars:
        if c and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


def is_arabic(token: str) -> bool:
    return bool(_ARABIC_LETTER.search(token))


def arabic_skeleton(token: str) -> str:
    token = _AR_ARTICLE.sub("", token)
    return _collapse([_AR_MAP.get(c, "") for c in token])


def latin_skeleton(token: str) -> str:
    token = _LATIN_ARTICLE.sub("", fold_latin(token))
    if token in _LATIN_ARTICLE_WORDS:
        return ""
    # "c" before e/i sounds like s (Mercedes, Cie); handled before digraph replacement.
    token = re.sub(r"c(?=[eiy])", "s", token)
    for digraph, symbol in _LATIN_DIGRAPHS:
        token = token.replace(digraph, symbol)
    return _collapse([_LATIN_MAP.get(c, "") for c in token])


@lru_cache(maxsize=131072)  # pure, and called for every word of every article by story linking
def skeleton(token: str) -> str:
    """The consonant skeleton of one word in either script ('' for a word of only vowels)."""
    return arabic_skeleton(token) if is_arabic(token) else latin_skeleton(token)


_SILENT_FINAL = frozenset("stdxz")


@lru_cache(maxsize=131072)
def latin_variants(token: str) -> frozenset[str]:
    """Skeletons of a Latin name as Arabic may write it by ear, other than skeleton(token)."""
    folded = fold_latin(token)
    base = latin_skeleton(token)
    out = set()
    if folded[-1:] in _SILENT_FINAL and base[-1:] in ("s", "t", "d", "z"):  # x is "ks"
        out.add(base[:-2] if base.endswith("ks") else base[:-1])
    if folded.startswith("h") and base.startswith("h"):
        out.add(base[1:])
    if "T" in base:
        out.add(base.replace("T", "t"))
    return frozenset(v for v in out if len(v) >= 3 and v != base)
