"""`nashra reindex` switches index versions while searches keep answering; rollover from the app."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from nashra.ops.reindex import reindex, rows_from_index
from nashra.ops.search import build_query
from nashra.stages.index import aliases, indices_of, maybe_rollover
from tests.eval.relevance import score as relevance


def _setup(es_url: str) -> tuple[Any, str]:
    from nashra.stages.index import es_client

    es = es_client()
    prefix = os.environ["NASHRA_INDEX_PREFIX"]
    relevance.index_corpus(es, prefix, relevance.load_documents())
    return es, prefix


def test_reindex_switches_versions_with_zero_failed_searches(es_url: str) -> None:
    from elasticsearch import Elasticsearch

    es, prefix = _setup(es_url)
    read_alias, write_alias = aliases(prefix)
    (old,) = indices_of(es, read_alias)
    version = int(old.rsplit("-v", 1)[1].split("-")[0])  # the schema version of fields.yaml
    expected_total = es.count(index=read_alias)["count"]
    reader = Elasticsearch(es_url, request_timeout=10)
    query = build_query("الذكاء numérique Hamad")
    seen: list[tuple[int, frozenset[str]]] = []
    failures: list[str] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                r = reader.search(index=read_alias, query=query, size=100)
                seen.append((r["hits"]["total"]["value"], frozenset(h["_index"] for h in r["hits"]["hits"])))
            except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
                failures.append(repr(exc))

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        time.sleep(0.3)
        report = reindex(es, prefix)
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not failures
    assert report.old_indices == [old] and report.new_index == f"{prefix}-v{version + 1}-000001"
    assert report.copied == expected_total
    # Searches ran on both versions, and every one saw the same number of hits.
    indices_seen = set().union(*(i for _n, i in seen))
    assert indices_seen == {old, report.new_index}
    assert len({n for n, _i in seen}) == 1
    assert indices_of(es, read_alias) == [report.new_index] == indices_of(es, write_alias)
    assert es.count(index=read_alias)["count"] == expected_total
    # Routed fields were rebuilt, not copied blindly: the Arabic field still analyses Arabic.
    hits = es.search(index=read_alias, query={"match": {"body_ar": "بالذكاء"}})["hits"]["hits"]
    assert "ar-seed-s02" in {h["_id"] for h in hits}
    # The old version is kept (rollback) unless asked; the next run deletes it on request.
    assert es.indices.exists(index=old)
    second = reindex(es, prefix, delete_old=True)
    assert second.new_index == f"{prefix}-v{version + 2}-000001"
    # Both earlier versions go: v2 behind the aliases, and v1 that the first run kept aside.
    assert second.deleted == sorted([old, report.new_index])
    assert not es.indices.exists(index=report.new_index) and not es.indices.exists(index=old)
    assert indices_of(es, read_alias) == [second.new_index]


def test_reindex_catches_up_writes_made_during_the_copy(es_url: str) -> None:
    es, prefix = _setup(es_url)
    read_alias, write_alias = aliases(prefix)
    rows = list(rows_from_index(es, read_alias))
    late = {**rows[0], "article_id": "late-write", "page_id": "late-write"}
    # A writer indexes through the old write alias after the copy was read: the catch-up adds it.
    from nashra.stages.index import index_rows

    index_rows(es, [late], write_alias)
    report = reindex(es, prefix, rows=rows)
    assert report.caught_up == 1
    assert es.get(index=read_alias, id="late-write")["_source"]["article_id"] == "late-write"


def test_rollover_moves_the_write_alias_and_keeps_reads_whole(es_url: str) -> None:
    es, prefix = _setup(es_url)
    read_alias, write_alias = aliases(prefix)
    total = es.count(index=read_alias)["count"]
    assert maybe_rollover(es, prefix) is None  # the shipped policy is far from met
    (first,) = indices_of(es, write_alias)
    new = maybe_rollover(es, prefix, {"max_docs": 5})
    assert new == first.replace("-000001", "-000002")
    assert indices_of(es, write_alias) == [first, new]
    write_index = es.indices.get_alias(name=write_alias)
    assert write_index[new]["aliases"][write_alias]["is_write_index"] is True
    assert indices_of(es, read_alias) == [first, new]
    assert es.count(index=read_alias)["count"] == total


def test_reindex_from_the_lake_sends_only_mapped_fields(es_url: str, crawled_raw, tmp_path) -> None:
    """Only the schema's columns reach the documents: columns a reader adds that are not fields
    (the Hive partitions outlet=, date= of the lake before Delta did) made the strict mapping
    refuse the whole reindex."""
    from devkit.fixture_web.truth import REGISTRY_PATH
    from nashra.core.lake import open_lake
    from nashra.core.registry import load_registry
    from nashra.ops.reindex import rows_from_lake
    from nashra.stages.index import ensure_index, es_client
    from nashra.stages.process import process_outlet

    source = crawled_raw(("qna_en",))
    lake = open_lake(str(tmp_path / "lake"))
    for rel in source.list("raw/outlet=qna_en", ".warc.gz"):
        lake.write_bytes(rel, source.read_bytes(rel))
    (report,) = process_outlet(lake, load_registry(REGISTRY_PATH).get("qna_en"))
    es, prefix = es_client(), os.environ["NASHRA_INDEX_PREFIX"]
    ensure_index(es, prefix)

    lake_rows = list(rows_from_lake(lake))
    assert len(lake_rows) == report.stored and not {"outlet", "date"} & set(lake_rows[0])
    result = reindex(es, prefix, rows=lake_rows)
    assert result.copied == report.stored
    es.indices.refresh(index=aliases(prefix)[0])
    assert es.count(index=aliases(prefix)[0])["count"] == report.stored
