"""Content hash for exact-duplicate detection across outlets (wire copies, AMP vs desktop pages)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Arabic-Indic digits, and spelling variants that Arabic sites use interchangeably for one word.
_AR_FOLD = str.maketrans(
    {
        **dict(zip("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789", strict=True)),
        **{"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None},
    }
)
_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_BLOCK = re.compile("[\u0600-\u06ff]")  # every character folded above lies in it
_NOT_WORD = re.compile(r"[\W_]+")


def normalize_for_hash(text: str) -> str:
    """Text reduced to its words: NFKC, Arabic variants folded, lowercase, no punctuation/symbols."""
    text = unicodedata.normalize("NFKC", text)
    if _ARABIC_BLOCK.search(text):  # str.translate costs a third of the hash: Latin text skips it
        text = _AR_DIACRITICS.sub("", text.translate(_AR_FOLD))
    text = text.lower()
    # Quotes, dashes and symbols differ between copies of one dispatch (« » vs ", ’ vs ').
    return _NOT_WORD.sub(" ", text).strip()


def content_hash(body: str) -> str:
    """sha256 hex of the normalised body."""
    return hashlib.sha256(normalize_for_hash(body).encode("utf-8")).hexdigest()
