"""Story linking across languages without shared names: measurements (a number with its unit) and
event concepts (transforms/newswords.py). Sentences written for these tests, and tuning-split texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.eval.dedup.score import load_set
from transforms import newswords
from transforms.story import THRESHOLD, StoryDoc, link_stories, score, story_keys

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        (("séisme", "Earthquakes", "الزلزال", "والزلزال"), "earthquake"),
        (("tempête", "storms", "عاصفة"), "storm"),
        (("élections", "electoral", "الانتخابات", "بالانتخابات"), "election"),
        (("inondations", "floods", "فيضانات"), "flood"),
        (("neige", "snowfall", "ثلجية", "الثلوج"), "snow"),
    ],
)
def test_an_event_word_gives_one_concept_in_every_language(words: tuple[str, ...], concept: str) -> None:
    assert {newswords.concept(w) for w in words} == {concept}


@pytest.mark.parametrize("word", ["ventes", "according", "fired", "free", "حرة", "Paris", "gouverneur"])
def test_an_ordinary_word_is_no_event(word: str) -> None:
    assert newswords.concept(word) is None  # "ventes" (sales) is not "vents" (winds)


@pytest.mark.parametrize(
    ("title", "body", "language"),
    [
        ("Alerte", "Des températures entre 42 et 47 degrés sont attendues.", "fr"),
        ("Heat", "Temperatures of 42 to 47 degrees are expected.", "en"),
        ("إنذار", "درجات حرارة تتراوح ما بين 42 و47 درجة مئوية.", "ar"),
        ("Canicule", "Entre 42°C et 47°C dans le sud.", "fr"),
        ("Heat", "Highs of 42-47 degrees Celsius.", "en"),
    ],
)
def test_a_range_gives_both_numbers_its_unit(title: str, body: str, language: str) -> None:
    _, keys = story_keys(title, body, language)
    assert {"q:42|degree", "q:47|degree"} <= keys


@pytest.mark.parametrize(
    ("fr", "ar", "key"),
    [
        (
            "La neige dépassera trente centimètres.",
            "قد يتجاوز سمك الثلوج ثلاثين سنتيمترا.",
            "q:30|centimetre",
        ),
        ("Les prix ont augmenté de 12 % en mars.", "ارتفعت الأسعار بنسبة 12 بالمائة.", "q:12|percent"),
        ("Les prix ont augmenté de 12 pour cent.", "ارتفعت الأسعار 12 في المئة.", "q:12|percent"),
        ("Prices rose 12 per cent in March.", "ارتفعت الأسعار 12 في المئة.", "q:12|percent"),
        ("Des vagues de 3 mètres.", "أمواج يصل ارتفاعها إلى 3 أمتار.", "q:3|metre"),
    ],
)
def test_a_measurement_meets_across_scripts_in_digits_or_words(fr: str, ar: str, key: str) -> None:
    assert key in story_keys("Titre", fr, "fr")[1] & story_keys("عنوان", ar, "ar")[1]


def _doc(ident: str, title: str, body: str, language: str, hours: int = 0) -> StoryDoc:
    return StoryDoc(ident, T0 + timedelta(hours=hours), *story_keys(title, body, language))


# A flood warning reported in French and in Arabic: no name or large number in common.
FLOOD_FR = (
    "Alerte aux inondations dans le nord",
    "La météorologie nationale a émis une alerte : des pluies de 60 à 80 millimètres et des rafales "
    "de vent sont attendues mardi, avec un risque d'inondations dans les vallées.",
)
FLOOD_AR = (
    "تحذير من فيضانات في الشمال",
    "أصدرت مديرية الأرصاد الجوية تحذيرا من أمطار تتراوح بين 60 و80 ملم مع هبوب رياح قوية يوم "
    "الثلاثاء، وخطر حدوث فيضانات في الأودية.",
)


def test_a_translated_warning_links_on_measurements_and_event_words() -> None:
    fr, ar = _doc("fr", *FLOOD_FR, "fr"), _doc("ar", *FLOOD_AR, "ar", hours=2)
    assert {"q:60|millimetre", "q:80|millimetre", "e:flood", "e:rain", "e:warning"} <= fr.bare & ar.bare
    assert score(fr, ar) >= THRESHOLD
    assert link_stories([fr, ar], [])["ar"][0] == "fr"


def test_event_words_alone_carry_no_link() -> None:
    # Another flood warning, other figures: the same kind of event, not the same event.
    other = _doc(
        "other",
        "Nouvelle alerte aux inondations",
        "La météorologie nationale annonce des pluies et des rafales de vent, avec un risque "
        "d'inondations dans les vallées du nord.",
        "fr",
        hours=24,
    )
    ar = _doc("ar", *FLOOD_AR, "ar")
    assert {"e:flood", "e:rain", "e:warning", "e:wind"} <= other.bare & ar.bare
    assert score(other, ar) == 0.0


def test_one_small_measurement_alone_carries_no_link() -> None:
    a = _doc("a", "Vent fort", "Des vagues de 3 mètres et des rafales de vent.", "fr")
    b = _doc("b", "رياح قوية", "أمواج يصل ارتفاعها إلى 3 أمتار مع هبوب رياح.", "ar", hours=1)
    assert "q:3|metre" in a.bare & b.bare
    assert score(a, b) == 0.0


def _eval_doc(ident: str) -> StoryDoc:
    doc = {d.id: d for d in load_set()}[ident]
    return StoryDoc(doc.id, doc.published_at, *story_keys(doc.title, doc.body, doc.language))


@pytest.mark.parametrize(
    ("first", "second"),
    [("snow_fr", "snow_ar"), ("heat_ar", "heat_fr"), ("winds_ar", "winds_en")],
)
def test_tuning_translations_without_a_shared_name_link(first: str, second: str) -> None:
    assert score(_eval_doc(first), _eval_doc(second)) >= THRESHOLD


def test_the_other_heat_alert_stays_apart() -> None:
    # Two days earlier, other figures and regions: shares event words, no measurement.
    assert score(_eval_doc("heat2_ar"), _eval_doc("heat_fr")) == 0.0


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Doha, le 1er février 2026 - La réunion s'est tenue dimanche.", "fr"),
        ("Doha, February 1 (QNA) - The meeting was held on Sunday.", "en"),
        ("On Feb. 1st the meeting was held.", "en"),
        ("الدوحة في 1 فبراير /قنا/ عقد الاجتماع يوم الأحد.", "ar"),
    ],
)
def test_a_date_gives_one_key_in_every_language(text: str, language: str) -> None:
    assert "d:2-1" in story_keys("Meeting", text, language)[1]


def test_may_as_a_verb_is_no_month() -> None:
    assert not {k for k in story_keys("Prices", "Prices may 5 times rise in May 2026.", "en")[1] if "d:" in k}
