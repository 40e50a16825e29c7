"""One copy of each article behind the read alias, whatever happened to the write alias.

`_id = article_id` is unique per index, not per alias: after a rollover, writing a document again
through the write alias would put a second copy in the new index. The index stage writes each
document where the read alias already holds it (`document_homes`), and removes stray copies.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from devkit.fixture_web import truth
from nashra.stages.index import (
    aliases,
    document_homes,
    ensure_index,
    es_client,
    index_rows,
    indices_of,
    maybe_rollover,
)
from tests.eval.relevance import score as relevance

OUTLET = "le360_fr"  # carries the French seed article (Seghrouchni)


def _copies(es: Any, read_alias: str, ids: list[str]) -> dict[str, int]:
    es.indices.refresh(index=read_alias)
    reply = es.search(index=read_alias, query={"ids": {"values": ids}}, size=len(ids) * 4, source=False)
    counts: dict[str, int] = {}
    for hit in reply["hits"]["hits"]:
        counts[hit["_id"]] = counts.get(hit["_id"], 0) + 1
    return counts


def _rows() -> list[dict[str, Any]]:
    return [relevance.to_row(d) for d in relevance.load_documents()][:12]


def test_rows_written_again_after_a_rollover_stay_where_they_are(es_url: str) -> None:
    es, prefix = es_client(), os.environ["NASHRA_INDEX_PREFIX"]
    read_alias, write_alias = aliases(prefix)
    ensure_index(es, prefix)
    rows = _rows()
    ids = [r["article_id"] for r in rows]
    assert index_rows(es, rows, write_alias) == (len(rows), [])
    first = indices_of(es, read_alias)
    es.indices.refresh(index=read_alias)  # rollover's max_docs counts refreshed documents
    assert maybe_rollover(es, prefix, {"max_docs": 1})
    assert len(indices_of(es, read_alias)) == len(first) + 1

    homes = document_homes(es, read_alias, ids)
    assert {tuple(v) for v in homes.values()} == {tuple(first)}
    assert index_rows(es, rows, write_alias, homes) == (len(rows), [])
    assert _copies(es, read_alias, ids) == dict.fromkeys(ids, 1)
    # New documents still go to the write alias (the new index).
    fresh = [{**rows[0], "article_id": "fresh-after-rollover"}]
    assert (
        index_rows(es, fresh, write_alias, document_homes(es, read_alias, ["fresh-after-rollover"]))[0] == 1
    )
    es.indices.refresh(index=read_alias)
    (hit,) = es.search(index=read_alias, query={"ids": {"values": ["fresh-after-rollover"]}})["hits"]["hits"]
    owners = es.indices.get_alias(name=write_alias)
    (write_index,) = [i for i, a in owners.items() if a["aliases"][write_alias].get("is_write_index")]
    assert hit["_index"] == write_index != first[0]


def test_copies_left_by_earlier_runs_are_removed(es_url: str) -> None:
    es, prefix = es_client(), os.environ["NASHRA_INDEX_PREFIX"]
    read_alias, write_alias = aliases(prefix)
    ensure_index(es, prefix)
    rows = _rows()
    ids = [r["article_id"] for r in rows]
    index_rows(es, rows, write_alias)
    es.indices.refresh(index=read_alias)
    assert maybe_rollover(es, prefix, {"max_docs": 1})
    index_rows(es, rows, write_alias)  # what the index stage did before: a second copy each
    assert _copies(es, read_alias, ids) == dict.fromkeys(ids, 2)

    homes = document_homes(es, read_alias, ids)
    assert all(len(v) == 2 for v in homes.values())
    indexed, errors = index_rows(es, rows, write_alias, homes)
    assert (indexed, errors) == (len(rows), [])
    assert _copies(es, read_alias, ids) == dict.fromkeys(ids, 1)


@pytest.mark.slow
def test_rollover_then_reindex_from_the_lake_keeps_one_copy(pipeline_env, monkeypatch) -> None:
    """The issue's reproduction: index, roll the write alias over, `index --reindex`: the read
    alias holds the same number of documents and search lists the article once."""
    from nashra.ops.search import search
    from nashra.stages import tasks

    _lake_uri, prefix = pipeline_env(monkeypatch, "rollover")
    tasks.crawl(OUTLET, truth.REFERENCE_NOW)
    tasks.process(OUTLET)
    tasks.index(OUTLET)
    es = es_client()
    read_alias = aliases(prefix)[0]
    es.indices.refresh(index=read_alias)
    before = es.count(index=read_alias)["count"]
    assert before > 0
    assert maybe_rollover(es, prefix, {"max_docs": 1})

    tasks.index(OUTLET, reindex=True)
    tasks.index(OUTLET, reindex=True)
    es.indices.refresh(index=read_alias)
    assert es.count(index=read_alias)["count"] == before
    hits = search(es, prefix, "Seghrouchni", size=50)
    urls = [h.url for h in hits]
    assert urls and len(urls) == len(set(urls))


def test_an_index_created_before_a_new_field_gets_it_and_accepts_documents_with_it(es_url: str) -> None:
    """`dialect` added to fields.yaml: the live index (strict mapping, created without it) would
    refuse every new document; ensure_index adds the field to its mapping in place."""
    import schemas

    es, prefix = es_client(), os.environ["NASHRA_INDEX_PREFIX"] + "-evolve"
    read_alias, write_alias = aliases(prefix)
    old = schemas.es_mappings()
    del old["properties"]["dialect"]
    es.indices.create(
        index=f"{prefix}-v1-000001",
        settings=schemas.es_settings(),
        mappings=old,
        aliases={read_alias: {}, write_alias: {"is_write_index": True}},
    )
    row = {**_rows()[0], "dialect": "ary"}
    ok, errors = index_rows(es, [row], write_alias)
    assert ok == 0 and "strict" in errors[0]  # what a deploy of the new field met before
    assert ensure_index(es, prefix) == write_alias
    assert index_rows(es, [row], write_alias) == (1, [])
    mapping = es.indices.get_mapping(index=read_alias).body[f"{prefix}-v1-000001"]["mappings"]
    assert mapping["properties"]["dialect"]["type"] == "keyword"
    es.indices.refresh(index=read_alias)
    assert es.count(index=read_alias, query={"term": {"dialect": "ary"}})["count"] == 1
