"""The embedded services `make demo` starts (SeaweedFS, an Elasticsearch node) and leaves running,
so `nashra search` works after the demo. Their endpoints and PIDs live in var/services/services.json
(read by nashra.core.local_services); `make services-stop` stops them by PID."""

from __future__ import annotations

import json
import os
from typing import Any

from nashra.core import local_services
from nashra.core.local_services import pid_alive, read_state


def _write_state(state: dict[str, Any]) -> None:
    local_services.STATE.parent.mkdir(parents=True, exist_ok=True)
    local_services.STATE.write_text(json.dumps(state, indent=1))
    local_services.STATE.chmod(0o600)  # holds the local S3 keys


def ensure_services(want_es: bool = True) -> dict[str, Any]:
    """Start whatever is not already running; return the environment that points at them."""
    from devkit.seaweed import start_seaweed

    state = read_state()
    if not pid_alive(state.get("s3", {}).get("pid")):
        s3 = start_seaweed(local_services.STATE.parent / "s3")
        state["s3"] = {"pid": s3.pid, "env": s3.env()}
    if want_es and not os.environ.get("ES_URL") and not pid_alive(state.get("es", {}).get("pid")):
        from devkit.es_node import start_node

        node = start_node(local_services.STATE.parent / "es", detach=True)
        state["es"] = {"pid": node.pid, "url": node.url}
    _write_state(state)
    env = dict(state["s3"]["env"])
    if "es" in state and not os.environ.get("ES_URL"):
        env["ES_URL"] = state["es"]["url"]
    return env


def remember(**values: Any) -> None:
    state = read_state()
    state.update(values)
    _write_state(state)


def stop_services() -> list[str]:
    from devkit.seaweed import stop_pid

    state = read_state()
    stopped = []
    for name in ("es", "s3"):
        pid = state.get(name, {}).get("pid")
        if pid_alive(pid):
            stop_pid(pid, grace=30.0)
            stopped.append(name)
    if local_services.STATE.exists():
        local_services.STATE.unlink()
    return stopped
