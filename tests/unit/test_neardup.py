"""Near-duplicates: MinHash signatures, their storage form, and marking within and across batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from devkit.fixture_web import texts
from nashra.core.model import Article, StoredArticle
from transforms import story
from transforms.dedup import (
    LakeIndex,
    WindowState,
    link_batch,
    mark_content_duplicates,
    signature_rows,
    state_from_rows,
    stored_article,
)
from transforms.neardup import SIGNATURE_BYTES, containment, from_bytes, minhash, similarity, to_bytes

T0 = datetime(2026, 2, 2, 6, 15, tzinfo=UTC)
TITLE, PARAGRAPHS = texts.QNA_WIRE
BODY = "\n\n".join(PARAGRAPHS)
EDITED = BODY.replace("Doha, February 2 (QNA) - ", "DOHA: ") + "\n\n(QNA)"
OTHER = "\n\n".join(texts.GULFTIMES_TREES[1])


def article(ident: str, body: str, hours: int = 0, language: str = "en") -> Article:
    url = f"http://qna.test/en/{ident}"
    when = T0 + timedelta(hours=hours)
    return Article(
        article_id=ident,
        canonical_url=url,
        url=url,
        outlet_id="qna_en",
        country="QA",
        language=language,
        title=TITLE,
        body=body,
        authors=[],
        section=None,
        tags=[],
        image_url=None,
        published_at=when,
        modified_at=None,
        fetched_at=when,
        content_hash=None,  # not an exact copy: near-dup and story linking only
        word_count=len(body.split()),
        batch_id="b",
        page_id=f"page-{ident}",
        discovery="feed",
    )


def row(ident: str, body: str, hours: int = 0, language: str = "en") -> StoredArticle:
    return stored_article(article(ident, body, hours, language))


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
    by_id = {r.article.article_id: r for r in rows}
    assert by_id["late"].dedup_status == "duplicate"
    assert by_id["late"].duplicate_of == "early"
    assert by_id["late"].dedup_method == "minhash"
    assert by_id["late"].similarity is not None and 0.6 <= by_id["late"].similarity < 1.0
    assert by_id["late"].story_id == by_id["early"].story_id == "early"
    assert by_id["trees"].dedup_status == "canonical" and by_id["trees"].story_id == "trees"


def test_state_from_an_earlier_batch_is_used_and_the_stored_canonical_stays() -> None:
    first = [row("early", BODY)]
    sigs = link_batch(first, WindowState())
    state = state_from_rows(signature_rows(first, sigs))
    second = [row("copy", EDITED, hours=5)]
    link_batch(second, state)
    assert (second[0].dedup_status, second[0].duplicate_of) == ("duplicate", "early")
    assert second[0].story_id == "early"


# A portal's teaser of the QNA story: its first sentence, an ellipsis, a link line. Jaccard sees
# a tenth of the article; containment sees the copy.
TEASER = PARAGRAPHS[0].split(". ")[0] + ". ...\n\nRead the full story on qna.test"
ARABIC = "\n\n".join(texts.HESPRESS_HEATWAVE[1])
ARABIC_TEASER = texts.HESPRESS_HEATWAVE[1][0] + " ...\n\nالتفاصيل على الموقع"


def test_a_teaser_is_contained_in_its_article_and_not_in_another() -> None:
    assert similarity(minhash(TEASER), minhash(BODY)) < 0.6  # not a copy by Jaccard
    shares, _ = containment(minhash(TEASER), np.stack([minhash(BODY), minhash(OTHER)]))
    assert shares[0] >= 0.7 > 0.2 > shares[1]
    ar_shares, _ = containment(minhash(ARABIC_TEASER), np.stack([minhash(ARABIC), minhash(BODY)]))
    assert ar_shares[0] >= 0.7 > 0.2 > ar_shares[1]


def test_a_teaser_published_after_its_article_is_its_duplicate_in_a_batch_and_across_batches() -> None:
    rows = [row("teaser", TEASER, hours=3), row("article", BODY), row("trees", OTHER, hours=1)]
    link_batch(rows, WindowState())
    by_id = {r.article.article_id: r for r in rows}
    assert (by_id["teaser"].dedup_status, by_id["teaser"].duplicate_of) == ("duplicate", "article")
    assert by_id["teaser"].dedup_method == "minhash" and by_id["teaser"].story_id == "article"
    assert by_id["trees"].dedup_status == "canonical"
    state = state_from_rows(signature_rows(rows[1:], link_batch(rows[1:], WindowState())))
    later = [row("teaser", TEASER, hours=30), row("arabic-teaser", ARABIC_TEASER, hours=30, language="ar")]
    link_batch(later, state)
    assert (later[0].dedup_status, later[0].duplicate_of) == ("duplicate", "article")
    assert later[1].dedup_status == "canonical"  # its article is not in the window


def test_an_article_published_after_its_own_teaser_stays_canonical() -> None:
    """The longer text is the one to search: a teaser first does not swallow the article."""
    rows = [row("teaser", TEASER), row("article", BODY, hours=2)]
    link_batch(rows, WindowState())
    assert [r.dedup_status for r in rows] == ["canonical", "canonical"]


def test_story_keys_are_computed_once_per_article(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact dedup computes them; near-dup, story linking and the signature rows reuse them."""
    calls: list[str] = []
    real = story.story_keys

    def counted(title: str, body: str, language: str | None) -> tuple[str, frozenset[str]]:
        calls.append(title)
        return real(title, body, language)

    monkeypatch.setattr(story, "story_keys", counted)
    articles = [article("late", EDITED, hours=2), article("early", BODY), article("trees", OTHER, hours=1)]
    records = mark_content_duplicates(articles, LakeIndex())
    sigs = link_batch(records, WindowState())
    stored = signature_rows(records, sigs)
    assert len(calls) == len(articles)
    kept = {r["article_id"]: (r["script"], r["story_keys"]) for r in stored}
    for record in records:
        script, keys = real(record.article.title or "", record.article.body or "", record.article.language)
        assert (record.script, record.story_keys) == (script, keys)
        assert kept[record.article.article_id] == (script, sorted(keys))


def test_adding_many_at_once_builds_the_index_adding_them_one_by_one_would() -> None:
    import numpy as np

    from transforms.neardup import NUM_PERM, NearDupIndex

    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 2**32, (300, NUM_PERM), dtype=np.uint32)
    sigs[150] = sigs[3]  # a copy: both must find each other
    sigs[151, :64] = sigs[4, :64]  # half the bands shared
    ids = [f"a{i}" for i in range(300)]
    one, many = NearDupIndex(pending_max=64), NearDupIndex(pending_max=64)
    for i in range(10):
        one.add(ids[i], sigs[i])
        many.add(ids[i], sigs[i])  # some held one by one first, then the rest at once
    for i in range(10, 300):
        one.add(ids[i], sigs[i])
    many.add_many([*ids[10:], "a5"], np.vstack([sigs[10:], sigs[5:6]]))  # a5 again: ignored
    assert one.ids == many.ids and len(many) == 300
    for i in (3, 4, 150, 151, 299):
        assert set(one.candidates(sigs[i]).tolist()) == set(many.candidates(sigs[i]).tolist())
        assert one.best_match(sigs[i]) == many.best_match(sigs[i])
    assert np.array_equal(many.signature("a151"), sigs[151])


def test_adding_many_fills_storage_blocks_across_their_boundaries(monkeypatch) -> None:
    import numpy as np

    import transforms.neardup as nd

    monkeypatch.setattr(nd, "BLOCK", 8)
    sigs = np.random.default_rng(9).integers(0, 2**32, (29, nd.NUM_PERM), dtype=np.uint32)
    index = nd.NearDupIndex()
    for i in range(5):
        index.add(f"a{i}", sigs[i])
    index.add_many([f"a{i}" for i in range(5, 29)], sigs[5:])
    assert all(np.array_equal(index.signature(f"a{i}"), sigs[i]) for i in range(29))
    assert index.best_match(sigs[20]) == ("a20", 1.0)


def test_a_window_indexed_for_its_queries_answers_as_the_whole_window_indexed() -> None:
    """WindowSignatures indexes only the rows sharing a band with a query: same candidates, same
    best match and same matches as an index of every row, for copies, half copies and strangers."""
    import numpy as np

    from transforms.neardup import NUM_PERM, NearDupIndex, WindowSignatures

    rng = np.random.default_rng(7)
    sigs = rng.integers(0, 2**32, (2000, NUM_PERM), dtype=np.uint32)
    ids = [f"w{i}" for i in range(2000)]
    queries = rng.integers(0, 2**32, (6, NUM_PERM), dtype=np.uint32)
    queries[0] = sigs[17]  # an exact copy
    queries[1, :100] = sigs[900, :100]  # a near copy (~78% of the values)
    queries[2, :40] = sigs[1500, :40]  # shares a few bands only: a candidate below the threshold
    sigs[1999] = sigs[17]  # two window copies of one text: the smaller id wins a tie
    whole = NearDupIndex()
    whole.add_many(ids, sigs)
    window = WindowSignatures(ids, sigs)
    part = window.index_for(list(queries))
    assert len(part) < 20 < len(whole)  # only the rows some query can reach
    for q in queries:
        assert set(part.ids[r] for r in part.candidates(q)) == set(whole.ids[r] for r in whole.candidates(q))
        assert part.best_match(q) == whole.best_match(q)
        assert sorted(part.matches(q)) == sorted(whole.matches(q))
    assert part.best_match(queries[0]) == ("w17", 1.0)
    assert WindowSignatures().index_for(list(queries)).best_match(queries[0]) is None
