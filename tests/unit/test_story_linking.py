"""Cross-lingual story linking: transliteration skeletons, keys, scores, and the evaluation targets."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from devkit.fixture_web.seeds import load_seeds
from tests.eval.dedup.score import HELDOUT_GATES, SPLITS, TUNING2_GATES, evaluate, load_set, meets_targets
from transforms.story import (
    COMMON_MIN_DF,
    PAIR_PARTS_FACTOR,
    THRESHOLD,
    THRESHOLD_CROSS_LANGUAGE,
    StoryDoc,
    common_keys,
    key_weight,
    link_stories,
    score,
    story_keys,
)
from transforms.transliterate import skeleton

T0 = datetime(2026, 2, 1, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("السغروشني", "Seghrouchni"),
        ("المناعي", "Al Mannai"),
        ("المناعي", "Al-Mannai"),
        ("محمد", "Mohammed"),
        ("محمد", "Muhammad"),
        ("الفلاح", "El Fallah"),
        ("ستري", "Setri"),
        ("الدوحة", "Doha"),
        ("بالدوحة", "Doha"),
        ("قطر", "Qatar"),
        ("بن", "Bin"),
        ("خالد", "Khalid"),
        ("الشامي", "Chami"),
        ("مبوغار", "Mbougar"),  # a foreign g written غ
        ("غزة", "Ghaza"),
        ("غزة", "Gaza"),
    ],
)
def test_arabic_and_latin_spellings_meet_on_one_skeleton(arabic: str, latin: str) -> None:
    latin_word = latin.split()[-1]
    assert skeleton(arabic) == skeleton(latin_word) != ""


@pytest.mark.parametrize(
    ("arabic", "latin", "by_ear"),
    [
        ("نيكولا ساركوزي", "Nicolas Sarkozy", "u:nkl"),
        ("فرانسوا أولاند", "François Hollande", "u:lnd"),
        ("بول بيسموت", "Paul Bismuth", "u:bsmt"),
        ("إيمانويل ماكرون", "Emmanuel Macron", None),
    ],
)
def test_a_latin_name_meets_the_arabic_spelling_by_ear(arabic: str, latin: str, by_ear: str | None) -> None:
    """French names lose a silent final consonant or initial h in Arabic; th is a t. The variant
    is matched against Arabic articles only, and counts as the name it spells."""
    fr = StoryDoc("fr", T0, *story_keys("Déclaration", f"Le président {latin} a parlé lundi à Paris.", "fr"))
    ar = StoryDoc("ar", T0, *story_keys("تصريح", f"تحدث {arabic} في باريس يوم الاثنين.", "ar"))
    en = StoryDoc(
        "en", T0, *story_keys("Statement", f"The president {latin} spoke in Paris on Monday.", "en")
    )
    names = {"u:" + skeleton(word) for word in arabic.split()}  # both words
    assert names <= ar.bare and names <= _shared(fr, ar)
    if by_ear:
        assert by_ear not in fr.bare and by_ear in fr.variants  # found only through the variant
        with_variant = score(fr, ar)
        without = score(
            replace(fr, keys=frozenset(k for k in fr.keys if not k.lstrip("^!").startswith("v:"))), ar
        )
        assert with_variant > without
    assert score(fr, en) == score(
        fr, replace(en, keys=en.keys - {f"v:{v[2:]}" for v in en.variants})
    )  # Latin-Latin: variants weigh nothing


def _shared(a: StoryDoc, b: StoryDoc) -> frozenset[str]:
    from transforms.story import _variant_matches

    return a.bare & b.bare | (_variant_matches(a, b) if a.script != b.script else frozenset())


def test_one_person_named_in_both_is_one_piece_of_evidence_not_three() -> None:
    """Qassem Soleimani named in two leads: the pair counts, its two words count half. An actor of
    two events a day apart (the strike that killed him, the vote it led to) is not the event."""
    a = StoryDoc("a", T0, *story_keys("Statement", "Officials said Qassem Soleimani was in Baghdad.", "en"))
    b = StoryDoc("b", T0, *story_keys("قرار", "قال مسؤولون إن قاسم سليماني كان في بغداد.", "ar"))
    shared = _shared(a, b)
    assert {"b:ksm|slmn", "u:ksm", "u:slmn"} <= shared
    pair, parts = key_weight("b:ksm|slmn"), key_weight("u:ksm") + key_weight("u:slmn")
    assert score(a, b) <= pair + PAIR_PARTS_FACTOR * parts + 1.0  # + the place (Baghdad) at most
    assert score(a, b) < THRESHOLD_CROSS_LANGUAGE


def _doc(ident: str, seed_lang: str, when: datetime, story_id: str | None = None) -> StoryDoc:
    seed = load_seeds()[seed_lang]
    return StoryDoc(ident, when, *story_keys(seed.title, "\n\n".join(seed.paragraphs), seed_lang), story_id)


def test_the_two_seed_documents_share_names_and_link() -> None:
    fr, ar = _doc("fr", "fr", T0), _doc("ar", "ar", T0 + timedelta(hours=8))
    assert {"u:skrSn", "b:l|mn", "b:mhmd|str"} <= fr.keys & ar.keys
    assert score(fr, ar) >= 10
    linked = link_stories([fr, ar], [])
    assert linked["fr"][0] == linked["ar"][0] == "fr"  # the earliest article names the story


def test_outside_the_publication_window_nothing_links() -> None:
    fr, ar = _doc("fr", "fr", T0), _doc("ar", "ar", T0 + timedelta(days=4))
    assert score(fr, ar) == 0.0


def test_a_new_article_joins_the_stored_story_which_is_never_rewritten() -> None:
    stored = _doc("ar", "ar", T0 + timedelta(hours=8), story_id="ar")
    new = _doc("fr", "fr", T0)  # published earlier, but processed later
    assert link_stories([new], [stored])["fr"][0] == "ar"


def test_an_unrelated_story_on_the_same_topic_does_not_link() -> None:
    docs = {d.id: d for d in load_set()}
    seed, other = docs["seed_fr"], docs["startups_fr"]  # same venue, same countries, same week
    a = StoryDoc(seed.id, seed.published_at, *story_keys(seed.title, seed.body, "fr"))
    b = StoryDoc(other.id, other.published_at, *story_keys(other.title, other.body, "fr"))
    linked = link_stories([a, b], [])
    assert linked[seed.id][0] != linked[other.id][0]


def test_numbers_meet_across_scripts_and_spellings() -> None:
    _, en = story_keys("Port", "It handled 131,000 TEUs, 1.500 m, ٢٠٢٦.", "en")
    _, ar = story_keys("ميناء", "تعامل مع نحو 131 ألف حاوية و١٥٠٠ متر في 2026", "ar")
    assert {"n:131000", "n:1500", "y:2026"} <= en & ar


def test_eval_set_meets_the_targets() -> None:
    result = evaluate()  # the tuning split: the thresholds were chosen on it
    assert result["near_duplicate"]["precision"] >= 0.98
    assert result["near_duplicate"]["recall"] >= 0.95
    assert result["story"]["precision"] >= 0.95
    assert result["story_cross_lingual"]["tp"] >= 10  # cross-lingual pairs are found, not only copies
    assert meets_targets(result)


def test_heldout_split_meets_its_gates() -> None:
    """The held-out split (tests/eval/dedup/heldout, written 2026-12-07 by writers who saw neither
    the code nor the other splits; never used to choose anything). Gates fixed when it was written,
    measured with the code of that day: the target where met, else the measured level. Raise, never
    lower."""
    result = evaluate(load_set(SPLITS["heldout"]))
    assert result["documents"] >= 60
    assert result["near_duplicate"]["precision"] >= 0.98  # target 0.98, measured 1.000
    assert result["near_duplicate"]["recall"] >= 0.95  # target 0.95, measured 1.000 (15/15)
    assert result["story"]["precision"] >= 0.95  # target 0.95, measured 1.000 (40/40)
    # Raised after the cross-language threshold and name pairs counted once (0.555 / 0.438 before).
    assert result["story"]["recall"] >= 0.625  # target 0.9, measured 0.625 (45/72)
    assert result["story_cross_lingual"]["recall"] >= 0.526  # target 0.9, measured 0.526 (30/57)
    assert meets_targets(result, HELDOUT_GATES)


def test_the_former_heldout_split_keeps_its_level() -> None:
    """tuning2 was the held-out split until 2026-12-07 (README.md there): what the code reaches on
    it stays as a floor, so later work tuned on it cannot lose it."""
    result = evaluate(load_set(SPLITS["tuning2"]))
    assert result["near_duplicate"]["recall"] >= 0.95
    assert result["story"]["precision"] >= 0.95 and result["story"]["recall"] >= 0.85
    assert result["story_cross_lingual"]["recall"] >= 0.843
    assert meets_targets(result, TUNING2_GATES)


def _eval_doc(ident: str) -> StoryDoc:
    doc = {d.id: d for d in load_set()}[ident]
    return StoryDoc(doc.id, doc.published_at, *story_keys(doc.title, doc.body, doc.language))


@pytest.mark.parametrize(
    ("text", "language", "place"),
    [
        ("Élections irakiennes : un bureau de vote discret", "fr", "c:iraq"),
        ("Les observateurs irakiens saluent le vote", "fr", "c:iraq"),
        ("Quatorze pays en dehors de l'Irak", "fr", "c:iraq"),
        ("Iraqi voters turn out despite attacks", "en", "c:iraq"),
        ("إقبال كبير على الانتخابات العراقية", "ar", "c:iraq"),
        ("Une délégation marocaine à Doha", "fr", "p:morocco"),
        ("Moroccan ministers meet in Doha", "en", "p:morocco"),
        ("وفد من الحكومة المغربية في الدوحة", "ar", "p:morocco"),
        ("Washington : les États-Unis réagissent", "fr", "c:united_states"),
        ("US President speaks", "en", "c:united_states"),
        ("تصريحات مسؤول في الولايات المتحدة", "ar", "c:united_states"),
        ("Gas finds in the Eastern Mediterranean", "en", "c:mediterranean"),
        ("Tensions en Méditerranée orientale", "fr", "c:mediterranean"),
        ("Peace talks in the Middle East", "en", "c:middle_east"),
        ("جولة في الشرق الأوسط", "ar", "c:middle_east"),
    ],
)
def test_a_country_and_its_adjective_give_one_place_key_in_every_language(
    text: str, language: str, place: str
) -> None:
    assert place in story_keys(text, "", language)[1]


def test_a_lower_case_pronoun_is_not_a_country() -> None:
    _, keys = story_keys("Tell us more", "Let us know what you think.", "en")
    assert not {k for k in keys if "c:" in k}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("wn_sanders_endorses_en", "wn_warren_endorses_en"),  # one day apart, both "endorse Joe Biden"
        ("wn_nevada_sanders_en", "wn_nevada_trump_en"),  # one primary season, one state
        ("wn_kipchoge_en", "wn_kosgei_en"),  # two Kenyan marathon records, one names the other
        ("wn_nba_covid_en", "wn_trump_emergency_en"),  # one pandemic, two decisions
    ],
)
def test_real_articles_on_one_topic_about_other_events_stay_apart(first: str, second: str) -> None:
    a, b = _eval_doc(first), _eval_doc(second)
    assert score(a, b) < THRESHOLD
    linked = link_stories([a, b], [])
    assert linked[a.article_id][0] != linked[b.article_id][0]


def test_a_real_follow_up_on_one_event_links() -> None:
    a, b = _eval_doc("wn_humberto_hurricane_en"), _eval_doc("wn_humberto_bermuda_en")
    assert score(a, b) >= THRESHOLD
    linked = link_stories([a, b], [])
    assert linked[a.article_id][0] == linked[b.article_id][0]


def test_a_headline_about_someone_the_other_article_never_names_halves_the_score() -> None:
    sanders, warren = _eval_doc("wn_sanders_endorses_en"), _eval_doc("wn_warren_endorses_en")
    assert "u:sndrs" in sanders.subjects and "u:lzbT" in warren.subjects  # Bernie Sanders, Elizabeth Warren
    assert "u:lzbT" not in sanders.bare  # Sanders' article never names Elizabeth Warren ...
    alike = StoryDoc(
        warren.article_id, warren.published_at, warren.script, warren.keys - {"!u:wrn", "!u:lzbT"}
    )
    assert score(sanders, warren) == pytest.approx(score(sanders, alike) / 2)  # ... so the link is cut


def test_keys_mark_the_lead_and_leave_out_the_end_of_a_long_body() -> None:
    body = "Officials met in Rabat. " + "The talks went on. " * 200 + "Mohammed Setri attended."
    _, keys = story_keys("Talks on water", body, "fr")
    assert "u:rbt" in keys or "p:rbt" in keys
    assert "^p:rbt" in keys  # in the lead
    assert "u:str" not in keys  # after BODY_WORDS: background, not kept in the state


def _copy(doc: StoryDoc, ident: str) -> StoryDoc:
    return StoryDoc(ident, doc.published_at, doc.script, doc.keys)


def test_a_name_many_articles_of_the_window_share_is_weak_evidence() -> None:
    a, b = _eval_doc("wn_humberto_hurricane_en"), _eval_doc("wn_humberto_bermuda_en")
    assert link_stories([a, b], [])[b.article_id][0] == a.article_id
    # The same pair in a window where every key of theirs is in very many articles (a news period
    # where "Humberto" is in every story): the shared names no longer carry a link.
    crowd = [_copy(a, f"other{i}") for i in range(COMMON_MIN_DF)]
    common = common_keys({k: list(range(COMMON_MIN_DF + 2)) for k in a.bare}, COMMON_MIN_DF + 2)
    assert a.bare <= common
    assert score(a, b, common) < THRESHOLD
    linked = link_stories([a, b], crowd, max_df=10_000)
    assert linked[a.article_id][0] != linked[b.article_id][0]


def _window_table(docs: list[StoryDoc]):
    import pyarrow as pa

    from transforms.dedup import WINDOW_COLUMNS

    rows = [
        {
            "article_id": d.article_id,
            "published_at": d.published_at,
            "dedup_status": "canonical",
            "script": d.script,
            "story_keys": sorted(d.keys),
            "story_id": d.story_id or d.article_id,
        }
        for d in docs
    ]
    return pa.Table.from_pylist(rows, schema=WINDOW_COLUMNS)


def test_the_columnar_window_answers_as_the_window_of_story_docs() -> None:
    """TableStories (what the process stage reads from the lake) against ListStories, on the
    real texts of the evaluation set: the same postings, the same documents, the same links."""
    from transforms.story import ListStories
    from transforms.story_table import TableStories

    docs = [
        StoryDoc(d.id, d.published_at, *story_keys(d.title, d.body, d.language), d.story) for d in load_set()
    ]
    docs.sort(key=lambda d: (d.published_at, d.article_id))
    stored, new = docs[: len(docs) // 2], docs[len(docs) // 2 :]
    by_list, by_table = ListStories(stored), TableStories(_window_table(stored))
    keys = {k for d in docs for k in d.bare} | {"u:notakey"}
    assert by_table.postings(keys) == by_list.postings(keys) != {}
    assert len(by_table) == len(by_list) == len(stored)
    for i, doc in enumerate(stored):
        assert by_table.doc(i) == doc and by_table.doc(i).bare == doc.bare
    fresh = [StoryDoc(f"{d.article_id}.new", d.published_at, d.script, d.keys) for d in new]
    linked = link_stories(fresh, by_table)
    assert linked == link_stories(fresh, by_list) == link_stories(fresh, stored)
    assert any(story in {d.story_id for d in stored} for story, _ in linked.values())  # links to the past


def test_an_empty_columnar_window_links_nothing_to_the_past() -> None:
    from transforms.story_table import TableStories

    a, b = _doc("fr", "fr", T0), _doc("ar", "ar", T0 + timedelta(hours=8))
    assert link_stories([a, b], TableStories(_window_table([]))) == link_stories([a, b], [])
