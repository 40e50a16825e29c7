"""The real Elasticsearch test node and the nashra-analysis plugin (no mocks).

The analysis tests use only analysis-common's component names, so with ES_URL pointing at a full
Elasticsearch they check that both worlds produce the same tokens.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import BadRequestError, Elasticsearch

from devkit.es_node import EsNode, connect_or_start, start_node

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def es_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsNode]:
    node = connect_or_start(tmp_path_factory.mktemp("es-node"))
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def es(es_node: EsNode) -> Iterator[Elasticsearch]:
    client = Elasticsearch(es_node.url, request_timeout=30)
    yield client
    client.close()


FRENCH_ARTICLES = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]

ANALYSIS: dict[str, Any] = {
    "filter": {
        "fr_elision": {"type": "elision", "articles": FRENCH_ARTICLES, "articles_case": True},
        "fr_stemmer": {"type": "stemmer", "language": "light_french"},
        "en_stemmer": {"type": "stemmer", "language": "english"},
    },
    "analyzer": {
        "ar_text": {
            "tokenizer": "standard",
            "filter": ["lowercase", "decimal_digit", "arabic_normalization", "arabic_stem"],
        },
        "fr_text": {
            "tokenizer": "standard",
            "filter": ["fr_elision", "lowercase", "asciifolding", "fr_stemmer"],
        },
        "en_text": {"tokenizer": "standard", "filter": ["lowercase", "en_stemmer"]},
    },
}


@pytest.fixture(scope="module")
def analysis_index(es: Elasticsearch) -> Iterator[str]:
    # Unique so the module can also run against a shared cluster given through ES_URL.
    name = f"nashra-test-analysis-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=name, settings={"number_of_replicas": 0, "analysis": ANALYSIS})
    yield name
    es.indices.delete(index=name, ignore_unavailable=True)


def tokens(es: Elasticsearch, text: str, **analyze_args: Any) -> list[str]:
    response = es.indices.analyze(text=text, **analyze_args)
    return [token["token"] for token in response["tokens"]]


@pytest.mark.parametrize("word", ["والذكاء", "الذكاء", "بالذكاء"])
def test_arabic_prefixes_reduce_to_one_token(es: Elasticsearch, analysis_index: str, word: str) -> None:
    assert tokens(es, word, index=analysis_index, analyzer="ar_text") == ["ذكاء"]


def test_arabic_digits_and_normalization(es: Elasticsearch, analysis_index: str) -> None:
    assert tokens(es, "عام ٢٠٢٤", index=analysis_index, analyzer="ar_text") == ["عام", "2024"]
    assert tokens(es, "إلى أحمد مدرسة", tokenizer="standard", filter=["arabic_normalization"]) == [
        "الي",
        "احمد",
        "مدرسه",
    ]


@pytest.mark.parametrize("text", ["l'intelligence", "L'Intelligence", "intelligence"])
def test_french_elision_and_light_stemming(es: Elasticsearch, analysis_index: str, text: str) -> None:
    assert tokens(es, text, index=analysis_index, analyzer="fr_text") == ["inteligenc"]


def test_french_accents_fold(es: Elasticsearch, analysis_index: str) -> None:
    with_accent = tokens(es, "numérique", index=analysis_index, analyzer="fr_text")
    assert with_accent == tokens(es, "numerique", index=analysis_index, analyzer="fr_text")
    assert with_accent == ["num"]


def test_asciifolding_preserve_original(es: Elasticsearch) -> None:
    folding = {"type": "asciifolding", "preserve_original": True}
    assert tokens(es, "numérique", tokenizer="standard", filter=[folding]) == ["numerique", "numérique"]


# Recent full Elasticsearch versions insist on explicit articles for elision, so this fallback is
# the plugin's own behaviour; templates must always declare the articles.
@pytest.mark.skipif(bool(os.environ.get("ES_URL")), reason="plugin-only default")
def test_elision_defaults_to_french_articles(es: Elasticsearch) -> None:
    # The example from Elasticsearch's own elision documentation.
    assert tokens(es, "j’examine près du wharf", tokenizer="standard", filter=["elision"]) == [
        "examine",
        "près",
        "du",
        "wharf",
    ]


@pytest.mark.parametrize("text", ["running", "runs", "run"])
def test_english_stemmer(es: Elasticsearch, analysis_index: str, text: str) -> None:
    assert tokens(es, text, index=analysis_index, analyzer="en_text") == ["run"]


def test_language_analyzers(es: Elasticsearch) -> None:
    assert tokens(es, "والذكاء الاصطناعي بالمغرب", analyzer="arabic") == ["ذكاء", "اصطناع", "مغرب"]
    assert tokens(es, "L'intelligence artificielle", analyzer="french") == ["inteligenc", "artificiel"]
    assert tokens(es, "The running dogs", analyzer="english") == ["run", "dog"]


def test_unknown_stemmer_language_is_rejected(es: Elasticsearch) -> None:
    with pytest.raises(BadRequestError) as excinfo:
        tokens(es, "x", tokenizer="standard", filter=[{"type": "stemmer", "language": "klingon"}])
    assert "klingon" in str(excinfo.value.body)


def _process_gone(pid: int) -> bool:
    # Once stopped, the JVM may linger as a zombie until init reaps it; that counts as gone.
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat_line.rsplit(")", 1)[1].split()[0] in ("Z", "X")


@pytest.mark.skipif(bool(os.environ.get("ES_URL")), reason="needs a local node, not ES_URL")
def test_stop_terminates_the_server_jvm_by_pid(tmp_path: Path) -> None:
    node = start_node(tmp_path, heap="256m")
    assert node.pid is not None
    try:
        cmdline = Path(f"/proc/{node.pid}/cmdline").read_bytes()
        assert b"org.elasticsearch.bootstrap.Elasticsearch" in cmdline
        assert node.health()["status"] in ("green", "yellow")
    finally:
        node.stop()
    assert _process_gone(node.pid)
    assert not node.is_running()
    # "closed" is logged only by an orderly shutdown, i.e. SIGTERM reached the JVM itself.
    assert node.log_file is not None
    assert "closed" in node.log_file.read_text()
