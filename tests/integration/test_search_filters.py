"""`nashra search`: filters, highlighting and the CLI's JSON and terminal output, on the real node."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import pytest

from nashra.ops.search import build_query, isolate, search, terminal_highlight
from tests.eval.relevance import score as relevance


@pytest.fixture
def indexed(es_url: str) -> tuple[Any, str]:
    from nashra.stages.index import es_client

    es = es_client()
    prefix = os.environ["NASHRA_INDEX_PREFIX"]
    relevance.index_corpus(es, prefix, relevance.load_documents())
    yield es, prefix
    relevance.delete_indices(es, prefix)


def _ids(hits: list[Any]) -> set[str]:
    return {h.article_id for h in hits}


def test_filters(indexed: tuple[Any, str]) -> None:
    es, prefix = indexed
    everything = _ids(search(es, prefix, "Qatar قطر", size=50))
    assert {"fr-seed-p01", "ar-seed-s00", "en-fixture-port"} <= everything
    assert {i[:2] for i in _ids(search(es, prefix, "Qatar قطر", size=50, language="ar"))} == {"ar"}
    qatari = _ids(search(es, prefix, "Qatar قطر", size=50, country="qa"))
    assert "ar-fixture-winds" in qatari and not any(i.startswith(("ar-seed", "fr-")) for i in qatari)
    assert _ids(search(es, prefix, "port", size=50, outlet="peninsula_en")) == {"en-fixture-port-copy"}
    dated = search(
        es,
        prefix,
        "numérique",
        size=50,
        since=datetime(2026, 2, 1, 12, tzinfo=UTC),
        until=datetime(2026, 2, 1, 14, tzinfo=UTC),
    )
    assert _ids(dated) == {
        "fr-seed-p03",
        "fr-seed-p04",
    }  # published 13:00 and 14:00; p02 (12:00) has no match
    with_copies = _ids(search(es, prefix, "Hamad Port", size=50))
    without = _ids(search(es, prefix, "Hamad Port", size=50, exclude_duplicates=True))
    assert with_copies - without == {"en-fixture-port-copy"}


def test_highlight_marks_the_analysed_form(indexed: tuple[Any, str]) -> None:
    es, prefix = indexed
    hit = next(h for h in search(es, prefix, "بالذكاء") if h.article_id == "ar-seed-s03")
    assert "<em>الذكاء</em>" in hit.highlight[0]
    titled = next(h for h in search(es, prefix, "numeriques") if h.article_id == "fr-seed-p00")
    assert "<em>numérique</em>" in titled.title_highlight


def test_fuzzy_only_for_latin_script() -> None:
    assert len(build_query("Seghrouchini")["bool"]["should"]) == 2
    assert len(build_query("السغروشني")["bool"]["should"]) == 1


def test_terminal_rendering_helpers() -> None:
    assert isolate("قطر") == "\u2068قطر\u2069"
    # French guillemets stay text; the [ of page text cannot open console markup.
    assert terminal_highlight("« Hub » <em>IA</em> [x]") == "« Hub » [bold yellow]IA[/bold yellow] \\[x]"


def test_cli_json_and_terminal(indexed: tuple[Any, str], capsys: pytest.CaptureFixture[str]) -> None:
    from nashra.cli.main import main

    assert main(["search", "السغروشني", "--json", "--lang", "ar"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["article_id"] == "ar-seed-s01" and "السغروشني" in hits[0]["highlight"][0]
    assert main(["search", "Seghrouchni", "--country", "MA", "--until", "2026-02-01"]) == 0
    out = capsys.readouterr().out
    assert "le360_fr" in out and "Seghrouchni" in out
