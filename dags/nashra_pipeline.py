"""Airflow 3 DAGs generated from the outlet registry (NASHRA_REGISTRY or spiders/outlets.yaml).

Per outlet, three DAGs joined by Assets (event-driven, not a timetable chain):
    nashra_crawl__<id>    on the outlet's schedule  -> Asset nashra.raw.<id>
    nashra_process__<id>  on Asset nashra.raw.<id>  -> Asset nashra.lake.<id>
    nashra_index__<id>    on Asset nashra.lake.<id> -> Asset nashra.search.<id>
Consumers read their input from the lake (manifests of pending batches), not from the event, so
a missed or merged event only delays work. All logic is in nashra.stages; nothing heavy is imported
at parse time.
"""

from __future__ import annotations

from airflow.sdk import DAG, Asset, task

from nashra.core.registry import load_registry_partial
from nashra.ops.dag_defaults import START, asset_uri, default_args, limits, staggered, tags


def asset(kind: str, outlet_id: str) -> Asset:
    """`nashra.raw.<id>` (crawled), `nashra.lake.<id>` (processed), `nashra.search.<id>` (indexed),
    each at the URI of the storage it stands for (s3://…/raw/outlet=<id>, …)."""
    return Asset(name=f"nashra.{kind}.{outlet_id}", uri=asset_uri(kind, outlet_id), group="nashra")


# stage -> (what triggers it, the asset it produces, what its DAG does)
STAGES = {
    "crawl": (None, "raw", "Crawl {doc} into a raw WARC batch."),
    "process": (
        "raw",
        "lake",
        "Extract, validate (GX), dedup and write to the lake the pending batches of {doc}.",
    ),
    "index": ("lake", "search", "Index into Elasticsearch the processed batches of {doc}."),
}


def build(outlet) -> list[DAG]:  # spiders.registry.Outlet
    doc = f"**{outlet.name}** ({outlet.country}, {', '.join(outlet.languages)}), {outlet.homepage}"
    dags = []
    for stage, (trigger, produces, purpose) in STAGES.items():
        with DAG(
            f"nashra_{stage}__{outlet.id}",
            schedule=[asset(trigger, outlet.id)] if trigger else staggered(outlet.id, outlet.schedule),
            start_date=START,
            catchup=False,
            max_active_runs=1,
            default_args=default_args(),
            tags=tags(outlet.country, outlet.id, stage),
            doc_md=purpose.format(doc=doc),
        ) as dag:

            @task(
                task_id=stage,
                # Inputs and outputs, for the lineage (Airflow's asset graph and OpenLineage).
                inlets=[asset(trigger, outlet.id)] if trigger else [],
                outlets=[asset(produces, outlet.id)],
                **limits(stage),
            )
            def run(stage: str = stage, outlet_id: str = outlet.id, **context) -> object:
                from nashra.stages import tasks

                return tasks.run_in_airflow(stage, outlet_id, context)

            run()
        dags.append(dag)
    return dags


# One bad registry entry must not take every outlet's DAGs down: the valid outlets get theirs here,
# and dags/nashra_registry_check.py fails to import with the file and key of each problem.
_registry, _problems = load_registry_partial()
for _outlet in _registry.enabled():
    for _dag in build(_outlet):
        globals()[_dag.dag_id] = _dag
