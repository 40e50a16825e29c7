"""Faults, part 3 — Elasticsearch down during indexing, then back.

A node of this module's own (the session node is never stopped) is crashed (SIGKILL) in the middle
of a bulk load, and restarted on the same data directory and port, as after a crash or a
maintenance restart. What was acknowledged before the crash survives; the index stage and its
Airflow task fail loudly while the node is down and leave the batch pending (no index manifest);
the re-run catches up; `_id = article_id` so nothing is indexed twice.

Restarting on the same data is the truer test: an empty new node would hide both the duplicates a
catch-up could create and the loss of acknowledged writes; rebuilding from the lake is a different
procedure (`nashra index --reindex`, `nashra reindex --from lake`).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import schemas
from devkit.fixture_web import truth
from nashra.core.lake import Lake, open_lake
from nashra.core.ledger import manifest_path
from nashra.core.tables import commit_batch
from tests.support import dag_bag, use_fixture_web

pytestmark = pytest.mark.slow
PRODUCTION_RETRIES = 2  # dags/nashra_pipeline.py's default
OUTLETS = ("hespress_ar", "le360_fr", "h24info_fr")
PREFIX = "nashra-faults"
# A second, large batch of h24info_fr (its real articles cloned under new ids), so the node can
# be crashed in the middle of a bulk load rather than between two requests.
BIG_BATCH = "h24info_fr-20260202T130000Z"
BIG_COPIES = 6000


@dataclass
class Cluster:
    node: Any
    base_dir: Path

    @property
    def url(self) -> str:
        return self.node.url


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from devkit.es_node import start_node

    base_dir = tmp_path_factory.mktemp("es-faults")
    holder = Cluster(start_node(base_dir), base_dir)
    try:
        yield holder
    finally:
        holder.node.stop()


@pytest.fixture(scope="module")
def lake(fixture_web, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lake]:
    """The outlets crawled and processed into a local lake, plus the large synthetic batch."""
    from nashra.stages import tasks

    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("lake")
        use_fixture_web(mp, fixture_web, lake_uri=str(root))
        for outlet_id in OUTLETS:
            tasks.crawl(outlet_id, truth.REFERENCE_NOW)
            tasks.process(outlet_id)
        lake = open_lake(str(root))
        _write_big_batch(lake)
        yield lake


def _write_big_batch(lake: Lake) -> None:
    source = [r for r in lake.dataset("articles").to_table().to_pylist() if r["outlet_id"] == "h24info_fr"]
    rows = []
    for i in range(BIG_COPIES):
        row = dict(source[i % len(source)])
        ident = hashlib.md5(f"{BIG_BATCH}/{i}".encode()).hexdigest()
        url = f"{row['url']}?copy={i}"
        row.update(
            article_id=ident, url=url, canonical_url=url, page_id=ident, batch_id=BIG_BATCH, story_id=ident
        )
        row.update(dedup_status="canonical", duplicate_of=None, dedup_method=None, similarity=None)
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=schemas.parquet_schema("articles"))
    commit_batch(lake, "articles", table, outlet_id="h24info_fr", batch_id=BIG_BATCH, replace=False)
    lake.write_json(manifest_path("process", "h24info_fr", BIG_BATCH), {"stored": len(rows)})


@pytest.fixture
def env(cluster: Cluster, lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Lake:
    monkeypatch.setenv("NASHRA_LAKE_URI", lake.root)
    monkeypatch.setenv("NASHRA_REGISTRY", str(truth.REGISTRY_PATH))
    monkeypatch.setenv("NASHRA_INDEX_PREFIX", PREFIX)
    monkeypatch.setenv("ES_URL", cluster.url)
    return lake


def _indexed_total(es: Any) -> int:
    stats = es.nodes.stats(metric="indices", index_metric="indexing")["nodes"]
    return sum(n["indices"]["indexing"]["index_total"] for n in stats.values())


def _crash(cluster: Cluster) -> None:
    os.kill(cluster.node.pid, signal.SIGKILL)
    cluster.node.stop(keep_data=True)  # waits for the JVM to be gone; keeps the run directory


def _restart(cluster: Cluster) -> None:
    from devkit.es_node import start_node

    cluster.node = start_node(cluster.base_dir, restart=cluster.node)


def _pending(lake: Lake, stage: str) -> dict[str, list[str]]:
    from nashra.core.ledger import pending_batches

    return {o: b for o in OUTLETS if (b := pending_batches(lake, o, stage))}


def _fast_retries(monkeypatch: pytest.MonkeyPatch, dag: Any) -> None:
    for task in dag.tasks:  # Airflow's retries, without the 5-minute delay dag.test() would wait out
        monkeypatch.setattr(task, "retries", PRODUCTION_RETRIES)  # conftest sets NASHRA_TASK_RETRIES=0
        monkeypatch.setattr(task, "retry_delay", timedelta(seconds=1))
        monkeypatch.setattr(task, "retry_exponential_backoff", 0)


def test_es_down_during_indexing_then_back(
    env: Lake, cluster: Cluster, airflow_db, monkeypatch: pytest.MonkeyPatch
) -> None:

    from nashra.stages import tasks
    from nashra.stages.index import es_client

    lake = env
    rows = lake.dataset("articles").to_table(columns=["article_id", "outlet_id"]).to_pylist()
    expected = {r["article_id"] for r in rows}
    assert len(expected) == len(rows) == sum(len(truth.articles_of(o)) for o in OUTLETS) + BIG_COPIES
    es = es_client()

    # 1. A healthy run for the first outlet.
    tasks.index("hespress_ar")
    indexed_before = es.count(index=PREFIX)["count"]
    assert indexed_before == len(truth.articles_of("hespress_ar"))

    # 2. The node crashes in the middle of the large batch's bulk load.
    baseline = _indexed_total(es)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        job = pool.submit(tasks.index, "h24info_fr")
        deadline = time.monotonic() + 120
        # streaming_bulk sends 500-document chunks one after another: once the node has seen more
        # than 500 operations, the second chunk has started, so the first one was acknowledged.
        while _indexed_total(es) <= baseline + 600 and not job.done() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not job.done(), "the bulk load ended before the node could be crashed"
        _crash(cluster)
        error = job.exception(timeout=300)
    assert error is not None, "indexing into a dead node must fail"
    assert "h24info_fr" in str(error) or "Connection" in type(error).__name__, repr(error)
    assert BIG_BATCH in _pending(lake, "index").get("h24info_fr", [])
    assert not lake.exists(manifest_path("index", "h24info_fr", BIG_BATCH))

    # 3. While it is down, the stage and the Airflow task fail loudly and leave their batches pending.
    with pytest.raises(Exception) as down:
        tasks.index("le360_fr")
    assert "Connection" in type(down.value).__name__ or "le360_fr" in str(down.value)
    bag = dag_bag()
    dag = bag.dags["nashra_index__le360_fr"]
    _fast_retries(monkeypatch, dag)
    run = dag.test(logical_date=truth.REFERENCE_NOW)
    assert str(run.state) == "failed"
    (ti,) = run.get_task_instances()
    assert ti.try_number == dag.tasks[0].retries + 1  # every retry was tried, and failed
    assert set(_pending(lake, "index")) == {"le360_fr", "h24info_fr"}

    # 4. Back, on the same data: what was acknowledged before the crash is still there.
    _restart(cluster)
    es = es_client()
    es.cluster.health(wait_for_status="yellow", timeout="60s")
    es.indices.refresh(index=PREFIX)
    survived = es.count(index=PREFIX)["count"]
    assert survived >= indexed_before + 500

    # 5. Catch-up: the Airflow task succeeds now, then the stage for the rest; nothing twice.
    run = dag.test(logical_date=truth.REFERENCE_NOW + timedelta(hours=1))
    assert str(run.state) == "success"
    for outlet_id in OUTLETS:
        tasks.index(outlet_id)
    assert _pending(lake, "index") == {}
    es.indices.refresh(index=PREFIX)
    assert es.count(index=PREFIX)["count"] == len(expected)
    ids: set[str] = set()
    for hit in _scan_ids(es):
        assert hit not in ids
        ids.add(hit)
    assert ids == expected
    seeds = es.search(index=PREFIX, query={"match": {"body": "Seghrouchni"}})["hits"]["total"]["value"]
    assert seeds >= 1


def _scan_ids(es: Any) -> Iterator[str]:
    from elasticsearch.helpers import scan

    for hit in scan(es, index=PREFIX, query={"query": {"match_all": {}}}, _source=False, size=2000):
        yield hit["_id"]
