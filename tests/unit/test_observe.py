"""Metrics per outlet and stage, the structured failure line, and their place in the lake."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from nashra.core.lake import open_lake
from nashra.stages.metrics import StageMetrics, on_failure, outlet_of, publish


class RecordingStats:
    """Stands in for the StatsD/OTel client behind Airflow's Stats facade."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, float, dict[str, str] | None]] = []

    def gauge(
        self, stat: str, value: float, rate: float = 1, delta: bool = False, *, tags: Any = None
    ) -> None:
        self.calls.append(("gauge", stat, value, tags))

    def incr(self, stat: str, count: int = 1, rate: float = 1, *, tags: Any = None) -> None:
        self.calls.append(("incr", stat, count, tags))


@pytest.fixture
def stats() -> Any:
    from airflow.sdk.observability import stats as airflow_stats

    recorder = RecordingStats()
    airflow_stats.initialize(factory=lambda: recorder, export_legacy_names=False)
    yield recorder
    from airflow.sdk._shared.observability.metrics.base_stats_logger import NoStatsLogger

    airflow_stats.initialize(factory=NoStatsLogger, export_legacy_names=False)


def _metrics(run_id: str = "scheduled__2026-02-02T12:00:00+00:00") -> StageMetrics:
    return StageMetrics(
        "hespress_ar",
        "process",
        run_id,
        datetime(2026, 2, 2, 12, tzinfo=UTC),
        duration_s=1.5,
        pages_fetched=4,
        articles_valid=2,
        quarantined=1,
        url_duplicates=1,
        errors={"http_status": 1},
    )


def test_publish_emits_per_outlet_metrics_and_records_the_run_in_the_lake(tmp_path: Path, stats) -> None:
    lake = open_lake(str(tmp_path))
    publish(lake, _metrics())
    gauges = {(stat, tags["outlet"]): value for kind, stat, value, tags in stats.calls if kind == "gauge"}
    assert gauges[("nashra.process.articles_valid", "hespress_ar")] == 2
    assert gauges[("nashra.process.quarantined", "hespress_ar")] == 1
    assert (
        "incr",
        "nashra.process.errors",
        1,
        {"outlet": "hespress_ar", "kind": "http_status"},
    ) in stats.calls
    (row,) = lake.dataset("metrics").to_table().to_pylist()
    assert row["outlet_id"] == "hespress_ar" and row["run_id"].startswith("scheduled__2026-02-02T12:00:00")
    assert row["pages_fetched"] == 4 and json.loads(row["errors"]) == {"http_status": 1}
    publish(lake, _metrics(run_id="manual__1"))  # a second run: one more row, same declared types
    assert lake.dataset("metrics").count_rows() == 2


def test_failure_callback_names_the_outlet(caplog: pytest.LogCaptureFixture, stats) -> None:
    ti = SimpleNamespace(dag_id="nashra_process__le360_fr", task_id="process", try_number=2)
    with caplog.at_level(logging.ERROR, logger="nashra"):
        on_failure({"task_instance": ti, "run_id": "r1", "exception": RuntimeError("layout changed")})
    (record,) = caplog.records
    payload = json.loads(record.getMessage().split(" ", 2)[2])
    assert payload["outlet"] == "le360_fr"
    assert payload["error"] == "RuntimeError: layout changed"
    assert payload["run_id"] == "r1" and payload["try_number"] == 2
    assert (
        "incr",
        "nashra.task_failed",
        1,
        {"outlet": "le360_fr", "dag_id": "nashra_process__le360_fr"},
    ) in stats.calls


def test_outlet_is_read_from_the_dag_naming_scheme() -> None:
    assert outlet_of("nashra_crawl__al_jazeera_ar") == "al_jazeera_ar"
    assert outlet_of("nashra_replay") is None
