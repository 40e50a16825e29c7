"""Content hash for exact-duplicate detection across outlets (wire copies, AMP vs desktop pages)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Spelling variants that Arabic sites use interchangeably for the same word.
_AR_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None}
)
_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_NOT_WORD = re.compile(r"[\W_]+")


def normalize_for_hash(text: str) -> str:
    """Text reduced to its words: NFKC, Arabic variants folded, lowercase, no punctuation/symbols."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).translate(_AR_FOLD)
    text = _AR_DIACRITICS.sub("", text).lower()
    # Quotes, dashes and symbols differ between copies of one dispatch (« » vs ", ’ vs ').
    return _NOT_WORD.sub(" ", text).strip()


def content_hash(body: str) -> str:
    """sha256 hex of the normalised body."""
    return hashlib.sha256(normalize_for_hash(body).encode("utf-8")).hexdigest()
