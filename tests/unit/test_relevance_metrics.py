"""The relevance suite's arithmetic (tests/eval/relevance/score.py) on a hand-computed example, no ES."""

from __future__ import annotations

from math import log2

import pytest

from tests.eval.relevance.score import K, Query, QueryResult, score

# a, b answer the query (grade 2), c is the same story (grade 1), x must stay out of the top 10,
# y must rank below the answers; z is unlabelled.
QUERY = Query("q1", "ar", "text", expect=("a", "b"), related=("c",), must_not=("x",), below=("y",))
RANKED = ["y", "c", "a", "x", "z", "b"]


def test_reciprocal_rank_is_the_first_expected_document() -> None:
    # c (related) at rank 2 does not count; a at rank 3 does.
    assert QueryResult(QUERY, RANKED).reciprocal_rank == pytest.approx(1 / 3)


def test_ndcg_by_hand() -> None:
    # Gain 2^grade - 1 at rank i, discounted by log2(i + 1): c (1) at 2, a (3) at 3, b (3) at 6.
    dcg = 1 / log2(3) + 3 / log2(4) + 3 / log2(7)
    # Ideal order a, b, c: 3 at rank 1, 3 at rank 2, 1 at rank 3.
    ideal = 3 / log2(2) + 3 / log2(3) + 1 / log2(4)
    assert QueryResult(QUERY, RANKED).ndcg == pytest.approx(dcg / ideal)
    assert dcg / ideal == pytest.approx(0.5933, abs=1e-4)


def test_ndcg_is_one_for_the_ideal_order_and_zero_without_answers() -> None:
    assert QueryResult(QUERY, ["a", "b", "c", "z"]).ndcg == pytest.approx(1.0)
    assert QueryResult(QUERY, ["z", "x", "y"]).ndcg == 0.0


def test_only_the_top_k_counts() -> None:
    late = [f"n{i}" for i in range(K)] + ["a", "b", "c"]
    result = QueryResult(QUERY, late)
    assert result.missing == ["a", "b"] and result.reciprocal_rank == 0.0 and result.ndcg == 0.0


def test_violations() -> None:
    assert QueryResult(QUERY, RANKED).violations == [f"x in top {K}", "y above an expected document"]
    # y after the last answer, x below the top 10: no violation.
    assert QueryResult(QUERY, ["a", "b", "y"] + [f"n{i}" for i in range(K)] + ["x"]).violations == []
    # No answer found: the miss is counted, `below` is not judged.
    assert QueryResult(QUERY, ["y"]).violations == []


def test_scores_average_per_language() -> None:
    perfect = QueryResult(Query("q2", "ar", "t", expect=("a",)), ["a"])
    other = QueryResult(Query("q3", "en", "t", expect=("m",)), ["z"])
    scores = score([QueryResult(QUERY, RANKED), perfect, other])
    ar = scores["ar"]
    assert (ar.queries, ar.expected, ar.found) == (2, 3, 3)
    assert ar.mrr == pytest.approx((1 / 3 + 1) / 2)
    assert ar.ndcg == pytest.approx((QueryResult(QUERY, RANKED).ndcg + 1) / 2)
    assert ar.violations == [f"q1: x in top {K}", "q1: y above an expected document"]
    assert scores["en"].recall == 0.0 and scores["en"].misses == ["q3: m"]
