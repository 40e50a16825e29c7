"""Backfill from Common Crawl's news archive (CC-NEWS): raw batches of the registry's outlets from
the months given, then the process (and index) stages on them.

Trigger it by hand with params {"since": "2024-01", "until": "2024-03", "outlets": []} (empty =
every enabled outlet). One mapped task per WARC file (~1 GB each, a few hundred a month), so the
workers share a month's files; each streams its file and resumes where it stopped (state in the
lake's _backfill area), so a retry or a second run of the DAG skips what is done. Then one mapped
task per outlet processes (and indexes) exactly the batches the files wrote. Logic: nashra.ops.backfill.
"""

from __future__ import annotations

from airflow.sdk import DAG, Param, task

from nashra.ops.dag_defaults import START, default_args, limits, tags

with DAG(
    "nashra_backfill",
    schedule=None,
    start_date=START,
    catchup=False,
    default_args=default_args(),
    tags=tags("backfill"),
    doc_md=__doc__,
    params={
        "since": Param(type="string", pattern=r"^\d{4}-\d{2}$", description="first month (YYYY-MM)"),
        "until": Param(type="string", pattern=r"^\d{4}-\d{2}$", description="last month (YYYY-MM)"),
        "source": Param("https://data.commoncrawl.org/", type="string", description="base URI of CC-NEWS"),
        "outlets": Param([], type="array", description="outlet ids; empty = all enabled"),
        "index": Param(True, type="boolean", description="index the processed batches too"),
    },
):

    @task(**limits("listing"))
    def files(**context) -> list[str]:
        from nashra.core.cc_news import parse_month
        from nashra.ops.backfill import listed_uris

        params = context["params"]
        return listed_uris(params["source"], parse_month(params["since"]), parse_month(params["until"]))

    @task(**limits("backfill"), map_index_template="{{ warc_file }}")
    def backfill(uri: str, **context) -> dict:
        from dataclasses import asdict

        from airflow.sdk import get_current_context

        from nashra.core.cc_news import file_name
        from nashra.ops.backfill import backfill_observed

        # The mapped task's name in the UI (map_index_template): the file, not its list position.
        get_current_context()["warc_file"] = file_name(uri)
        report = backfill_observed(
            uri, outlets=context["params"]["outlets"] or None, run_id=context["run_id"]
        )
        return asdict(report)

    @task(**limits("listing"))
    def outlets_touched(reports: list[dict]) -> list[dict]:
        from nashra.ops.backfill import touched

        return touched(list(reports))

    @task(**limits("replay"))
    def settle(item: dict, **context) -> dict:
        from nashra.ops.backfill import settle_outlet

        return settle_outlet(
            item["outlet_id"], item["batches"], index=context["params"]["index"], run_id=context["run_id"]
        )

    settle.expand(item=outlets_touched(backfill.expand(uri=files())))
