"""Backfill / replay: re-process (no re-crawl) and re-index the raw batches of a date range.

Trigger it by hand with params {"since": "2026-02-01", "until": "2026-02-07", "outlets": []}
(empty = every enabled outlet). One mapped task per outlet, so the outlets spread over workers.
"""

from __future__ import annotations

from airflow.sdk import DAG, Param, task

from nashra.ops.dag_defaults import START, default_args, limits, tags

with DAG(
    "nashra_replay",
    schedule=None,
    start_date=START,
    catchup=False,
    default_args=default_args(),
    tags=tags("replay"),
    doc_md=__doc__,
    params={
        "since": Param(type="string", format="date", description="first crawl day (UTC)"),
        "until": Param(type="string", format="date", description="last crawl day (UTC)"),
        "outlets": Param([], type="array", description="outlet ids; empty = all enabled"),
        "reindex": Param(True, type="boolean"),
    },
):

    @task(**limits("listing"))
    def outlets(**context) -> list[str]:
        from nashra.core.registry import load_registry

        chosen = context["params"]["outlets"]
        registry = load_registry()
        return [registry.get(o).id for o in chosen] if chosen else [o.id for o in registry.enabled()]

    @task(**limits("replay"))
    def replay(outlet_id: str, **context) -> dict:
        from datetime import date

        from nashra.ops.replay import replay_outlet

        params = context["params"]
        report = replay_outlet(
            outlet_id,
            date.fromisoformat(params["since"]),
            date.fromisoformat(params["until"]),
            reindex=params["reindex"],
        )
        return report.__dict__

    replay.expand(outlet_id=outlets())
