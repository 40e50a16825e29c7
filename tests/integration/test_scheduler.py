"""The pipeline under the real Airflow scheduler (`airflow standalone`: api-server, scheduler,
dag-processor, triggerer, LocalExecutor on SQLite), not `dag.test()`: a fixture outlet's crawl
DAG runs from its schedule, its asset event triggers process, whose event triggers index, and the
articles become searchable."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
import yaml

from devkit import airflow_local
from devkit.fixture_web import truth
from devkit.ports import free_port

pytestmark = pytest.mark.slow
OUTLET = "qna_en"


def _registry(tmp_path: Path) -> Path:
    """The fixture registry with one outlet enabled, scheduled every minute."""
    registry = yaml.safe_load(truth.REGISTRY_PATH.read_text(encoding="utf-8"))
    for outlet in registry["outlets"]:
        outlet["enabled"] = outlet["id"] == OUTLET
        if outlet["id"] == OUTLET:
            outlet["schedule"] = "* * * * *"
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    return path


def _wait_for_success(env: dict[str, str], dag_id: str, deadline: float) -> list[dict]:
    while time.monotonic() < deadline:
        runs = airflow_local.dag_runs(env, dag_id)
        if any(r.get("state") == "success" for r in runs):
            return runs
        if any(r.get("state") == "failed" for r in runs):
            break
        time.sleep(5)
    return airflow_local.dag_runs(env, dag_id)


def test_the_scheduler_runs_crawl_process_index_from_the_schedule(s3, es_node, fixture_web, tmp_path) -> None:
    from unittest.mock import patch

    from elasticsearch import Elasticsearch

    from nashra.core.config import settings
    from nashra.core.lake import ensure_bucket

    tag = uuid.uuid4().hex[:8]
    lake_uri, prefix = f"s3://nashra-sched-{tag}/lake", f"nashra-sched-{tag}"
    with patch.dict("os.environ", s3.env()):
        ensure_bucket(lake_uri, settings())
    api_port = free_port()
    env = airflow_local.airflow_env(
        {**s3.env(), "ES_URL": es_node.url},
        fixture_web.proxy_url,
        None,
        None,
        api_port,
        home=tmp_path / "airflow",
        registry=_registry(tmp_path),
        lake_uri=lake_uri,
    )
    env |= {"NASHRA_INDEX_PREFIX": prefix, "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10"}
    for name in ("NASHRA_LINEAGE_LAKE_URI", "NASHRA_LINEAGE_INDEX_URI"):
        env.pop(name, None)  # a database of its own: the assets' real storage URIs
    (tmp_path / "airflow").mkdir()
    log = tmp_path / "standalone.log"
    pid = airflow_local.start_standalone(env, log)
    try:
        health = f"http://127.0.0.1:{api_port}/api/v2/monitor/health"
        airflow_local._wait_http(health, 180, "the Airflow api-server", log)
        airflow_local.create_pools(env)  # process and index wait for their pools until then
        pools = airflow_local._json_list(airflow_local._airflow(env, "pools", "list", "-o", "json").stdout)
        assert {"nashra_es_bulk", "nashra_lake"} <= {p["pool"] for p in pools}
        deadline = time.monotonic() + 420
        runs = {
            stage: _wait_for_success(env, f"nashra_{stage}__{OUTLET}", deadline)
            for stage in ("crawl", "process", "index")
        }
        tail = log.read_text(errors="replace")[-4000:]
        for stage, stage_runs in runs.items():
            assert any(r.get("state") == "success" for r in stage_runs), (stage, stage_runs, tail)
        # The crawl came from the schedule, process and index from the asset events.
        assert any(str(r["run_id"]).startswith("scheduled__") for r in runs["crawl"])
        assert all(str(r["run_id"]).startswith("asset_triggered__") for r in runs["process"] + runs["index"])
    finally:
        airflow_local.stop_standalone(pid)
    es = Elasticsearch(es_node.url)
    es.indices.refresh(index=prefix)
    indexed = {h["_source"]["url"] for h in es.search(index=prefix, size=100)["hits"]["hits"]}
    assert indexed == {a.url for a in truth.articles_of(OUTLET)}
    _assert_lineage(tmp_path / "airflow" / "openlineage.jsonl", lake_uri)


SIDES = ("inputs", "outputs")


def _assert_lineage(events_file: Path, lake_uri: str) -> None:
    """OpenLineage run events from the real task runner: the process task read the outlet's raw
    archive and wrote its articles partition, both named by their S3 location."""
    events = [json.loads(line) for line in events_file.read_text().splitlines() if line.strip()]
    done = [
        e
        for e in events
        if e.get("eventType") == "COMPLETE" and e["job"]["name"] == f"nashra_process__{OUTLET}.process"
    ]
    assert done, sorted({(e.get("eventType"), e["job"]["name"]) for e in events})
    bucket, prefix = lake_uri.removeprefix("s3://").split("/", 1)
    datasets = {
        side: {(d["namespace"], d["name"]) for e in done for d in e.get(side, [])}
        for side in ("inputs", "outputs")
    }
    assert (f"s3://{bucket}", f"{prefix}/raw/outlet={OUTLET}") in datasets["inputs"], datasets
    assert (f"s3://{bucket}", f"{prefix}/articles/outlet_id={OUTLET}") in datasets["outputs"], datasets
