"""Exact deduplication: by canonical URL (article_id) and by content hash, within a batch and
against what the lake already stores; the answer does not depend on the order pages arrive in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nashra.core.model import Article, StoredArticle
from transforms import story
from transforms.dedup import LakeIndex, mark_content_duplicates, split_url_duplicates

T0 = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
BATCH = "qna_en-20260202T120000Z"


def art(
    article_id: str, content_hash: str | None = None, published: datetime | None = T0, **kw: Any
) -> Article:
    url = kw.pop("url", f"http://qna.test/en/{article_id}")
    fields: dict[str, Any] = {
        "article_id": article_id,
        "canonical_url": f"http://qna.test/en/{article_id}",
        "url": url,
        "outlet_id": "qna_en",
        "country": "QA",
        "language": "en",
        "title": f"Title {article_id}",
        "body": f"Body {content_hash}",
        "authors": [],
        "section": None,
        "tags": [],
        "image_url": None,
        "published_at": published,
        "modified_at": None,
        "fetched_at": T0 + timedelta(hours=1),
        "content_hash": content_hash,
        "word_count": 2,
        "batch_id": BATCH,
        "page_id": f"page-{url}",
        "discovery": "feed",
    }
    fields.update(kw)
    return Article(**fields)


def status(records: list[StoredArticle]) -> dict[str, tuple[str, str | None]]:
    return {r.article.article_id: (r.dedup_status, r.duplicate_of) for r in records}


# -- URL duplicates ------------------------------------------------------------------------------


def test_same_canonical_within_a_batch_first_page_wins() -> None:
    first = art("a1", "h1", url="http://qna.test/en/a1?utm_source=rss")
    second = art("a1", "h1", url="http://qna.test/en/a1")
    other = art("b2", "h2")
    unique, dups = split_url_duplicates([first, second, other], LakeIndex())
    assert unique == [first, other]
    assert dups == [
        {
            "page_id": second.page_id,
            "outlet_id": "qna_en",
            "url": second.url,
            "batch_id": BATCH,
            "fetched_at": second.fetched_at,
            "duplicate_of": "a1",
        }
    ]


def test_article_already_in_the_lake_is_a_url_duplicate() -> None:
    stored = LakeIndex(article_ids={"a1"})
    again = art("a1", "h1-changed")
    new = art("c3", "h3")
    unique, dups = split_url_duplicates([again, new], stored)
    assert unique == [new]
    assert [(d["url"], d["duplicate_of"]) for d in dups] == [(again.url, "a1")]


def test_no_duplicates_passes_everything_through() -> None:
    items = [art("a1", "h1"), art("b2", "h2"), art("c3", None)]
    unique, dups = split_url_duplicates(items, LakeIndex(article_ids={"zz"}))
    assert unique == items and dups == []


# -- content duplicates --------------------------------------------------------------------------


def test_identical_content_in_a_batch_earliest_published_is_canonical() -> None:
    late = art("a-late", "wire", published=T0 + timedelta(hours=2))
    early = art("z-early", "wire", published=T0)
    middle = art("m-mid", "wire", published=T0 + timedelta(hours=1))
    rows = mark_content_duplicates([late, early, middle], LakeIndex())
    assert status(rows) == {
        "z-early": ("canonical", None),
        "m-mid": ("duplicate", "z-early"),
        "a-late": ("duplicate", "z-early"),
    }
    # Records keep the article; its row is every article field, then the dedup and story fields.
    assert rows[0].article is early
    dedup_keys = ["dedup_status", "duplicate_of", "dedup_method", "similarity", "story_id"]
    assert list(rows[0].to_row()) == [*early.to_row(), *dedup_keys]


def test_a_stored_row_is_the_article_row_with_the_dedup_fields() -> None:
    """The articles table's row, key for key and in order, as exact dedup built it as a dict."""
    copy, original = art("b", "wire"), art("a", "wire")
    canonical, duplicate = mark_content_duplicates([copy, original], LakeIndex())  # earliest, then by id
    canonical.story_id, duplicate.story_id = "a", "a"
    assert list(duplicate.to_row().items()) == [
        *copy.to_row().items(),
        ("dedup_status", "duplicate"),
        ("duplicate_of", "a"),
        ("dedup_method", "content_hash"),
        ("similarity", 1.0),
        ("story_id", "a"),
    ]
    assert list(canonical.to_row().items())[-5:] == [
        ("dedup_status", "canonical"),
        ("duplicate_of", None),
        ("dedup_method", None),
        ("similarity", None),
        ("story_id", "a"),
    ]
    # The story keys are the article's, computed when the record is made.
    script, keys = story.story_keys(copy.title or "", copy.body or "", copy.language)
    assert (duplicate.script, duplicate.story_keys) == (script, keys)


def test_same_publication_time_lowest_id_is_canonical() -> None:
    rows = mark_content_duplicates([art("b", "h"), art("c", "h"), art("a", "h")], LakeIndex())
    assert status(rows) == {"a": ("canonical", None), "b": ("duplicate", "a"), "c": ("duplicate", "a")}


def test_undated_copy_loses_to_a_dated_one() -> None:
    rows = mark_content_duplicates([art("a", "h", published=None), art("b", "h")], LakeIndex())
    assert status(rows) == {"b": ("canonical", None), "a": ("duplicate", "b")}
    rows = mark_content_duplicates(
        [art("b", "h", published=None), art("a", "h", published=None)], LakeIndex()
    )
    assert status(rows) == {"a": ("canonical", None), "b": ("duplicate", "a")}


def test_content_owned_by_a_stored_article_marks_even_an_earlier_copy_duplicate() -> None:
    stored = LakeIndex(article_ids={"stored"}, canonical_by_hash={"wire": "stored"})
    earlier = art("new", "wire", published=T0 - timedelta(days=3))
    unrelated = art("other", "fresh")
    rows = mark_content_duplicates([earlier, unrelated], stored)
    # Stored rows are immutable: the stored one stays canonical, whatever the dates say.
    assert status(rows) == {"new": ("duplicate", "stored"), "other": ("canonical", None)}
    assert stored.canonical_by_hash == {"wire": "stored"}  # the caller's index is not modified


def test_an_article_that_owns_its_hash_stays_canonical() -> None:
    index = LakeIndex(canonical_by_hash={"h": "a"})
    assert status(mark_content_duplicates([art("a", "h")], index)) == {"a": ("canonical", None)}


def test_articles_without_a_content_hash_are_never_content_duplicates() -> None:
    rows = mark_content_duplicates([art("a", None), art("b", None), art("c", "")], LakeIndex())
    assert status(rows) == {"a": ("canonical", None), "b": ("canonical", None), "c": ("canonical", None)}


# -- determinism ---------------------------------------------------------------------------------


def _batch() -> list[Article]:
    return [
        art("p1", "wire", published=T0 + timedelta(minutes=30)),
        art("p2", "wire", published=T0 + timedelta(minutes=5)),
        art("p3", "wire", published=T0 + timedelta(minutes=5)),
        art("p4", "solo"),
        art("p5", "stored-hash"),
        art("p6", None, published=None),
        art("p7", "pair", published=None),
        art("p8", "pair", published=T0 + timedelta(days=1)),
    ]


@pytest.mark.parametrize("seed", range(5))
def test_content_dedup_is_independent_of_input_order(seed: int) -> None:
    index = LakeIndex(article_ids={"old"}, canonical_by_hash={"stored-hash": "old"})
    expected = mark_content_duplicates(_batch(), index)
    assert status(expected) == {
        "p1": ("duplicate", "p2"),
        "p2": ("canonical", None),
        "p3": ("duplicate", "p2"),
        "p4": ("canonical", None),
        "p5": ("duplicate", "old"),
        "p6": ("canonical", None),
        "p7": ("duplicate", "p8"),
        "p8": ("canonical", None),
    }
    shuffled = _batch()
    random.Random(seed).shuffle(shuffled)
    assert mark_content_duplicates(shuffled, index) == expected  # same rows, same order


@pytest.mark.parametrize("seed", range(5))
def test_url_dedup_outcome_is_independent_of_input_order(seed: int) -> None:
    """Which page of one canonical URL is kept follows input (WARC) order by design; what is
    stored and what is recorded as duplicate of what does not."""
    pages = [art("a", "h1"), art("a", "h1", url="http://qna.test/en/a?x=1"), art("b", "h2"), art("old", "h3")]
    index = LakeIndex(article_ids={"old"})
    shuffled = list(pages)
    random.Random(seed).shuffle(shuffled)
    for items in (pages, shuffled):
        unique, dups = split_url_duplicates(items, index)
        assert sorted(a.article_id for a in unique) == ["a", "b"]
        assert sorted(d["duplicate_of"] for d in dups) == ["a", "old"]
        assert len(unique) + len(dups) == len(items)
