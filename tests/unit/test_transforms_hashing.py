"""content_hash: equal for copies differing in whitespace, punctuation style and Arabic spelling."""

from __future__ import annotations

from transforms.hashing import content_hash, normalize_for_hash


def test_whitespace_and_case_variants_hash_the_same() -> None:
    a = "Dimanche à Doha, la ministre a engagé des discussions.\n\nCes conversations étaient centrées."
    b = " dimanche à Doha,\u00a0la ministre a engagé   des discussions.\nCes conversations\tétaient centrées."
    assert content_hash(a) == content_hash(b)


def test_quote_and_dash_styles_hash_the_same() -> None:
    assert content_hash("le « Hub Morocco » — l’IA") == content_hash('le "Hub Morocco" - l\'IA')


def test_arabic_spelling_variants_hash_the_same() -> None:
    a = "أمل الفلاح السغروشني في الدوحة، وإصلاح الإدارة ٢٠٢٦"
    b = "امل الفلاح السغروشنـــي فى الدوحه وإِصْلَاح الادارة 2026"
    assert content_hash(a) == content_hash(b)


def test_different_texts_hash_differently() -> None:
    assert content_hash("Le Maroc et le Qatar") != content_hash("Le Maroc et la Tunisie")
    assert content_hash("المغرب وقطر") != content_hash("المغرب وتونس")


def test_hash_shape() -> None:
    digest = content_hash("x")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert normalize_for_hash("Web Summit, Qatar!") == "web summit qatar"
