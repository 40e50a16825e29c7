"""Processing raw batches that any producer drops into the lake bucket.

- `nashra_inbox`: scheduled on Asset `nashra.raw.inbox`, whose AssetWatcher reads the S3 event
  queue (SqsSensorTrigger on NASHRA_SQS_QUEUE_URL, connection `aws_default`). It processes and
  indexes the batches its events name (a run triggered by hand: those its conf names, in the
  event payload's shape), per outlet (mapped tasks).
- `nashra_sweep`: the documented fallback, every 30 minutes (NASHRA_SWEEP_SCHEDULE, a cron
  expression), from durable state alone: every
  batch the lake says is pending in its last 48 hours, because an AssetWatcher can stop firing or
  lose events (apache/airflow#51213, #56050).
Both skip what the lake says is done, so a duplicate event or a sweep right after an event does
nothing twice.
"""

from __future__ import annotations

import os

from airflow.sdk import DAG, Asset, AssetWatcher, task

from nashra.ops.dag_defaults import START, asset_uri, default_args, limits, tags

QUEUE_URL = os.environ.get("NASHRA_SQS_QUEUE_URL")


def inbox_asset() -> Asset:
    watchers = []
    if QUEUE_URL:
        from airflow.providers.amazon.aws.triggers.sqs import SqsSensorTrigger

        trigger = SqsSensorTrigger(
            sqs_queue=QUEUE_URL,
            aws_conn_id="aws_default",
            max_messages=10,
            wait_time_seconds=20,
            waiter_delay=30,
        )
        watchers.append(AssetWatcher(name="nashra_raw_sqs", trigger=trigger))
    # The whole raw prefix: what the bucket notification the watcher reads is configured on.
    return Asset(name="nashra.raw.inbox", uri=asset_uri("raw"), group="nashra", watchers=watchers)


def build(dag_id: str, schedule: object, doc: str, *, named_only: bool) -> DAG:
    """`named_only`: work on the batches the run's events name (the inbox), else on everything
    pending in the run's window (the sweep)."""
    with DAG(
        dag_id,
        schedule=schedule,
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=default_args(),
        tags=tags("events"),
        doc_md=doc,
    ) as dag:

        @task(**limits("listing"))
        def pending_outlets(**context) -> list[str]:
            from nashra.core.config import settings
            from nashra.core.lake import open_lake
            from nashra.core.ledger import pending_batches
            from nashra.core.registry import load_registry
            from nashra.ops.events import batches_of_run, windows_of_run

            if named_only:
                enabled = {o.id for o in load_registry().enabled()}
                return sorted(set(batches_of_run(context)) & enabled)
            lake, windows = open_lake(settings().lake_uri), windows_of_run(context)
            return [
                o.id
                for o in load_registry().enabled()
                if any(pending_batches(lake, o.id, s, w) for w in windows for s in ("process", "index"))
            ]

        @task(**limits("events"))
        def process_and_index(outlet_id: str, **context) -> dict:
            from nashra.ops.events import batches_of_run, windows_of_batches, windows_of_run
            from nashra.stages import tasks

            only = batches_of_run(context).get(outlet_id, set()) if named_only else None
            windows = windows_of_batches(only) if only is not None else windows_of_run(context)
            # Older batches nobody named: the daily reconciliation of nashra_maintenance.
            processed, indexed = [], []
            for window in windows:
                processed += tasks.process(outlet_id, run_id=context["run_id"], window=window, only=only)
                indexed += tasks.index(outlet_id, run_id=context["run_id"], window=window, only=only)
            return {
                "batches": [r["batch_id"] for r in processed],
                "indexed": sum(r["indexed"] for r in indexed),
            }

        process_and_index.expand(outlet_id=pending_outlets())
    return dag


inbox = build(
    "nashra_inbox",
    [inbox_asset()],
    "Process the raw batches announced on the S3 event queue. " + __doc__,
    named_only=True,
)
sweep = build(
    "nashra_sweep",
    os.environ.get("NASHRA_SWEEP_SCHEDULE", "*/30 * * * *"),
    "Fallback sweep over pending raw batches. " + __doc__,
    named_only=False,
)
