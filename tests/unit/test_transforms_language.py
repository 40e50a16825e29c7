"""detect_language: ar/fr/en on real text, declared lang only as tie-breaker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transforms.language import detect_language, normalise_tag

SEEDS = Path(os.environ.get("NASHRA_SEEDS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "seeds")


@pytest.mark.parametrize(("prefix", "lang"), [("000", "fr"), ("002", "ar")])
def test_seeds(prefix: str, lang: str) -> None:
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    assert detect_language(text, None) == lang
    # a wrong declaration does not override clear text
    assert detect_language(text, "en") == lang


def test_english() -> None:
    text = (
        "The Moroccan minister met her Qatari counterpart in Doha on Sunday to discuss digital cooperation."
    )
    assert detect_language(text, "fr-FR") == "en"


def test_arabic_with_latin_names_is_arabic() -> None:
    assert (
        detect_language("في سياق مشاركته في فعاليات Web Summit قطر 2026، أجرى المغرب مباحثات ثنائية", None)
        == "ar"
    )


def test_short_text_uses_declared_language() -> None:
    assert detect_language("Web Summit 2026", "fr_MA") == "fr"
    assert detect_language("Web Summit 2026", None) is None
    assert detect_language("", "ar") == "ar"
    assert detect_language("", "de") is None  # not an allowed language


def test_restricted_to_allowed() -> None:
    text = "La ministre a rencontré son homologue qatari à Doha dimanche pour parler du numérique."
    assert detect_language(text, None, allowed=("ar", "fr")) == "fr"
    assert (
        detect_language("وشكل اللقاء فرصة لتبادل وجهات النظر حول مسار الرقمنة", None, allowed=("fr", "en"))
        is None
    )


@pytest.mark.parametrize(
    ("tag", "expected"), [("fr-FR", "fr"), ("ar_MA", "ar"), ("AR", "ar"), ("", None), ("*", None)]
)
def test_normalise_tag(tag: str, expected: str | None) -> None:
    assert normalise_tag(tag) == expected
