"""Relevance suite on the real Elasticsearch node: the tuning split must stay perfect, the held-out split
must stay at or above the level measured when it was written (tests/eval/relevance/README.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.eval.relevance import score as relevance

TUNING = relevance.load_queries(relevance.TUNING)
HELDOUT = relevance.load_queries(relevance.HELDOUT)

# Held-out gate, per language: (recall@10 >=, MRR >=, nDCG@10 >=, must-not violations <=). Fixed on
# 2026-12-06 when heldout/queries.yaml was written, at the measured level rounded down to two decimals;
# measured then (238 documents): ar 1.000 / 0.967 / 0.967 / 6, en 1.000 / 1.000 / 0.985 / 0,
# fr 1.000 / 0.975 / 0.950 / 0. Raise them when the analysis improves; never lower them to let a
# change through, and never edit the held-out file in the commit that changes the analysis.
HELDOUT_GATE = {
    "ar": (1.0, 0.96, 0.96, 6),
    "en": (1.0, 1.0, 0.98, 0),
    "fr": (1.0, 0.97, 0.95, 0),
}


@pytest.fixture(scope="module")
def corpus(es_node) -> Iterator[tuple[Any, str]]:
    from elasticsearch import Elasticsearch

    es = Elasticsearch(es_node.url, request_timeout=30)
    prefix = f"nashra-rel-{uuid.uuid4().hex[:8]}"
    relevance.index_corpus(es, prefix, relevance.load_corpus())
    yield es, prefix
    relevance.delete_indices(es, prefix)


@pytest.fixture(scope="module")
def results(corpus: tuple[Any, str]) -> dict[str, relevance.QueryResult]:
    # One pass over both splits for the whole module: the per-query tests only look results up.
    es, prefix = corpus
    return {r.query.id: r for r in relevance.run_queries(es, prefix, TUNING + HELDOUT)}


def test_suite_covers_the_issue() -> None:
    documents = relevance.load_corpus()
    doc_ids = {d["id"] for d in documents}
    assert len(doc_ids) == len(documents) >= 200
    assert {d["language"] for d in documents} == {"ar", "fr", "en"}
    assert all(d.get("source") for d in documents)
    assert len(TUNING) == 82 and len(HELDOUT) >= 60
    for split in (TUNING, HELDOUT):
        assert {q.lang for q in split} == {"ar", "fr", "en"}
        labelled = {d for q in split for d in q.expect + q.related + q.must_not + q.below}
        assert labelled <= doc_ids, labelled - doc_ids
    assert len({q.id for q in TUNING + HELDOUT}) == len(TUNING) + len(HELDOUT)
    # Held-out queries are new wordings, not tuning queries reused.
    assert not {q.q for q in HELDOUT} & {q.q for q in TUNING}
    assert sum(bool(q.must_not or q.below) for q in HELDOUT) >= 30
    covers = {q.covers for q in TUNING}
    required = {"prefix", "alef", "taa_marbuta", "alef_maqsura", "diacritics", "tatweel", "elision"}
    assert required | {"accents", "stemming", "transliteration"} <= covers


@pytest.mark.parametrize("query", TUNING, ids=[q.id for q in TUNING])
def test_tuning_documents_in_top_10(
    results: dict[str, relevance.QueryResult], query: relevance.Query
) -> None:
    result = results[query.id]
    assert not result.missing, f"{query.q!r} missed {result.missing}; top 10: {result.ranked}"


def test_tuning_recall_and_mrr_per_language(results: dict[str, relevance.QueryResult]) -> None:
    scores = relevance.score([results[q.id] for q in TUNING])
    assert set(scores) == {"ar", "fr", "en"}
    for lang, s in scores.items():
        assert s.recall == 1.0, (lang, s.misses)
        assert 0.9 <= s.mrr <= 1.0, (lang, s.mrr)
        assert not s.violations, (lang, s.violations)


def test_heldout_meets_the_gate(results: dict[str, relevance.QueryResult]) -> None:
    scores = relevance.score([results[q.id] for q in HELDOUT])
    assert set(scores) == set(HELDOUT_GATE)
    for lang, (recall, mrr, ndcg, violations) in HELDOUT_GATE.items():
        s = scores[lang]
        assert s.recall >= recall, (lang, s.recall, s.misses)
        assert s.mrr >= mrr, (lang, s.mrr)
        assert s.ndcg >= ndcg, (lang, s.ndcg)
        assert len(s.violations) <= violations, (lang, s.violations)


def test_a_wrong_expectation_is_reported_as_a_miss(corpus: tuple[Any, str]) -> None:
    es, prefix = corpus
    wrong = relevance.Query("wrong", "ar", "الذكاء", ("en-fixture-trees",), must_not=("ar-seed-s00",))
    (result,) = relevance.run_queries(es, prefix, [wrong])
    scores = relevance.score([result])
    assert result.missing == ["en-fixture-trees"]
    assert scores["ar"].recall == 0.0 and scores["ar"].mrr == 0.0 and scores["ar"].ndcg == 0.0
    assert scores["ar"].violations == [f"wrong: ar-seed-s00 in top {relevance.K}"]


def test_documents_are_routed_by_language(corpus: tuple[Any, str]) -> None:
    es, prefix = corpus
    src = es.get(index=prefix, id="ar-seed-s01")["_source"]
    assert src["body_ar"] == src["body"] and "body_fr" not in src
    # The Arabic analyzer, not the standard one, is what finds the prefixed form.
    hits = es.search(index=prefix, query={"match": {"body_ar": "والذكاء"}}, size=20)["hits"]["hits"]
    assert "ar-seed-s02" in {h["_id"] for h in hits}
    plain = es.search(index=prefix, query={"match": {"body": "والذكاء"}}, size=20)["hits"]["hits"]
    assert "ar-seed-s02" not in {h["_id"] for h in plain}
