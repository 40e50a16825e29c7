"""The three stage entry points, one outlet at a time. Airflow tasks and the CLI call these.

Each takes only an outlet id (and, for the crawl, the run's time) and finds everything else in the
registry, the environment and the lake, so any worker can run any outlet's task.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nashra.config import settings
from nashra.lake import ensure_bucket, open_lake
from nashra.layout import new_batch_id
from spiders.registry import load_registry


def crawl(outlet_id: str, run_time: datetime, *, max_articles: int = 200) -> dict[str, Any]:
    from spiders.crawl import crawl_outlet

    cfg = settings()
    ensure_bucket(cfg.lake_uri, cfg)
    outlet = load_registry().get(outlet_id)  # fail fast on an unknown id, before forking
    report = crawl_outlet(
        outlet.id,
        new_batch_id(outlet.id, run_time),
        max_articles=max_articles,
        today=run_time.date().isoformat(),
    )
    return report.to_json()


def process(outlet_id: str, *, reprocess: bool = False) -> list[dict[str, Any]]:
    from nashra.process import process_outlet

    cfg = settings()
    outlet = load_registry().get(outlet_id)
    reports = process_outlet(
        open_lake(cfg.lake_uri, cfg), outlet, max_failure_rate=cfg.max_failure_rate, reprocess=reprocess
    )
    return [r.__dict__ for r in reports]


def index(outlet_id: str, *, reindex: bool = False) -> list[dict[str, Any]]:
    from nashra.index import es_client, index_outlet

    cfg = settings()
    load_registry().get(outlet_id)
    es = es_client(cfg)
    reports = index_outlet(open_lake(cfg.lake_uri, cfg), es, outlet_id, cfg.index_prefix, reindex=reindex)
    return [r.__dict__ for r in reports]
