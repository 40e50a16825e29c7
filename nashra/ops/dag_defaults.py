"""What every nashra DAG shares: owner, retries, back-off, failure callback, start date, tags.

One place, so the DAG files stay thin and their retry policies cannot drift apart.
"""

from __future__ import annotations

import os
import zlib
from datetime import datetime, timedelta
from typing import Any

from nashra.stages.metrics import on_failure

OWNER = "nashra-data-eng"
START = datetime(2026, 1, 1)


def default_args() -> dict[str, Any]:
    """Task defaults. NASHRA_TASK_RETRIES overrides the retry count (tests set 0: dag.test() would
    otherwise sleep through the retry delay)."""
    return {
        "owner": OWNER,
        "retries": int(os.environ.get("NASHRA_TASK_RETRIES", "2")),
        # 5, 10, 20 ... minutes: an outlet or a service that is down gets time to come back.
        "retry_delay": timedelta(minutes=5),
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


def staggered(outlet_id: str, schedule: str) -> str:
    """The registry's `@hourly` / `@daily` at a minute (and hour) derived from the outlet id, so 37
    outlets do not all start at minute 0; a cron expression in the registry is kept as written."""
    slot = zlib.crc32(outlet_id.encode())
    if schedule == "@hourly":
        return f"{slot % 60} * * * *"
    if schedule == "@daily":
        return f"{slot % 60} {slot // 60 % 24} * * *"
    return schedule
