"""What every nashra DAG shares: owner, retries, back-off, failure callback, start date, tags.

One place, so the DAG files stay thin and their retry policies cannot drift apart.
"""

from __future__ import annotations

import os
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
