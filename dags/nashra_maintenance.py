"""Lake maintenance: compaction, dedup-key sorting, checkpoints, log cleanup, vacuum; reconciliation.

One mapped task per Delta table, so tables are maintained side by side and a failure names its
table. Hourly: a light run bins the last hour's small files. Daily, at NASHRA_MAINTENANCE_FULL_HOUR
(UTC, 2 by default) or when triggered with conf {"full": true}: the full run (compaction, the key
sort, checkpoints, log cleanup, vacuum), then one mapped task per outlet reconciles the ledger over
all history: the scheduled runs look for pending batches in a recent window only
(NASHRA_PENDING_LOOKBACK_HOURS, 48 by default, so their cost stays flat), and a batch an outage
kept out of that window is processed and indexed here. Idempotent and safe while the pipeline
writes (nashra/ops/maintenance.py). Each run leaves a row per table in the metrics table (stage
"maintain", details per table): `nashra lake show --table metrics`.
"""

from __future__ import annotations

import os

from airflow.sdk import DAG, task

from nashra.ops.dag_defaults import START, default_args, limits, tags

# The table names, spelled here so parsing stays free of pyarrow and deltalake (the fork trap:
# nothing may open a table in a process that forks task runners). Checked against
# nashra.core.tables.SPECS by tests/integration/test_dags.py.
TABLES = ["articles", "quarantine", "url_duplicates", "signatures", "dedup_keys", "metrics", "fetched"]

with DAG(
    "nashra_maintenance",
    schedule=os.environ.get("NASHRA_MAINTENANCE_SCHEDULE", "@hourly"),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("maintenance"),
    doc_md=__doc__,
):

    @task(**limits("maintain"))
    def maintain(table: str, **context) -> dict:
        from nashra.ops.maintenance import is_full_run, run_maintenance

        return run_maintenance([table], run_id=f"{context['run_id']}:{table}", full=is_full_run(context))

    @task(**limits("listing"))
    def outlets() -> list[str]:
        from nashra.core.registry import load_registry

        return [o.id for o in load_registry().enabled()]

    @task(**limits("replay"))
    def reconcile(outlet_id: str, **context) -> dict:
        from nashra.ops.maintenance import is_full_run, reconcile_outlet

        if not is_full_run(context):
            return {"skipped": "an hourly run: reconciliation is daily"}
        return reconcile_outlet(outlet_id, run_id=context["run_id"])

    maintain.expand(table=TABLES) >> reconcile.expand(outlet_id=outlets())
