"""Language of an article body, restricted to the languages the project ingests."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MIN_LETTERS = 40  # below this, n-gram statistics are noise and the declared language decides
LANGID_CHARS = 600  # of the body: script shares and langid both read this much
MIN_CONFIDENCE = 0.9  # normalised probability under which the declared language breaks the tie
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


@lru_cache(maxsize=1)
def _model() -> LanguageIdentifier:
    # Decompressing the model takes ~0.6 s: once per process, not once per language set.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    # A private copy: set_languages() narrows the instance it is called on, and langid's
    # module-level one is shared with every other caller in the process. Shallow is enough:
    # set_languages() rebinds its arrays from the full model instead of changing them.
    identifier = copy.copy(_model())
    identifier.set_languages(list(languages))
    return identifier


def normalise_tag(tag: str | None) -> str | None:
    """'fr-FR', 'ar_MA', 'AR' -> 'fr', 'ar', 'ar'."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def detect_language(
    text: str, declared: str | None, allowed: Sequence[str] = ("ar", "fr", "en")
) -> str | None:
    """Language of ``text`` among ``allowed``; the declared (html lang) one only breaks ties."""
    allowed = tuple(dict.fromkeys(allowed))
    declared_ok = normalise_tag(declared)
    declared_ok = declared_ok if declared_ok in allowed else None
    sample = (text or "")[:LANGID_CHARS]  # plenty for a confident guess; langid loops per byte
    arabic = len(_ARABIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    letters = arabic + latin
    if letters < MIN_LETTERS:
        return declared_ok
    # Arabic script is decisive among ar/fr/en; Latin names and acronyms inside it are normal.
    if arabic / letters >= 0.6:
        return "ar" if "ar" in allowed else None
    latin_langs = tuple(lang for lang in allowed if lang != "ar") if arabic / letters < 0.1 else allowed
    if not latin_langs:
        return declared_ok
    if len(latin_langs) == 1:
        return latin_langs[0]
    # French or English is plain after a few sentences; langid's cost grows with the sample
    # (0.13 ms at 1500 characters, 0.06 ms at 600).
    lang, prob = _identifier(tuple(sorted(latin_langs))).classify(sample)
    if prob < MIN_CONFIDENCE and declared_ok:
        return declared_ok
    return str(lang)
