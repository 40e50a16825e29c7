"""Relevance suite on the real Elasticsearch node: every listed expectation must be in the top 10."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.eval.relevance import score as relevance

QUERIES = relevance.load_queries()


@pytest.fixture(scope="module")
def corpus(es_node) -> Iterator[tuple[Any, str]]:
    from elasticsearch import Elasticsearch

    es = Elasticsearch(es_node.url, request_timeout=30)
    prefix = f"nashra-rel-{uuid.uuid4().hex[:8]}"
    relevance.index_corpus(es, prefix, relevance.load_documents())
    yield es, prefix
    relevance.delete_indices(es, prefix)


def test_suite_covers_the_issue() -> None:
    assert len(QUERIES) >= 60
    assert {q.lang for q in QUERIES} == {"ar", "fr", "en"}
    covers = {q.covers for q in QUERIES}
    required = {"prefix", "alef", "taa_marbuta", "alef_maqsura", "diacritics", "tatweel", "elision"}
    assert required | {"accents", "stemming", "transliteration"} <= covers
    doc_ids = {d["id"] for d in relevance.load_documents()}
    assert len(doc_ids) == len(relevance.load_documents())
    assert {d for q in QUERIES for d in q.expect} <= doc_ids


@pytest.mark.parametrize("query", QUERIES, ids=[q.id for q in QUERIES])
def test_expected_documents_in_top_10(corpus: tuple[Any, str], query: relevance.Query) -> None:
    es, prefix = corpus
    (result,) = relevance.run_queries(es, prefix, [query])
    assert not result.missing, f"{query.q!r} missed {result.missing}; top 10: {result.ranked}"


def test_recall_and_mrr_per_language(corpus: tuple[Any, str]) -> None:
    es, prefix = corpus
    scores = relevance.score(relevance.run_queries(es, prefix, QUERIES))
    assert set(scores) == {"ar", "fr", "en"}
    for lang, s in scores.items():
        assert s.recall == 1.0, (lang, s.misses)
        assert 0.9 <= s.mrr <= 1.0, (lang, s.mrr)


def test_a_wrong_expectation_is_reported_as_a_miss(corpus: tuple[Any, str]) -> None:
    es, prefix = corpus
    wrong = relevance.Query("wrong", "ar", "الذكاء", ("en-fixture-trees",))
    (result,) = relevance.run_queries(es, prefix, [wrong])
    scores = relevance.score([result])
    assert result.missing == ["en-fixture-trees"]
    assert scores["ar"].recall == 0.0 and scores["ar"].mrr == 0.0


def test_documents_are_routed_by_language(corpus: tuple[Any, str]) -> None:
    es, prefix = corpus
    src = es.get(index=prefix, id="ar-seed-s01")["_source"]
    assert src["body_ar"] == src["body"] and "body_fr" not in src
    # The Arabic analyzer, not the standard one, is what finds the prefixed form.
    hits = es.search(index=prefix, query={"match": {"body_ar": "والذكاء"}}, size=20)["hits"]["hits"]
    assert "ar-seed-s02" in {h["_id"] for h in hits}
    plain = es.search(index=prefix, query={"match": {"body": "والذكاء"}}, size=20)["hits"]["hits"]
    assert "ar-seed-s02" not in {h["_id"] for h in plain}
