"""The three stage entry points, one outlet at a time. Airflow tasks and the CLI call these.

Each takes only an outlet id (and, for the crawl, the run's time) and finds everything else in the
registry, the environment and the lake, so any worker can run any outlet's task. Each run
publishes its metrics (nashra.stages.metrics), also when it fails.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from nashra.core.config import require_elasticsearch, settings
from nashra.core.lake import ensure_bucket, open_lake
from nashra.core.ledger import Window, batch_time, new_batch_id, windows_around
from nashra.core.registry import load_registry
from nashra.stages.metrics import StageMetrics, now, publish


@contextmanager
def observed(outlet_id: str, stage: str, run_id: str | None) -> Iterator[StageMetrics]:
    metrics = StageMetrics(outlet_id, stage, run_id or f"cli-{now():%Y%m%dT%H%M%S}", now())
    started = time.monotonic()
    try:
        yield metrics
    except Exception as exc:
        metrics.failed = f"{type(exc).__name__}: {exc}"[:500]
        raise
    finally:
        metrics.duration_s = round(time.monotonic() - started, 3)
        cfg = settings()
        try:
            publish(open_lake(cfg.lake_uri, cfg), metrics)
        except Exception:  # noqa: BLE001 - metrics must never turn a good run into a failed one
            logging.getLogger("nashra").warning("could not publish metrics for %s/%s", outlet_id, stage)


def _sum_counters(dicts: Any) -> dict[str, int]:
    return dict(sum((Counter(d) for d in dicts), Counter()))


def crawl(
    outlet_id: str, run_time: datetime, *, max_articles: int = 200, run_id: str | None = None
) -> dict[str, Any]:
    from spiders.crawl import crawl_outlet

    cfg = settings()
    ensure_bucket(cfg.lake_uri, cfg)
    outlet = load_registry().get(outlet_id)  # fail fast on an unknown id, before forking
    with observed(outlet.id, "crawl", run_id) as metrics:
        report = crawl_outlet(
            outlet.id,
            new_batch_id(outlet.id, run_time),
            max_articles=max_articles,
            today=run_time.date().isoformat(),
        )
        families = list(report.families.values())
        metrics.pages_fetched = report.archived
        metrics.bytes_fetched = sum(f.bytes_fetched for f in families)
        metrics.errors = _sum_counters(f.errors for f in families)
    return report.to_json()


def process(
    outlet_id: str,
    *,
    reprocess: bool = False,
    run_id: str | None = None,
    window: Window | None = None,
    only: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Process the outlet's pending batches of `window` (all history when None: the CLI, the daily
    reconciliation; the scheduled runs pass their recent window, so their cost stays flat); with
    `only`, just those batches (the inbox: the batches its events name)."""
    from nashra.stages.process import process_outlet

    cfg = settings()
    outlet = load_registry().get(outlet_id)
    with observed(outlet.id, "process", run_id) as metrics:
        reports = process_outlet(
            open_lake(cfg.lake_uri, cfg),
            outlet,
            max_failure_rate=cfg.max_failure_rate,
            reprocess=reprocess,
            run_id=run_id,
            window=window,
            only=only,
        )
        metrics.pages_fetched = sum(r.pages for r in reports)
        metrics.articles_valid = sum(r.stored - r.duplicates for r in reports)
        metrics.articles_duplicate = sum(r.duplicates for r in reports)
        metrics.url_duplicates = sum(r.url_duplicates for r in reports)
        metrics.quarantined = sum(r.quarantined for r in reports)
        metrics.errors = _sum_counters(r.reasons for r in reports)
    return [r.__dict__ for r in reports]


def index(
    outlet_id: str,
    *,
    reindex: bool = False,
    run_id: str | None = None,
    window: Window | None = None,
    only: set[str] | None = None,
) -> list[dict[str, Any]]:
    from nashra.stages.index import es_client, index_outlet

    cfg = settings()
    require_elasticsearch(cfg, "the index stage")
    load_registry().get(outlet_id)
    with observed(outlet_id, "index", run_id) as metrics:
        reports = index_outlet(
            open_lake(cfg.lake_uri, cfg),
            es_client(cfg),
            outlet_id,
            cfg.index_prefix,
            reindex=reindex,
            run_id=run_id,
            window=window,
            only=only,
        )
        metrics.indexed = sum(r.indexed for r in reports)
    return [r.__dict__ for r in reports]


def run_in_airflow(stage: str, outlet_id: str, context: dict[str, Any]) -> Any:
    """The one entry point of the generated per-outlet DAGs: the stage, with the run's identity.
    The crawl's time is the run's logical date (a retry of the run re-crawls the same batch).
    The asset event the task emits carries what it did (`asset_event_extra`)."""
    run_id = context["run_id"]
    run_time = context.get("logical_date") or context["dag_run"].run_after
    if stage == "crawl":
        result: Any = crawl(outlet_id, run_time, run_id=run_id)
    elif stage in ("process", "index"):
        # The run's recent window, and those of the batches its triggering events name: a batch
        # processed late (a manual run, a backfill) is indexed by the run its event triggers.
        named = named_batches(context, outlet_id)
        stage_fn = process if stage == "process" else index
        result = [
            report
            for window in windows_around([run_time, *(batch_time(b) for b in named)])
            for report in stage_fn(outlet_id, run_id=run_id, window=window)
        ]
    else:
        raise ValueError(f"unknown stage {stage!r}")
    events = context.get("outlet_events")
    task = context.get("task")
    if events is not None and task is not None:
        for outlet in getattr(task, "outlets", None) or []:
            events[outlet].extra = asset_event_extra(stage, outlet_id, result)
    return result


def named_batches(context: dict[str, Any], outlet_id: str) -> set[str]:
    """The outlet's batches the run's triggering asset events name (`asset_event_extra`)."""
    named: set[str] = set()
    for events in (context.get("triggering_asset_events") or {}).values():
        for event in events:
            extra = getattr(event, "extra", None) or {}
            if isinstance(extra, dict) and extra.get("outlet_id") == outlet_id:
                named.update(str(b) for b in extra.get("batches") or [])
    return named


def asset_event_extra(stage: str, outlet_id: str, result: Any) -> dict[str, Any]:
    """What a consumer of the stage's asset event (or a reader of its history in the UI) wants
    to know without opening the lake: which batches, how many pages and rows."""
    if stage == "crawl":
        return {"outlet_id": outlet_id, "batches": [result["batch_id"]], "pages": result["archived"]}
    batches = [r["batch_id"] for r in result]
    if stage == "process":
        totals = {k: sum(r[k] for r in result) for k in ("pages", "stored", "duplicates", "quarantined")}
        return {"outlet_id": outlet_id, "batches": batches, **totals}
    return {"outlet_id": outlet_id, "batches": batches, "indexed": sum(r["indexed"] for r in result)}
