"""The embedded services `make demo` starts (SeaweedFS, an Elasticsearch node) and leaves running,
so `nashra search` works after the demo. Their endpoints and PIDs live in var/services.json;
`nashra services stop` stops them by PID."""

from __future__ import annotations

import json
import os
from typing import Any

from nashra.config import REPO_ROOT

STATE_DIR = REPO_ROOT / "var" / "services"
STATE = STATE_DIR / "services.json"


def read_state() -> dict[str, Any]:
    try:
        return json.loads(STATE.read_text())
    except (OSError, ValueError):
        return {}


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _write_state(state: dict[str, Any]) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps(state, indent=1))
    STATE.chmod(0o600)  # holds the local S3 keys


def ensure_services(want_es: bool = True) -> dict[str, Any]:
    """Start whatever is not already running; return the environment that points at them."""
    from infra.seaweed import start_seaweed

    state = read_state()
    if not _alive(state.get("s3", {}).get("pid")):
        s3 = start_seaweed(STATE_DIR / "s3")
        state["s3"] = {"pid": s3.pid, "env": s3.env()}
    if want_es and not os.environ.get("ES_URL") and not _alive(state.get("es", {}).get("pid")):
        from infra.es_node import start_node

        node = start_node(STATE_DIR / "es", detach=True)
        state["es"] = {"pid": node.pid, "url": node.url}
    _write_state(state)
    env = dict(state["s3"]["env"])
    if "es" in state and not os.environ.get("ES_URL"):
        env["ES_URL"] = state["es"]["url"]
    return env


def apply_running_services() -> None:
    """Let `nashra search`/`lake` after `make demo` find the demo's services when no env is set."""
    state = read_state()
    es = state.get("es", {})
    if not os.environ.get("ES_URL") and _alive(es.get("pid")):
        os.environ["ES_URL"] = es["url"]
    s3 = state.get("s3", {})
    if _alive(s3.get("pid")) and state.get("lake_uri") and not os.environ.get("NASHRA_LAKE_URI"):
        os.environ.update(s3["env"])
        os.environ["NASHRA_LAKE_URI"] = state["lake_uri"]


def remember(**values: Any) -> None:
    state = read_state()
    state.update(values)
    _write_state(state)


def stop_services() -> list[str]:
    from infra.seaweed import stop_pid

    state = read_state()
    stopped = []
    for name in ("es", "s3"):
        pid = state.get(name, {}).get("pid")
        if _alive(pid):
            stop_pid(pid, grace=30.0)
            stopped.append(name)
    if STATE.exists():
        STATE.unlink()
    return stopped
