"""The services `make demo` left running on this machine, as seen by the product's commands.

The demo (devkit) starts SeaweedFS and an Elasticsearch node and records their endpoints and PIDs
in `var/services/services.json`. Commands that read (search, lake show, report, reindex) use them
when the environment names no Elasticsearch or lake, so `nashra search` works right after the
demo. This module only reads that file; starting and stopping services is devkit's job, and a
production entry point never starts anything.
"""

from __future__ import annotations

import json
import os
from typing import Any

from nashra.core.config import REPO_ROOT

STATE_DIR = REPO_ROOT / "var" / "services"
STATE = STATE_DIR / "services.json"


def read_state() -> dict[str, Any]:
    try:
        return json.loads(STATE.read_text())
    except (OSError, ValueError):
        return {}


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def use_local_services() -> None:
    """Point ES_URL and the lake at the demo's running services when the environment names none."""
    state = read_state()
    es = state.get("es", {})
    if not os.environ.get("ES_URL") and pid_alive(es.get("pid")):
        os.environ["ES_URL"] = es["url"]
    s3 = state.get("s3", {})
    if pid_alive(s3.get("pid")) and state.get("lake_uri") and not os.environ.get("NASHRA_LAKE_URI"):
        os.environ.update(s3["env"])
        os.environ["NASHRA_LAKE_URI"] = state["lake_uri"]
