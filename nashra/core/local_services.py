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
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def use_local_services() -> list[str]:
    """Point Elasticsearch, the lake and the registry at what the last `make demo` used, for each
    one the environment does not name, while the demo's services run. Returns what was taken
    from the demo ("lake s3://…"), so the caller can say it."""
    if os.environ.get("NASHRA_LOCAL_SERVICES") == "0":  # the test suite, or an operator's choice
        return []
    state = read_state()
    taken: list[str] = []
    es = state.get("es", {})
    if not os.environ.get("ES_URL") and pid_alive(es.get("pid")):
        os.environ["ES_URL"] = es["url"]
        taken.append(f"Elasticsearch {es['url']}")
    s3 = state.get("s3", {})
    if not pid_alive(s3.get("pid")):
        return taken
    if state.get("lake_uri") and not os.environ.get("NASHRA_LAKE_URI"):
        os.environ.update(s3["env"])
        os.environ["NASHRA_LAKE_URI"] = state["lake_uri"]
        taken.append(f"lake {state['lake_uri']}")
    if state.get("registry") and not os.environ.get("NASHRA_REGISTRY"):
        os.environ["NASHRA_REGISTRY"] = state["registry"]
        taken.append(f"registry {state['registry']}")
    return taken
