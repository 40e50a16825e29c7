"""transforms.dialect on real page text: Darija paragraphs and articles flagged, MSA left alone, and the
evaluation's gates (tests/eval/dialect, `python -m devkit eval dialect`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pyarrow as pa
import pytest

import schemas
from devkit.fixture_web.seeds import load_seeds
from nashra.core.model import Article
from tests.eval.dialect.score import FROZEN, GATES, SPLITS, _pr, evaluate, frozen_digest, load_set, missed
from transforms.dialect import detect_dialect, paragraph_evidence
from transforms.validate import validate_articles

DARIJA = (
    '"والله ما عرفنا شنو نديرو، الما مقطوع علينا من البارح والسبيطار بعيد بزاف"، تقول سيدة من دوار '
    'نواحي شيشاوة، وتزيد: "خاصهم يجيو يشوفو بعينيهم كيفاش عايشين."'
)
MSA_WITH_ONE_WORD = (
    'وتحول شعار "ديال" إلى علامة تجارية لدى عدد من الشركات الناشئة المغربية، التي تراهن على '
    "الدارجة في حملاتها الإعلانية الموجهة إلى الشباب عبر شبكات التواصل الاجتماعي."
)


def test_a_darija_paragraph_is_flagged_with_its_markers() -> None:
    evidence = paragraph_evidence(DARIJA)
    assert evidence.darija
    assert {"شنو", "البارح", "بزاف", "كيفاش"} <= set(evidence.markers)


def test_the_seed_msa_article_is_not_darija() -> None:
    seed = load_seeds()["ar"]
    assert not any(paragraph_evidence(p).darija for p in (seed.title, *seed.paragraphs))
    assert detect_dialect(seed.title, "\n\n".join(seed.paragraphs)) is None


def test_one_darija_word_in_msa_is_not_dialect_quoted_or_not() -> None:
    assert paragraph_evidence(MSA_WITH_ONE_WORD).score == 0  # a quoted single word is a citation
    unquoted = MSA_WITH_ONE_WORD.replace('"ديال"', "ديال")
    assert paragraph_evidence(unquoted).markers == ("ديال",)
    assert not paragraph_evidence(unquoted).darija  # one marker is a loanword, not dialect


def test_negation_and_present_prefix_are_told_from_msa_words_of_the_same_shape() -> None:
    assert "ما..ش:بقاش" in paragraph_evidence("راه ما بقاش عندنا الوقت").markers
    assert paragraph_evidence("وقال إن المواطن ما يعيش في ظروف صعبة منذ سنوات").score == 0
    assert "كيمشيو" in paragraph_evidence("الدراري كيمشيو للمدرسة على رجليهم").markers
    assert paragraph_evidence("كتب الكاتب كتابا عن كيفية بناء الكنيسة في كندا").score == 0


def test_diacritics_and_the_moroccan_g_are_folded() -> None:
    assert paragraph_evidence("وَاشْ كَايْنْ شِي حَلّْ؟ الڭول ديال الماتش").darija


def test_persian_text_is_not_read_as_darija() -> None:
    persian = "خدمات صادقانه ای نظیر نمایندگی مردم شریف قم را ارائه كرد و مجاهدت مخلصانه‌اش در این راه"
    assert paragraph_evidence(persian).score == 0


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # A Darija headline over Darija quotes, with an MSA frame paragraph: ary.
        ("شوفو شنو وقع فدوار نواحي شيشاوة", DARIJA + "\n\n" + MSA_WITH_ONE_WORD, "ary"),
        # One Darija quote in a long MSA report: under ARTICLE_SHARE of the words, MSA analysis reads it fine.
        (
            "الجفاف يهدد الدواوير",
            "\n\n".join([*load_seeds()["ar"].paragraphs, DARIJA]),
            None,
        ),
        ("Sécheresse : les douars inquiets", "Les habitants manquent d'eau depuis hier. " * 10, None),
        (None, None, None),
    ],
)
def test_the_article_rule(title: str | None, body: str | None, expected: str | None) -> None:
    assert detect_dialect(title, body) == expected


def test_nothing_flagged_with_darija_labelled_is_precision_zero() -> None:
    assert _pr([True, False], [False, False])["precision"] == 0.0
    assert missed({"paragraph": _pr([True, False], [False, False])}, (0.95, 0.9)) == [
        "precision 0.000 < 0.95",
        "recall 0.000 < 0.9",
    ]


def test_the_heldout_split_is_frozen() -> None:
    """Any change to a held-out paragraph or label shows here: such a change needs its own commit,
    never one that also changes transforms/dialect.py (tests/unit/test_heldout_rule.py)."""
    assert FROZEN.read_text(encoding="utf-8").split()[0] == frozen_digest()


def test_the_splits_share_no_paragraph_and_hold_at_least_100() -> None:
    tuning, heldout = load_set(SPLITS["tuning"]), load_set(SPLITS["heldout"])
    assert not {p["text"] for p in tuning} & {p["text"] for p in heldout}
    assert len(tuning) + len(heldout) >= 100
    assert {p["dialect"] for p in tuning + heldout} == {"ary", None}


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_dialect_detection_meets_its_gates(split: str) -> None:
    result = evaluate(load_set(SPLITS[split]))
    assert missed(result, GATES[split]) == [], result["errors"]
    assert result["article"]["precision"] >= GATES[split][0], result["errors"]


def test_the_field_reaches_parquet_es_and_the_gx_gate() -> None:
    """One field list: a nullable string column, an ES keyword (a Kibana facet), and a GX
    expectation that quarantines any value the detector cannot produce."""
    field = schemas.parquet_schema("articles").field("dialect")
    assert field.type == pa.string() and field.nullable
    assert schemas.es_mappings()["properties"]["dialect"]["type"] == "keyword"
    seed = load_seeds()["ar"]
    when = datetime(2026, 2, 1, 9, tzinfo=UTC)
    article = Article(
        article_id="a" * 32,
        canonical_url="https://almawqi3.ma/a",
        url="https://almawqi3.ma/a",
        outlet_id="ar_ma_site",
        country="MA",
        language="ar",
        title=seed.title,
        body="\n\n".join(seed.paragraphs),
        authors=[],
        section=None,
        tags=[],
        image_url=None,
        published_at=when,
        modified_at=None,
        fetched_at=when,
        content_hash="h",
        word_count=300,
        batch_id="b",
        page_id="p",
        discovery="feed",
    )
    darija = replace(article, article_id="b" * 32, dialect="ary")
    wrong = replace(article, article_id="c" * 32, dialect="arz")
    outcome = validate_articles([article, darija, wrong], ("almawqi3.ma",), when)
    assert [a.dialect for a in outcome.valid] == [None, "ary"]
    (rejected,) = outcome.rejected
    assert rejected.reasons == ["expect_column_values_to_be_in_set(dialect)"]
