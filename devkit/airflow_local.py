"""`make airflow`: a real local Airflow 3 over the fixture web and the embedded services.

`airflow standalone` (api-server, scheduler, dag-processor, triggerer; LocalExecutor on SQLite, or
`AIRFLOW__DATABASE__SQL_ALCHEMY_CONN` for Postgres) from the project's venv, with:
- the fixture web as a background process (the crawls' proxy), SeaweedFS and an Elasticsearch node
  (shared with `make demo`), ElasticMQ for the S3-event queue of `nashra_inbox`;
- the fixture registry, so the DAGs are the fixture outlets', unpaused, and one crawl of each outlet
  triggered once the DAGs are parsed: the asset events then run process and index;
- the connections `aws_default` and `elasticsearch_default` from the running services.
State (PIDs, URL, login) in `var/airflow/state.json`; `down` stops by PID what `up` started.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from unittest.mock import patch

from devkit.ports import free_port
from devkit.seaweed import stop_pid
from nashra.core.config import REPO_ROOT
from nashra.core.local_services import pid_alive

HOME = REPO_ROOT / "var" / "airflow"
STATE = HOME / "state.json"
# The demo's lake and index: `nashra search` and `lake show` see what the DAG runs produced.
LAKE_URI = "s3://nashra-demo/lake"
PASSWORDS = HOME / "simple_auth_manager_passwords.json.generated"


class AirflowLocalError(RuntimeError):
    pass


def read_state() -> dict[str, Any]:
    try:
        return json.loads(STATE.read_text())
    except (OSError, ValueError):
        return {}


def _write_state(state: dict[str, Any]) -> None:
    HOME.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps(state, indent=1))
    STATE.chmod(0o600)  # holds the local S3 keys through the connections


def _wait_http(url: str, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our loopback servers
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AirflowLocalError(f"{what} did not answer on {url} in {timeout:.0f}s\n{tail}")


def _start_fixture_web(log: Path) -> tuple[int, str]:
    port = free_port()
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "devkit.fixture_web", "--port", str(port)],
            cwd=REPO_ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proxy = f"http://127.0.0.1:{port}"
    _wait_http(proxy + "/", 60, "the fixture web", log)
    return proc.pid, proxy


def airflow_env(
    services: dict[str, str],
    proxy: str,
    queue_url: str | None,
    queue_endpoint: str | None,
    api_port: int,
    *,
    home: Path = HOME,
    registry: Path | None = None,
    lake_uri: str = "s3://nashra-demo/lake",
) -> dict[str, str]:
    """The environment of every Airflow component and task."""
    from devkit.fixture_web.truth import REGISTRY_PATH

    bin_dir = str(Path(sys.executable).parent)
    # Per-service endpoints: a global endpoint_url would send SQS calls to SeaweedFS too.
    endpoints = {"s3": {"endpoint_url": services["AWS_ENDPOINT_URL_S3"]}}
    if queue_endpoint:
        endpoints["sqs"] = {"endpoint_url": queue_endpoint}
    aws = {
        "conn_type": "aws",
        "login": services["AWS_ACCESS_KEY_ID"],
        "password": services["AWS_SECRET_ACCESS_KEY"],
        "extra": {"region_name": "us-east-1", "service_config": endpoints},
    }
    es_url = services["ES_URL"]
    env = {
        **os.environ,
        # Airflow starts its components as `airflow …` through PATH.
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",  # LocalExecutor would start 32 workers on 2 cores
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__API__PORT": str(api_port),
        # The log servers' fixed defaults (8793, 8794) would clash with any other Airflow here.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        # Task processes reach the api-server here (its default is port 8080).
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws),
        "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT": json.dumps(
            {"conn_type": "elasticsearch", "host": es_url, "extra": {"scheme": es_url.split(":", 1)[0]}}
        ),
        "NASHRA_REGISTRY": str(registry or REGISTRY_PATH),
        "NASHRA_FIXTURE_PROXY": proxy,
        "NASHRA_ALLOW_LOOPBACK": "1",
        "NASHRA_LAKE_URI": lake_uri,
        "NASHRA_LOCAL_SERVICES": "0",
        # OpenLineage run events (inputs and outputs: the tasks' assets) as JSON lines in a file;
        # a deployment points the transport at Marquez or another OpenLineage backend instead.
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "nashra",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(home / "openlineage.jsonl"), "append": True}
        ),
    }
    for name in ("ES_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3"):
        env.pop(name, None)  # the tasks read the connections, as in a deployment
    if queue_url and queue_endpoint:
        env["NASHRA_SQS_QUEUE_URL"] = queue_url
    return env


def _airflow(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def create_pools(env: dict[str, str]) -> None:
    """The pools the DAGs' tasks run in (nashra.ops.dag_defaults.POOLS): a task in a pool that
    does not exist is never scheduled."""
    from nashra.ops.dag_defaults import pools_json

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(pools_json())
    try:
        result = _airflow(env, "pools", "import", f.name)
        if result.returncode != 0:
            raise RuntimeError(f"airflow pools import failed: {result.stderr.strip()[-500:]}")
    finally:
        os.unlink(f.name)


def _crawl_dags(env: dict[str, str]) -> list[str]:
    dags = _json_list(_airflow(env, "dags", "list", "-o", "json").stdout)
    return sorted(d["dag_id"] for d in dags if str(d.get("dag_id", "")).startswith("nashra_crawl__"))


def _json_list(stdout: str) -> list[dict[str, Any]]:
    """The JSON list an `airflow … -o json` command printed after its warnings (graphviz missing,
    deprecations go to stdout too); [] when there is none."""
    for line in stdout.splitlines():
        if line.startswith("["):
            try:
                value = json.loads(stdout[stdout.index(line) :])
            except ValueError:
                return []
            return value if isinstance(value, list) else []
    return []


def start_standalone(env: dict[str, str], log: Path) -> int:
    """`airflow standalone` in its own process group (stopping the group stops every component)."""
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), "standalone"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc.pid


def stop_standalone(pid: int | None) -> bool:
    """SIGTERM to the whole group, then SIGKILL to what is left of it after a grace period (the
    triggerer was seen outliving the standalone leader, orphaned)."""
    if not pid or not _group_alive(pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)  # standalone's children share its group
    if pid_alive(pid):
        stop_pid(pid, grace=30.0)
    deadline = time.monotonic() + 15
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dag_runs(env: dict[str, str], dag_id: str) -> list[dict[str, Any]]:
    return _json_list(_airflow(env, "dags", "list-runs", dag_id, "-o", "json").stdout)


def up(*, trigger: bool = True, parse_timeout: float = 240) -> dict[str, Any]:
    """Start everything (what runs already is kept) and return the state."""
    from devkit.elasticmq import start_elasticmq
    from devkit.services import ensure_services, remember
    from nashra.core.config import settings
    from nashra.core.lake import ensure_bucket

    state = read_state()
    if pid_alive(state.get("airflow_pid")):
        return state
    HOME.mkdir(parents=True, exist_ok=True)
    services = ensure_services()
    from devkit.fixture_web.truth import REGISTRY_PATH

    remember(lake_uri=LAKE_URI, registry=str(REGISTRY_PATH))
    with patch.dict(os.environ, services):
        ensure_bucket(LAKE_URI, settings())
    fixture_pid, proxy = _start_fixture_web(HOME / "fixture_web.log")
    queue = start_elasticmq(HOME / "elasticmq")
    api_port = free_port()
    env = airflow_env(
        services, proxy, queue.queues["nashra-raw-events"], queue.endpoint, api_port, lake_uri=LAKE_URI
    )
    log = HOME / "standalone.log"
    pid = start_standalone(env, log)
    url = f"http://127.0.0.1:{api_port}"
    state = {
        "airflow_pid": pid,
        "fixture_web_pid": fixture_pid,
        "elasticmq_pid": queue.pid,
        "url": url,
        "lake_uri": LAKE_URI,
        "log": str(log),
    }
    _write_state(state)
    _wait_http(f"{url}/api/v2/monitor/health", 180, "the Airflow api-server", log)
    create_pools(env)
    if trigger:
        deadline = time.monotonic() + parse_timeout
        dags: list[str] = []
        while time.monotonic() < deadline and not dags:
            dags = _crawl_dags(env)
            if not dags:
                time.sleep(5)
        for dag_id in dags:  # one run now; the staggered hourly schedule takes over after
            _airflow(env, "dags", "trigger", dag_id)
        state["triggered"] = dags
        _write_state(state)
    return state


def login() -> tuple[str, str] | None:
    """The admin login SimpleAuthManager generated, once the api-server wrote it."""
    try:
        users = json.loads(PASSWORDS.read_text())
    except (OSError, ValueError):
        return None
    return next(iter(users.items()), None) if isinstance(users, dict) else None


def down() -> list[str]:
    """Stop Airflow (its whole process group), the fixture web and ElasticMQ by PID."""
    state = read_state()
    stopped = []
    if stop_standalone(state.get("airflow_pid")):
        stopped.append("airflow")
    for name in ("fixture_web", "elasticmq"):
        if pid_alive(state.get(f"{name}_pid")):
            stop_pid(state[f"{name}_pid"], grace=15.0)
            stopped.append(name)
    if STATE.exists():
        STATE.unlink()
    return stopped


def status() -> dict[str, Any]:
    state = read_state()
    report: dict[str, Any] = {
        name: pid_alive(state.get(f"{name}_pid")) for name in ("airflow", "fixture_web", "elasticmq")
    }
    report["url"] = state.get("url")
    report["lake"] = state.get("lake_uri")
    credentials = login()
    report["login"] = credentials[0] if credentials else None
    if report["airflow"]:
        errors = _airflow(
            {**os.environ, "AIRFLOW_HOME": str(HOME)}, "dags", "list-import-errors", "-o", "json"
        )
        report["import_errors"] = _json_list(errors.stdout)
    return report


def reset() -> None:
    """Remove Airflow's home (metadata DB, logs): the next `up` starts from nothing."""
    if pid_alive(read_state().get("airflow_pid")):
        raise AirflowLocalError("Airflow is running: `python -m devkit airflow down` first")
    shutil.rmtree(HOME, ignore_errors=True)
