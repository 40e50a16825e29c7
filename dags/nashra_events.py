"""Processing raw batches that any producer drops into the lake bucket.

- `nashra_inbox`: scheduled on Asset `nashra.raw.inbox`, whose AssetWatcher reads the S3 event
  queue (SqsSensorTrigger on NASHRA_SQS_QUEUE_URL, connection `aws_default`). Without a queue
  configured it can still be triggered by hand.
- `nashra_sweep`: the documented fallback, every 30 minutes, doing the same from durable state,
  because an AssetWatcher can stop firing or have its events merged (apache/airflow#51213, #56050).
Both process and index, per outlet (mapped tasks), only the batches the lake says are pending,
so a duplicate event or a sweep right after an event does nothing twice.
"""

from __future__ import annotations

import os

from airflow.sdk import DAG, Asset, AssetWatcher, task

from nashra.ops.dag_defaults import EXECUTION_TIMEOUT, START, default_args, tags

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
    return Asset(name="nashra.raw.inbox", uri="nashra://raw/inbox", group="nashra", watchers=watchers)


def build(dag_id: str, schedule: object, doc: str) -> DAG:
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

        @task(execution_timeout=EXECUTION_TIMEOUT["listing"])
        def pending_outlets(**context) -> list[str]:
            from nashra.core.config import settings
            from nashra.core.lake import open_lake
            from nashra.core.ledger import pending_batches
            from nashra.core.registry import load_registry
            from nashra.ops.events import windows_of_run

            lake, windows = open_lake(settings().lake_uri), windows_of_run(context)
            return [
                o.id
                for o in load_registry().enabled()
                if any(pending_batches(lake, o.id, s, w) for w in windows for s in ("process", "index"))
            ]

        @task(execution_timeout=EXECUTION_TIMEOUT["events"])
        def process_and_index(outlet_id: str, **context) -> dict:
            from nashra.ops.events import windows_of_run
            from nashra.stages import tasks

            # Older batches no event named: the daily reconciliation of nashra_maintenance.
            processed, indexed = [], []
            for window in windows_of_run(context):
                processed += tasks.process(outlet_id, run_id=context["run_id"], window=window)
                indexed += tasks.index(outlet_id, run_id=context["run_id"], window=window)
            return {
                "batches": [r["batch_id"] for r in processed],
                "indexed": sum(r["indexed"] for r in indexed),
            }

        process_and_index.expand(outlet_id=pending_outlets())
    return dag


inbox = build(
    "nashra_inbox", [inbox_asset()], "Process raw batches announced on the S3 event queue. " + __doc__
)
sweep = build("nashra_sweep", "*/30 * * * *", "Fallback sweep over pending raw batches. " + __doc__)
