"""Pools and timeouts per kind of work, and the pools created where the DAGs run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nashra.ops.dag_defaults import POOLS, limits, pools_json

REPO = Path(__file__).resolve().parents[2]


def test_heavy_stages_run_in_their_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    from devkit.fixture_web.truth import REGISTRY_PATH

    monkeypatch.setenv("NASHRA_REGISTRY", str(REGISTRY_PATH))
    import dags.nashra_pipeline as pipeline

    crawl, process, index = pipeline.build(pipeline.load_registry_partial()[0].get("qna_en"))
    assert crawl.get_task("crawl").pool == "default_pool"  # bounded by politeness, not by a shared service
    assert process.get_task("process").pool == "nashra_lake"
    assert index.get_task("index").pool == "nashra_es_bulk"
    assert all(t.execution_timeout is not None for d in (crawl, process, index) for t in d.tasks)


def test_every_pool_a_task_names_is_declared() -> None:
    for kind in ("crawl", "process", "index", "events", "listing", "replay", "maintain", "backfill"):
        pool = limits(kind)["pool"]
        assert pool == "default_pool" or pool in POOLS


def test_the_pools_file_is_what_airflow_pools_import_reads() -> None:
    pools = json.loads(pools_json())
    assert set(pools) == set(POOLS)
    assert all(isinstance(p["slots"], int) and p["slots"] > 0 and p["description"] for p in pools.values())


def test_the_compose_stack_creates_the_pools_before_the_scheduler_starts() -> None:
    compose = (REPO / "infra" / "docker-compose.yml").read_text()
    init = compose[compose.index("  airflow-init:") : compose.index("  airflow-apiserver:")]
    assert "python -m nashra.ops.dag_defaults pools >" in init and "airflow pools import" in init
