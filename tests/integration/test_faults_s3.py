"""Faults, part 4 — S3 errors and an S3 restart mid-upload, on SeaweedFS servers of this module's own
(the session's is never stopped; the restart test has one to itself), reached through a small
fault-injecting proxy on 127.0.0.1.

- Transient errors (503 SlowDown, 500 InternalError) on any request: the lake client retries and
  the whole process + index run ends on the fixture web's truth.
- Broken connections on any request: resets, stalls past the lake's S3 timeout, truncated bodies;
  every client (boto3, pyarrow, delta-rs) times out or notices and retries; the same truth.
- A part of a multipart upload that keeps failing: the writer raises and no object appears.
- The server stopped in the middle of a large upload, then restarted on the same data directory:
  the writer raises, nothing partial is visible, data written before survives, the re-run completes.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devkit.fixture_web import truth
from devkit.s3_proxy import NO_ANSWER, Fault, Injected
from devkit.s3_proxy import S3Proxy as FaultProxy
from nashra.core.lake import Lake, ensure_bucket, open_lake

pytestmark = pytest.mark.slow
OUTLETS = ("hespress_ar", "gulftimes_en", "qna_en", "peninsula_en")
BIG_REL = "raw/outlet=hespress_ar/date=2026-02-02/hespress_ar-20260202T130000Z.feed.warc.gz"
BIG_SIZE = 40 * 1024 * 1024  # several parts of a multipart upload

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
INTERNAL = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
)


@contextlib.contextmanager
def _server_behind_proxy(data_dir: Path) -> Iterator[dict[str, Any]]:
    from devkit.seaweed import start_seaweed

    server = start_seaweed(data_dir)
    proxy = FaultProxy(server.endpoint.split("//", 1)[1])
    stack = {"server": server, "proxy": proxy, "data_dir": data_dir}
    try:
        yield stack
    finally:
        proxy.stop()
        stack["server"].stop()


@pytest.fixture(scope="module")
def s3_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Shared by the tests that leave the server running."""
    with _server_behind_proxy(tmp_path_factory.mktemp("faults-s3")) as stack:
        yield stack


@pytest.fixture
def restart_stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The restart test's own server: whatever the restart leaves behind, no other test sees it."""
    with _server_behind_proxy(tmp_path / "s3") as stack:
        yield stack


@pytest.fixture(scope="module")
def raw_source(crawled_raw) -> Lake:
    """The outlets crawled once into a local lake; each test copies the raw batches to S3."""
    return crawled_raw(tuple(OUTLETS))


@pytest.fixture
def s3_lake(s3_stack: dict[str, Any], es_node, monkeypatch: pytest.MonkeyPatch) -> Lake:
    return _lake_behind(s3_stack, es_node, monkeypatch)


@pytest.fixture
def restart_lake(restart_stack: dict[str, Any], es_node, monkeypatch: pytest.MonkeyPatch) -> Lake:
    return _lake_behind(restart_stack, es_node, monkeypatch)


def _lake_behind(stack: dict[str, Any], es_node: Any, monkeypatch: pytest.MonkeyPatch) -> Lake:
    """A fresh bucket behind the proxy; ES is the session node (it is not disturbed here)."""
    server, proxy = stack["server"], stack["proxy"]
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.endpoint)
    monkeypatch.setenv("ES_URL", es_node.url)
    monkeypatch.setenv("NASHRA_INDEX_PREFIX", f"nashra-s3faults-{uuid.uuid4().hex[:6]}")
    monkeypatch.setenv("NASHRA_REGISTRY", str(truth.REGISTRY_PATH))
    uri = f"s3://nashra-faults-{uuid.uuid4().hex[:8]}/lake"
    monkeypatch.setenv("NASHRA_LAKE_URI", uri)
    ensure_bucket(uri)
    proxy.fault = lambda method, path: None
    with proxy.lock:  # the proxy outlives the test: its counts must be this test's alone
        proxy.log.clear()
        proxy.served.clear()
    return open_lake(uri)


def _copy_raw(source: Lake, target: Lake) -> None:
    for prefix in ("raw", "raw_index"):
        for rel in source.list(prefix):
            target.write_bytes(rel, source.read_bytes(rel))


def _process_index_and_check(lake: Lake) -> None:
    from nashra.core.ledger import manifest_path, raw_batches
    from nashra.stages import tasks
    from nashra.stages.index import es_client

    for outlet_id in OUTLETS:
        tasks.process(outlet_id)
        tasks.index(outlet_id)
    rows = lake.dataset("articles").to_table().to_pylist()
    expected = sorted(a.url for o in OUTLETS for a in truth.articles_of(o))
    assert sorted(r["url"] for r in rows) == expected
    assert len({r["article_id"] for r in rows}) == len(rows)
    for group in truth.WIRE_GROUPS:
        assert sum(r["dedup_status"] == "canonical" for r in rows if r["url"] in group) == 1
    quarantined = {r["url"]: r for r in lake.dataset("quarantine").to_table().to_pylist()}
    for bad in (q for q in truth.QUARANTINED if q.outlet_id in OUTLETS):
        assert bad.reason in quarantined[bad.url]["reasons"]
    for outlet_id in OUTLETS:
        for batch in raw_batches(lake, outlet_id):
            assert lake.exists(manifest_path("index", outlet_id, batch))
    es = es_client()
    prefix = os.environ["NASHRA_INDEX_PREFIX"]
    es.indices.refresh(index=prefix)
    assert es.count(index=prefix)["count"] == len(expected)
    ids = {h["_id"] for h in es.search(index=prefix, size=1000, source=False)["hits"]["hits"]}
    assert ids == {r["article_id"] for r in rows}


def test_transient_s3_errors_are_retried_and_the_run_is_complete(
    s3_lake: Lake, s3_stack: dict[str, Any], raw_source: Lake
) -> None:
    proxy: FaultProxy = s3_stack["proxy"]
    plan = {"seen": 0, "injected": 0}
    budget = 40
    lock = threading.Lock()

    def flaky(method: str, path: str) -> tuple[int, bytes] | None:
        # The first 3 requests, then every 7th, answer 503 SlowDown or 500 InternalError: at most
        # `budget` faults and never twice in a row, which the retries absorb.
        with lock:
            plan["seen"] += 1
            n = plan["seen"]
            if plan["injected"] < budget and (n <= 3 or n % 7 == 0):
                plan["injected"] += 1
                return (503, SLOW_DOWN) if n % 2 else (500, INTERNAL)
        return None

    proxy.fault = flaky
    _copy_raw(raw_source, s3_lake)
    _process_index_and_check(s3_lake)
    proxy.fault = lambda method, path: None
    assert plan["injected"] == budget  # the faults were really served, and absorbed
    assert proxy.count(lambda m, p, s: s in (500, 503)) == budget


def test_broken_connections_are_retried_and_the_run_is_complete(
    s3_lake: Lake, s3_stack: dict[str, Any], raw_source: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy: FaultProxy = s3_stack["proxy"]
    monkeypatch.setenv("NASHRA_S3_TIMEOUT_S", "1.5")
    proxy.stall_s = 45.0  # past every client's default timeout: only the lake's setting ends it
    proxy.stall_waits.clear()
    lake = open_lake(s3_lake.uri)  # with the short timeout
    budget = {Fault.RESET: 12, Fault.TRUNCATE: 12, Fault.STALL: 3}
    plan = {"seen": 0}
    lock = threading.Lock()

    def broken(method: str, path: str) -> Injected:
        # Every 6th request breaks its connection, never twice in a row; only GETs have a body
        # to cut. A reset or a stall never reaches the server (a write is never half done).
        with lock:
            plan["seen"] += 1
            if plan["seen"] % 6:
                return None
            kinds = [Fault.TRUNCATE, Fault.RESET, Fault.STALL] if method == "GET" else [Fault.RESET]
            for kind in kinds:
                if budget[kind] > 0:
                    budget[kind] -= 1
                    return kind
        return None

    proxy.fault = broken
    _copy_raw(raw_source, lake)
    _process_index_and_check(lake)
    proxy.fault = lambda method, path: None
    # Truncations count only when a body was really cut (a GET with at least two bytes).
    assert proxy.served[Fault.RESET] == 12 and proxy.served[Fault.STALL] == 3
    assert proxy.served[Fault.TRUNCATE] >= 6
    assert proxy.count(lambda m, p, s: s == NO_ANSWER) == sum(proxy.served.values())
    # Each stalled client gave up after the lake's 1.5 s, not its library's default (30-60 s).
    assert len(proxy.stall_waits) == 3 and max(proxy.stall_waits) < 10, proxy.stall_waits


def _no_object(lake: Lake, rel: str) -> None:
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.session.Session().client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"])
    bucket, key = lake.path(rel).split("/", 1)
    with pytest.raises(ClientError) as missing:
        client.head_object(Bucket=bucket, Key=key)
    assert missing.value.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound")
    listed = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert key not in listed
    assert rel not in lake.list(rel.rsplit("/", 1)[0])


def _is_part(method: str, path: str) -> bool:
    return method == "PUT" and "partNumber=" in path and "uploadId=" in path


def test_a_part_that_keeps_failing_publishes_nothing(s3_lake: Lake, s3_stack: dict[str, Any]) -> None:
    proxy: FaultProxy = s3_stack["proxy"]
    proxy.fault = lambda method, path: (500, INTERNAL) if _is_part(method, path) else None
    data = os.urandom(1024) * (BIG_SIZE // 1024)
    with pytest.raises(OSError):
        s3_lake.write_bytes(BIG_REL, data)
    proxy.fault = lambda method, path: None
    assert proxy.count(lambda m, p, s: s == 500 and _is_part(m, p)) >= 2  # it was retried
    _no_object(s3_lake, BIG_REL)
    s3_lake.write_bytes(BIG_REL, data)  # the re-run
    assert hashlib.sha256(s3_lake.read_bytes(BIG_REL)).digest() == hashlib.sha256(data).digest()


def test_s3_restarted_mid_upload(restart_lake: Lake, restart_stack: dict[str, Any], raw_source: Lake) -> None:
    from devkit.seaweed import start_seaweed

    s3_lake, s3_stack = restart_lake, restart_stack
    proxy: FaultProxy = s3_stack["proxy"]
    server = s3_stack["server"]
    _copy_raw(raw_source, s3_lake)  # data written before the restart
    data = os.urandom(1024) * (BIG_SIZE // 1024)
    in_flight = threading.Event()

    def slow_part(method: str, path: str) -> None:
        # The upload's data is on its way (a slow link): the server is stopped meanwhile.
        if _is_part(method, path) and not in_flight.is_set():
            in_flight.set()
            time.sleep(2)

    proxy.fault = slow_part
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        upload = pool.submit(s3_lake.write_bytes, BIG_REL, data)
        assert in_flight.wait(60), "the upload never started"
        server.stop()  # SIGTERM (SIGKILL after a grace period) while the part is in flight
        with pytest.raises(OSError):
            upload.result(timeout=180)
    proxy.fault = lambda method, path: None
    assert proxy.count(lambda m, p, s: s == 0) >= 1  # requests that found no server

    # Back on the same data directory, with the same keys; the proxy's address does not change.
    server = start_seaweed(s3_stack["data_dir"], credentials=(server.access_key, server.secret_key))
    s3_stack["server"] = server
    proxy.backend = server.endpoint.split("//", 1)[1]
    lake = open_lake(s3_lake.uri)
    _no_object(lake, BIG_REL)
    assert lake.list("raw") == raw_source.list("raw")  # what was there before the restart survived
    for rel in raw_source.list("raw"):
        assert lake.read_bytes(rel) == raw_source.read_bytes(rel)
    lake.write_bytes(BIG_REL, data)  # the re-run of the interrupted write
    assert hashlib.sha256(lake.read_bytes(BIG_REL)).digest() == hashlib.sha256(data).digest()
    lake.delete(BIG_REL)  # not a real batch: leave the outlet's raw area as crawled
    _process_index_and_check(lake)
