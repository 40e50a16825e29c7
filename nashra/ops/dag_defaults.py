"""What every nashra DAG shares: owner, retries, back-off, failure callback, start date, tags.

One place, so the DAG files stay thin and their retry policies cannot drift apart.
"""

from __future__ import annotations

import os
import zlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from nashra.core.config import REPO_ROOT, split_credentials
from nashra.core.ledger import articles_location, raw_location, storage_uri
from nashra.stages.metrics import on_failure

OWNER = "nashra-data-eng"
START = datetime(2026, 1, 1)


def default_args() -> dict[str, Any]:
    """Task defaults. NASHRA_TASK_RETRIES overrides the retry count (tests set 0: dag.test() would
    otherwise sleep through the retry delay), NASHRA_TASK_RETRY_DELAY_S the first retry's delay
    (the scheduler test waits seconds, not minutes, for its retries)."""
    return {
        "owner": OWNER,
        "retries": int(os.environ.get("NASHRA_TASK_RETRIES", "2")),
        # 5, 10, 20 ... minutes: an outlet or a service that is down gets time to come back.
        "retry_delay": timedelta(seconds=float(os.environ.get("NASHRA_TASK_RETRY_DELAY_S", "300"))),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(hours=1),
        "on_failure_callback": on_failure,
    }


def tags(*extra: str) -> list[str]:
    return ["nashra", *extra]


# Longest a task may run before Airflow fails it (and retries): a hung crawl or a stalled bulk must
# not hold the outlet's only active run forever. The crawl's own budget is NASHRA_CRAWL_TIMEOUT.
EXECUTION_TIMEOUT = {
    "crawl": timedelta(minutes=45),
    "process": timedelta(minutes=30),
    "index": timedelta(minutes=30),
    "events": timedelta(hours=1),
    "listing": timedelta(minutes=10),  # the small tasks that only read the lake or the registry
    "replay": timedelta(hours=6),
    "backfill": timedelta(hours=2),  # one CC-NEWS file (~1 GB) streamed and filtered
    "maintain": timedelta(hours=2),
}


# Pools bound what all outlets together may run at once, whatever the executor's parallelism:
# Elasticsearch takes a few concurrent bulk loads well and many badly (429s, then retries), and
# the tasks that read and rewrite lake tables share S3's request rate and the workers' memory.
# Created by `make airflow`, the scheduler test and the compose stack's airflow-init
# (`airflow pools set`); a task in a pool that does not exist waits, so a deployment must create
# them (README, Airflow).
POOLS: dict[str, tuple[int, str]] = {
    "nashra_es_bulk": (4, "Elasticsearch bulk loads (index tasks)"),
    "nashra_lake": (8, "tasks that read and rewrite the lake's tables (process, replay, maintenance)"),
}
_POOL_OF = {
    "process": "nashra_lake",
    "events": "nashra_lake",
    "replay": "nashra_lake",
    "maintain": "nashra_lake",
    "index": "nashra_es_bulk",
}


def pools_json() -> str:
    """POOLS in the format of `airflow pools import FILE`."""
    import json

    return json.dumps({name: {"slots": slots, "description": text} for name, (slots, text) in POOLS.items()})


def limits(kind: str) -> dict[str, Any]:
    """A task's execution timeout and pool, by kind of work (`@task(**limits("index"))`)."""
    return {"execution_timeout": EXECUTION_TIMEOUT[kind], "pool": _POOL_OF.get(kind, "default_pool")}


def staggered(outlet_id: str, schedule: str) -> str:
    """The registry's `@hourly` / `@daily` at a minute (and hour) derived from the outlet id, so 37
    outlets do not all start at minute 0; a cron expression in the registry is kept as written."""
    slot = zlib.crc32(outlet_id.encode())
    if schedule == "@hourly":
        return f"{slot % 60} * * * *"
    if schedule == "@daily":
        return f"{slot % 60} {slot // 60 % 24} * * *"
    return schedule


def asset_uri(kind: str, outlet_id: str | None = None) -> str:
    """Where an asset's data really is, so lineage (the Airflow UI, OpenLineage) names storage,
    not a private scheme: `raw` -> s3://bucket/prefix/raw/outlet=<id> (the whole raw prefix without
    an outlet), `lake` -> the outlet's partition of the articles table, `search` -> the index alias
    on the cluster. Read from the environment only: DAG files are parsed often, and a connection
    lookup at parse time is a database call. Without ES_URL the search asset names the connection.
    """
    if kind == "search":
        # NASHRA_LINEAGE_INDEX_URI: the same, for a cluster reached under another name (a proxy).
        pinned = os.environ.get("NASHRA_LINEAGE_INDEX_URI")
        if pinned:
            return f"{pinned.rstrip('/')}/outlet_id={outlet_id}"
        es_url = os.environ.get("ES_URL")
        host = urlsplit(split_credentials(es_url)[0]).netloc if es_url else "elasticsearch_default"
        prefix = os.environ.get("NASHRA_INDEX_PREFIX") or "nashra-articles"
        return f"elasticsearch://{host}/{prefix}/outlet_id={outlet_id}"
    # NASHRA_LINEAGE_LAKE_URI: the name lineage gives the lake when it is reached under another
    # one (an S3 access point alias, a gateway); the test session pins it, see tests/conftest.py.
    lake = (
        os.environ.get("NASHRA_LINEAGE_LAKE_URI")
        or os.environ.get("NASHRA_LAKE_URI")
        or str(REPO_ROOT / "var" / "lake")
    )
    rel = raw_location(outlet_id) if kind == "raw" else articles_location(str(outlet_id))
    return storage_uri(lake, rel)


if __name__ == "__main__":  # `python -m nashra.ops.dag_defaults pools > pools.json` (compose's airflow-init)
    import sys

    if sys.argv[1:] != ["pools"]:
        raise SystemExit("usage: python -m nashra.ops.dag_defaults pools")
    print(pools_json())
