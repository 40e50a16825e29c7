"""Near-duplicates: MinHash signatures, their storage form, and marking within and across batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from devkit.fixture_web import texts
from transforms.dedup import WindowState, link_batch, signature_rows, state_from_rows
from transforms.neardup import SIGNATURE_BYTES, from_bytes, minhash, similarity, to_bytes

T0 = datetime(2026, 2, 2, 6, 15, tzinfo=UTC)
TITLE, PARAGRAPHS = texts.QNA_WIRE
BODY = "\n\n".join(PARAGRAPHS)
EDITED = BODY.replace("Doha, February 2 (QNA) - ", "DOHA: ") + "\n\n(QNA)"
OTHER = "\n\n".join(texts.GULFTIMES_TREES[1])


def row(ident: str, body: str, hours: int = 0, language: str = "en") -> dict:
    return {
        "article_id": ident,
        "outlet_id": "qna_en",
        "batch_id": "b",
        "title": TITLE,
        "body": body,
        "language": language,
        "published_at": T0 + timedelta(hours=hours),
        "dedup_status": "canonical",
        "duplicate_of": None,
        "dedup_method": None,
        "similarity": None,
    }


def test_signature_round_trips_through_its_fixed_size_column() -> None:
    m = minhash(BODY)
    data = to_bytes(m)
    assert len(data) == SIGNATURE_BYTES
    assert similarity(from_bytes(data), m) == 1.0


def test_wire_edits_stay_similar_and_another_story_does_not() -> None:
    assert similarity(minhash(BODY), minhash(EDITED)) >= 0.6
    assert similarity(minhash(BODY), minhash(OTHER)) < 0.1


def test_near_copy_in_a_batch_points_to_the_earliest_and_shares_its_story() -> None:
    rows = [row("late", EDITED, hours=2), row("early", BODY), row("trees", OTHER, hours=1)]
    link_batch(rows, WindowState())
    by_id = {r["article_id"]: r for r in rows}
    assert by_id["late"]["dedup_status"] == "duplicate"
    assert by_id["late"]["duplicate_of"] == "early"
    assert by_id["late"]["dedup_method"] == "minhash"
    assert 0.6 <= by_id["late"]["similarity"] < 1.0
    assert by_id["late"]["story_id"] == by_id["early"]["story_id"] == "early"
    assert by_id["trees"]["dedup_status"] == "canonical" and by_id["trees"]["story_id"] == "trees"


def test_state_from_an_earlier_batch_is_used_and_the_stored_canonical_stays() -> None:
    first = [row("early", BODY)]
    sigs = link_batch(first, WindowState())
    state = state_from_rows(signature_rows(first, sigs))
    second = [row("copy", EDITED, hours=5)]
    link_batch(second, state)
    assert (second[0]["dedup_status"], second[0]["duplicate_of"]) == ("duplicate", "early")
    assert second[0]["story_id"] == "early"
