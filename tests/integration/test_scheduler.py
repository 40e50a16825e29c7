"""The pipeline under the real Airflow scheduler (`airflow standalone`: api-server, scheduler,
dag-processor, triggerer, LocalExecutor on SQLite), not `dag.test()`. One Airflow for the module
(it takes a minute to start), five outlets, each a scenario, all in flight at once:

- qna_en, from its schedule: the crawl DAG runs every minute, its asset event triggers process,
  whose event triggers index, and the articles become searchable;
- gulftimes_en, killed: its process task is caught between two S3 requests (the S3 fault proxy
  holds its first articles write), the whole Airflow (scheduler, workers, the task) is SIGKILLed,
  and restarted on the same metadata database: the task's heartbeat times out, its retry takes
  the batch's claim over, and the batch is processed and indexed exactly once;
- peninsula_en, two orchestrators: its batch is handed at once to the per-outlet process DAG, the
  inbox DAG (conf in the S3 event's shape) and the sweep: processed once;
- h24info_fr, failing: S3 refuses its articles writes (403), the process task retries with its
  back-off, then fails, and the failure callback names the outlet in the task's log;
- hespress_ar, from an outside producer: a raw batch written into the bucket and the S3
  notification posted to ElasticMQ reach search through the AssetWatcher in the triggerer.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch
from urllib.parse import quote, unquote

import pytest
import yaml

from devkit import airflow_local
from devkit.fixture_web import truth
from devkit.ports import free_port
from devkit.s3_proxy import Hold, S3Proxy
from tests.support import s3_event

pytestmark = pytest.mark.slow
SCHEDULED, KILLED, BOTH, FAILING, PRODUCED = (
    "qna_en",
    "gulftimes_en",
    "peninsula_en",
    "h24info_fr",
    "hespress_ar",
)
# Batches the test writes itself: the fixture outlets crawled once as of the fixture day (the
# same outlet set as the S3 fault tests, so the session crawls them once).
COPIED = ("hespress_ar", "gulftimes_en", "qna_en", "peninsula_en")
NEVER = "0 0 29 2 *"  # leap days only: no scheduled crawl falls inside the test (2026-2027)
RETRY_DELAY_S = 4
DEADLINE_S = 540
ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message></Error>"
)


def _registry(tmp_path: Path) -> Path:
    registry = yaml.safe_load(truth.REGISTRY_PATH.read_text(encoding="utf-8"))
    wanted = {SCHEDULED, KILLED, BOTH, FAILING, PRODUCED}
    for outlet in registry["outlets"]:
        outlet["enabled"] = outlet["id"] in wanted
        outlet["schedule"] = "* * * * *" if outlet["id"] == SCHEDULED else NEVER
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    return path


class Api:
    """Airflow's REST API (v2). The test's Airflow makes everyone admin, so no token is needed."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}/api/v2"

    def call(self, path: str, body: dict[str, Any] | None = None, method: str | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method or ("POST" if data else "GET")
        )
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        try:
            return self.call(f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]
        except (urllib.error.URLError, OSError):
            return []  # restarting, or the DAG is not parsed yet

    def trigger(self, dag_id: str, logical_date: datetime | None, conf: dict | None = None) -> str:
        body = {"logical_date": logical_date.isoformat() if logical_date else None, "conf": conf or {}}
        return self.call(f"/dags/{dag_id}/dagRuns", body)["dag_run_id"]

    def tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict[str, Any]]:
        path = f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/tries"
        return self.call(path)["task_instances"]


class Standalone:
    def __init__(self, env: dict[str, str], home: Path, api_port: int) -> None:
        self.env, self.home, self.api_port = env, home, api_port
        self.log = home.parent / "standalone.log"
        self.pid: int | None = None

    def start(self) -> None:
        self.pid = airflow_local.start_standalone(self.env, self.log)
        health = f"http://127.0.0.1:{self.api_port}/api/v2/monitor/health"
        airflow_local._wait_http(health, 180, "the Airflow api-server", self.log)

    def kill(self) -> None:
        """SIGKILL, no goodbye, to every process of this Airflow: its process group (standalone
        starts it in a session of its own) and any descendant that left the group. Found by
        group and parentage: most Airflow processes rename themselves (setproctitle), which
        blanks what /proc shows of their environment."""
        import psutil

        if self.pid is None:
            return
        try:
            mine = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            mine = []
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        for proc in mine:
            with contextlib.suppress(psutil.Error):
                proc.send_signal(signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)  # the leader is our child: reap it
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_running(p) for p in mine):
            time.sleep(0.2)  # orphans are re-parented to an init that may never reap them

    def stop(self) -> None:
        airflow_local.stop_standalone(self.pid)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _running(proc: Any) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from devkit.elasticmq import start_elasticmq

    server = start_elasticmq(tmp_path_factory.mktemp("sched-elasticmq"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def airflow(s3, es_node, fixture_web, queue, crawled_raw, tmp_path_factory) -> Iterator[dict[str, Any]]:
    from nashra.core.config import settings
    from nashra.core.lake import ensure_bucket, open_lake

    work = tmp_path_factory.mktemp("scheduler")
    tag = uuid.uuid4().hex[:8]
    lake_uri, prefix = f"s3://nashra-sched-{tag}/lake", f"nashra-sched-{tag}"
    with patch.dict("os.environ", s3.env()):
        ensure_bucket(lake_uri, settings())
        lake = open_lake(lake_uri, settings())
    raw = crawled_raw(COPIED)  # before Airflow starts: the crawls would compete for the 2 cores
    failing_raw = crawled_raw((FAILING,))
    proxy = S3Proxy(s3.endpoint.split("//", 1)[1])
    api_port = free_port()
    home = work / "airflow"
    home.mkdir()
    env = airflow_local.airflow_env(
        {**s3.env(), "AWS_ENDPOINT_URL_S3": proxy.endpoint, "ES_URL": es_node.url},
        fixture_web.proxy_url,
        queue.queues["nashra-raw-events"],
        queue.endpoint,
        api_port,
        home=home,
        registry=_registry(work),
        lake_uri=lake_uri,
    )
    env |= {
        "NASHRA_INDEX_PREFIX": prefix,
        "NASHRA_TASK_RETRIES": "2",
        "NASHRA_TASK_RETRY_DELAY_S": str(RETRY_DELAY_S),
        "NASHRA_SWEEP_SCHEDULE": NEVER,  # the test triggers the sweep itself
        "NASHRA_MAINTENANCE_SCHEDULE": NEVER,  # its reconciliation would process every batch
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        # A killed task is noticed in seconds, not the default 5 minutes.
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        # ... and the dead scheduler's queued tasks are reset in seconds too (default: 5 minutes).
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "15",
        "AIRFLOW__SCHEDULER__ORPHANED_TASKS_CHECK_INTERVAL": "10",
    }
    for name in ("NASHRA_LINEAGE_LAKE_URI", "NASHRA_LINEAGE_INDEX_URI"):
        env.pop(name, None)  # a database of its own: the assets' real storage URIs
    airflow = Standalone(env, home, api_port)
    airflow.start()
    try:
        airflow_local.create_pools(env)  # process and index wait for their pools until then
        yield {
            "airflow": airflow,
            "api": Api(api_port),
            "proxy": proxy,
            "lake": lake,
            "lake_uri": lake_uri,
            "raw": raw,
            "failing_raw": failing_raw,
            "prefix": prefix,
            "es_url": es_node.url,
            "queue": queue,
            "s3_env": s3.env(),
        }
    finally:
        airflow.stop()
        proxy.stop()


def _copy_batch(source: Any, target: Any, outlet_id: str) -> str:
    """The outlet's raw batch (WARC and its index), as a producer writes it; returns the WARC key."""
    warc = ""
    for prefix in ("raw", "raw_index"):
        for rel in source.list(f"{prefix}/outlet={outlet_id}"):
            target.write_bytes(rel, source.read_bytes(rel))
            warc = rel if rel.endswith(".warc.gz") else warc
    assert warc, f"no raw batch of {outlet_id}"
    return warc


def _wait(what: str, check: Any, airflow: Standalone, timeout: float = DEADLINE_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(3)
    pytest.fail(f"{what}: not within {timeout:.0f}s\n{airflow.tail()}")


def _done(api: Api, dag_id: str, run_id: str | None = None, kind: str | None = None) -> list[dict]:
    """The successful runs of the DAG (that run, or runs of that type); fails on a failed one."""
    runs = [r for r in api.runs(dag_id) if run_id in (None, r["dag_run_id"])]
    runs = [r for r in runs if kind in (None, r["run_type"])]
    failed = [r["dag_run_id"] for r in runs if r["state"] == "failed"]
    assert not failed, f"{dag_id}: failed runs {failed}"
    return [r for r in runs if r["state"] == "success"]


def test_scenarios_under_one_scheduler_with_a_sigkill_in_the_middle(
    airflow: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nashra.core.ledger import manifest_path, raw_batches

    for name, value in airflow["s3_env"].items():  # the test reads the lake directly, not by the proxy
        monkeypatch.setenv(name, value)

    api, proxy, lake, raw = airflow["api"], airflow["proxy"], airflow["lake"], airflow["raw"]
    standalone: Standalone = airflow["airflow"]
    bucket = airflow["lake_uri"].removeprefix("s3://").split("/", 1)[0]
    _wait("the DAGs parsed", lambda: _parsed(api), standalone)

    # The killed outlet: its process task is held on its first articles write.
    def articles_write(method: str, path: str) -> bool:
        return method == "PUT" and f"/articles/outlet_id={KILLED}/" in unquote(path)

    hold = Hold(articles_write)

    def refuse_failing(method: str, path: str) -> Any:
        if method in ("PUT", "POST") and f"/articles/outlet_id={FAILING}/" in unquote(path):
            return (403, ACCESS_DENIED)
        return hold(method, path)

    proxy.fault = refuse_failing
    for outlet_id in (KILLED, BOTH):
        _copy_batch(raw, lake, outlet_id)
    killed_run = api.trigger(f"nashra_process__{KILLED}", truth.REFERENCE_NOW)
    event = {"message_batch": [{"Body": s3_event(bucket, _object_key(lake, _warc_of(lake, BOTH)))}]}
    both_runs = {
        f"nashra_process__{BOTH}": api.trigger(f"nashra_process__{BOTH}", truth.REFERENCE_NOW),
        "nashra_inbox": api.trigger("nashra_inbox", None, event),
        "nashra_sweep": api.trigger("nashra_sweep", truth.REFERENCE_NOW),
    }

    assert hold.held.wait(DEADLINE_S), f"the held write never came\n{standalone.tail()}"
    standalone.kill()
    hold.release(deliver=False)  # the write dies with its writer
    standalone.start()

    # The outside producer, after the restart: a fresh triggerer reads the queue.
    key = _object_key(lake, _copy_batch(raw, lake, PRODUCED))
    sent_at = time.time()
    queue_url = airflow["queue"].queues["nashra-raw-events"]
    _sqs(airflow).send_message(QueueUrl=queue_url, MessageBody=s3_event(bucket, key))

    _wait(
        f"{KILLED} processed after the kill",
        lambda: _done(api, f"nashra_process__{KILLED}", killed_run),
        standalone,
    )
    tries = api.tries(f"nashra_process__{KILLED}", killed_run, "process")
    summary = [(t["try_number"], t["state"], t["start_date"], t["end_date"]) for t in tries]
    assert len(tries) >= 2 and tries[-1]["state"] == "success", summary
    for dag_id, run_id in both_runs.items():
        _wait(f"{dag_id} on {BOTH}'s batch", lambda d=dag_id, r=run_id: _done(api, d, r), standalone)
    # Once the sweep is over (it would pick the batch up too): a batch whose articles S3 refuses.
    _copy_batch(airflow["failing_raw"], lake, FAILING)
    failing_run = api.trigger(f"nashra_process__{FAILING}", truth.REFERENCE_NOW)
    _wait("the inbox run of the S3 event", lambda: _inbox_ran_after(api, sent_at), standalone)
    for stage in ("crawl", "process", "index"):
        kind = "scheduled" if stage == "crawl" else "asset_triggered"
        _wait(
            f"{SCHEDULED} {stage}",
            lambda s=stage, k=kind: _done(api, f"nashra_{s}__{SCHEDULED}", kind=k),
            standalone,
        )
    # The asset events carry what the stage did: which batch, how many pages and rows.
    events = api.call(f"/assets/events?source_dag_id=nashra_process__{SCHEDULED}&limit=50")["asset_events"]
    extras = [e.get("extra") or {} for e in events]
    assert any(
        x.get("outlet_id") == SCHEDULED and x.get("batches") and x.get("pages", 0) >= x.get("stored", 0) > 0
        for x in extras
    ), extras
    for outlet_id in (KILLED, BOTH):
        _wait(
            f"{outlet_id} indexed",
            lambda o=outlet_id: _done(api, f"nashra_index__{o}", kind="asset_triggered"),
            standalone,
        )
    failing = _wait(
        "the failing process to give up",
        lambda: _ended(api, f"nashra_process__{FAILING}", failing_run),
        standalone,
    )

    # Exactly once: every article of each batch stored once, one process manifest per batch.
    for outlet_id in (KILLED, BOTH, PRODUCED):
        rows = _rows(lake, outlet_id)
        assert sorted(r["url"] for r in rows) == sorted(a.url for a in truth.articles_of(outlet_id)), (
            outlet_id
        )
        assert len({r["article_id"] for r in rows}) == len(rows)
        for batch in raw_batches(lake, outlet_id):
            assert lake.exists(manifest_path("process", outlet_id, batch)), (outlet_id, batch)
    _assert_searchable(airflow, (SCHEDULED, KILLED, BOTH, PRODUCED))

    # The failing process: retried with its back-off, then failed; the callback named the outlet.
    assert failing["state"] == "failed"
    tries = api.tries(f"nashra_process__{FAILING}", failing_run, "process")
    assert len(tries) == 3 and all(t["state"] == "failed" for t in tries), tries
    gaps = [
        _at(later["start_date"]) - _at(earlier["end_date"])
        for earlier, later in itertools.pairwise(tries)
        if earlier.get("end_date") and later.get("start_date")
    ]
    # Exponential: the n-th retry waits at least retry_delay * 2^(n-1).
    assert len(gaps) == 2 and gaps[0] >= RETRY_DELAY_S and gaps[1] >= 2 * RETRY_DELAY_S, gaps
    log = _task_log(standalone.home, f"nashra_process__{FAILING}", failing_run, len(tries))
    failures = [
        json.loads(event.removeprefix("nashra task.failed "))
        for event in _log_events(log)
        if event.startswith("nashra task.failed ")
    ]
    assert [f["outlet"] for f in failures] == [FAILING], log[-3000:]
    assert "AccessDenied" in failures[0]["error"] and failures[0]["try_number"] == len(tries)
    _assert_lineage(standalone.home / "openlineage.jsonl", airflow["lake_uri"])


def _parsed(api: Api) -> bool:
    try:
        dags = api.call("/dags?dag_id_pattern=nashra&limit=200")["dags"]
    except (urllib.error.URLError, OSError):
        return False
    wanted = {f"nashra_process__{KILLED}", f"nashra_process__{FAILING}", "nashra_inbox", "nashra_sweep"}
    return wanted <= {d["dag_id"] for d in dags}


def _object_key(lake: Any, rel: str) -> str:
    """The key in the bucket of a lake path (the lake may live under a prefix)."""
    under = lake.uri.removeprefix("s3://").split("/", 1)[1:]
    return "/".join([*under, rel])


def _warc_of(lake: Any, outlet_id: str) -> str:
    (key,) = lake.list(f"raw/outlet={outlet_id}", ".warc.gz")
    return key


def _sqs(airflow: dict[str, Any]) -> Any:
    import boto3

    return boto3.client("sqs", endpoint_url=airflow["queue"].endpoint, region_name="us-east-1")


def _inbox_ran_after(api: Api, sent_at: float) -> bool:
    runs = _done(api, "nashra_inbox", kind="asset_triggered")
    return any(_at(r["run_after"]) >= sent_at - 1 for r in runs)


def _ended(api: Api, dag_id: str, run_id: str) -> dict[str, Any] | None:
    run = next((r for r in api.runs(dag_id) if r["dag_run_id"] == run_id), None)
    return run if run and run["state"] in ("success", "failed") else None


def _at(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _rows(lake: Any, outlet_id: str) -> list[dict[str, Any]]:
    import pyarrow.compute as pc

    return lake.dataset("articles").to_table(filter=pc.field("outlet_id") == outlet_id).to_pylist()


def _task_log(home: Path, dag_id: str, run_id: str, attempt: int) -> str:
    folder = home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / "task_id=process"
    path = folder / f"attempt={attempt}.log"
    assert path.exists(), sorted(p.name for p in folder.glob("*")) if folder.exists() else folder
    return path.read_text(errors="replace")


def _log_events(log: str) -> list[str]:
    """The messages of a task log (JSON lines, one object each)."""
    events = []
    for line in log.splitlines():
        with contextlib.suppress(ValueError):
            events.append(str(json.loads(line).get("event", "")))
    return events


def _assert_searchable(airflow: dict[str, Any], outlets: tuple[str, ...]) -> None:
    from elasticsearch import Elasticsearch

    es, prefix = Elasticsearch(airflow["es_url"]), airflow["prefix"]
    es.indices.refresh(index=prefix)
    hits = es.search(index=prefix, size=1000, source=["url", "outlet_id"])["hits"]["hits"]
    for outlet_id in outlets:
        indexed = sorted(h["_source"]["url"] for h in hits if h["_source"]["outlet_id"] == outlet_id)
        assert indexed == sorted({a.url for a in truth.articles_of(outlet_id)}), outlet_id


def _assert_lineage(events_file: Path, lake_uri: str) -> None:
    """OpenLineage run events from the real task runner: the process task read the outlet's raw
    archive and wrote its articles partition, both named by their S3 location."""
    events = [json.loads(line) for line in events_file.read_text().splitlines() if line.strip()]
    done = [
        e
        for e in events
        if e.get("eventType") == "COMPLETE" and e["job"]["name"] == f"nashra_process__{SCHEDULED}.process"
    ]
    assert done, sorted({(e.get("eventType"), e["job"]["name"]) for e in events})
    bucket, prefix = lake_uri.removeprefix("s3://").split("/", 1)
    datasets = {
        side: {(d["namespace"], d["name"]) for e in done for d in e.get(side, [])}
        for side in ("inputs", "outputs")
    }
    assert (f"s3://{bucket}", f"{prefix}/raw/outlet={SCHEDULED}") in datasets["inputs"], datasets
    assert (f"s3://{bucket}", f"{prefix}/articles/outlet_id={SCHEDULED}") in datasets["outputs"], datasets
