"""Observability: per-outlet stage metrics (to Airflow's StatsD/OpenTelemetry and to the lake),
structured log lines carrying run id and outlet, and the failure callback that names the outlet.

Metric names: `nashra.<stage>.<metric>` with tag `outlet=<id>` (StatsD tags need
`[metrics] statsd_datadog_enabled` or OpenTelemetry; plain StatsD gets the outlet in the name
instead: `nashra.<stage>.<outlet>.<metric>`, chosen by NASHRA_METRICS_TAGS=0).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("nashra")


@dataclass
class StageMetrics:
    outlet_id: str
    stage: str  # crawl | process | index
    run_id: str
    started_at: datetime
    duration_s: float = 0.0
    pages_fetched: int = 0
    bytes_fetched: int = 0
    articles_valid: int = 0
    articles_duplicate: int = 0
    url_duplicates: int = 0
    quarantined: int = 0
    indexed: int = 0
    errors: dict[str, int] = field(
        default_factory=dict
    )  # by kind: http_503, DNSLookupError, no_main_text ...
    failed: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # what a maintenance run did, per table

    def counters(self) -> dict[str, float]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int | float) and k != "started_at"}


def structured(event: str, **fields: Any) -> str:
    """One log line a log pipeline can parse: `nashra <event> {"outlet": ..., "run_id": ...}`."""
    return f"nashra {event} " + json.dumps(fields, ensure_ascii=False, default=str, sort_keys=True)


def emit(metrics: StageMetrics) -> None:
    # Through Airflow's Stats only where Airflow is loaded already (a task, a DAG test). The CLI's
    # lake record is enough: importing Airflow there cost ~5 s per command and replaced the root
    # log handler with one on stdout, so library warnings landed in `--json` output.
    if "airflow.sdk" not in sys.modules:
        return
    try:
        from airflow.sdk.observability.stats import Stats
    except ImportError:
        return
    tagged = os.environ.get("NASHRA_METRICS_TAGS", "1") == "1"
    for name, value in metrics.counters().items():
        if tagged:
            Stats.gauge(f"nashra.{metrics.stage}.{name}", value, tags={"outlet": metrics.outlet_id})
        else:
            Stats.gauge(f"nashra.{metrics.stage}.{metrics.outlet_id}.{name}", value)
    for kind, count in metrics.errors.items():
        Stats.incr(f"nashra.{metrics.stage}.errors", count, tags={"outlet": metrics.outlet_id, "kind": kind})


def metrics_schema() -> Any:  # -> pyarrow.Schema; pyarrow stays out of DAG parsing
    """Declared, not inferred: a run whose optional fields are all empty must not commit other types."""
    import pyarrow as pa

    return pa.schema(
        [
            ("outlet_id", pa.string()),
            ("stage", pa.string()),
            ("run_id", pa.string()),
            ("started_at", pa.timestamp("us", tz="UTC")),
            ("duration_s", pa.float64()),
            *((name, pa.int64()) for name in _COUNTS),
            ("errors", pa.string()),  # JSON object: kind -> count
            ("failed", pa.string()),
            ("details", pa.string()),  # JSON object
        ]
    )


_COUNTS = (
    "pages_fetched",
    "bytes_fetched",
    "articles_valid",
    "articles_duplicate",
    "url_duplicates",
    "quarantined",
    "indexed",
)


def record(lake: Any, metrics: StageMetrics) -> None:
    """One row per stage run in the metrics table, so run history is queryable like the data."""
    import pyarrow as pa

    from nashra.core.tables import append

    row = asdict(metrics)
    row["errors"] = json.dumps(metrics.errors, sort_keys=True)
    row["details"] = json.dumps(metrics.details, sort_keys=True) if metrics.details else None
    row["started_at"] = metrics.started_at.astimezone(UTC)
    table = pa.Table.from_pylist([row], schema=metrics_schema())
    append(lake, "metrics", table, {"nashra.stage": metrics.stage, "nashra.run": metrics.run_id})


def publish(lake: Any, metrics: StageMetrics) -> None:
    log.info(structured(f"{metrics.stage}.done", **asdict(metrics)))
    emit(metrics)
    record(lake, metrics)


def outlet_of(dag_id: str) -> str | None:
    """`nashra_process__hespress_ar` -> `hespress_ar` (the DAG naming scheme is the contract)."""
    return dag_id.split("__", 1)[1] if "__" in dag_id else None


def on_failure(context: dict[str, Any]) -> None:
    """Airflow on_failure_callback: one line that names the outlet, the stage and the cause."""
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", "") or str(context.get("dag_id", ""))
    outlet = outlet_of(dag_id) or "unknown"
    exception = context.get("exception")
    log.error(
        structured(
            "task.failed",
            outlet=outlet,
            dag_id=dag_id,
            task_id=getattr(ti, "task_id", None),
            run_id=context.get("run_id"),
            try_number=getattr(ti, "try_number", None),
            error=f"{type(exception).__name__}: {exception}" if exception else None,
        )
    )
    try:
        from airflow.sdk.observability.stats import Stats

        Stats.incr("nashra.task_failed", tags={"outlet": outlet, "dag_id": dag_id})
    except ImportError:
        pass


def now() -> datetime:
    return datetime.now(UTC)
