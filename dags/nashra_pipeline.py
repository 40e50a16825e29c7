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

from datetime import datetime, timedelta

from airflow.sdk import DAG, Asset, task

from nashra.observe import on_failure
from spiders.registry import load_registry

DEFAULT_ARGS = {
    "owner": "nashra-data-eng",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "on_failure_callback": on_failure,
}
START = datetime(2026, 1, 1)


def raw_asset(outlet_id: str) -> Asset:
    return Asset(name=f"nashra.raw.{outlet_id}", uri=f"nashra://raw/{outlet_id}", group="nashra")


def lake_asset(outlet_id: str) -> Asset:
    return Asset(name=f"nashra.lake.{outlet_id}", uri=f"nashra://lake/{outlet_id}", group="nashra")


def search_asset(outlet_id: str) -> Asset:
    return Asset(name=f"nashra.search.{outlet_id}", uri=f"nashra://search/{outlet_id}", group="nashra")


def build(outlet) -> list[DAG]:  # spiders.registry.Outlet
    tags = ["nashra", outlet.country, outlet.id]
    doc = f"**{outlet.name}** ({outlet.country}, {', '.join(outlet.languages)}), {outlet.homepage}"

    with DAG(
        f"nashra_crawl__{outlet.id}",
        schedule=outlet.schedule,
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=[*tags, "crawl"],
        doc_md=f"Crawl {doc} into a raw WARC batch.",
    ) as crawl_dag:

        @task(outlets=[raw_asset(outlet.id)])
        def crawl(outlet_id: str = outlet.id, **context) -> dict:
            from nashra import stages

            run_time = context.get("logical_date") or context["dag_run"].run_after
            return stages.crawl(outlet_id, run_time, run_id=context["run_id"])

        crawl()

    with DAG(
        f"nashra_process__{outlet.id}",
        schedule=[raw_asset(outlet.id)],
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=[*tags, "process"],
        doc_md=f"Extract, validate (GX), dedup and write to the lake the pending batches of {doc}.",
    ) as proc_dag:

        @task(outlets=[lake_asset(outlet.id)])
        def process(outlet_id: str = outlet.id, **context) -> list:
            from nashra import stages

            return stages.process(outlet_id, run_id=context["run_id"])

        process()

    with DAG(
        f"nashra_index__{outlet.id}",
        schedule=[lake_asset(outlet.id)],
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=[*tags, "index"],
        doc_md=f"Index into Elasticsearch the processed batches of {doc}.",
    ) as index_dag:

        @task(outlets=[search_asset(outlet.id)])
        def index(outlet_id: str = outlet.id, **context) -> list:
            from nashra import stages

            return stages.index(outlet_id, run_id=context["run_id"])

        index()

    return [crawl_dag, proc_dag, index_dag]


for _outlet in load_registry().enabled():
    for _dag in build(_outlet):
        globals()[_dag.dag_id] = _dag
