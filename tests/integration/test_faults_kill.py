"""Faults, part 2 — the process killed (SIGKILL) mid-write, on a local-directory lake and on S3
(the session's SeaweedFS): readers never see a partial file, the batch stays pending (no manifest),
and the re-run completes it. Ends on the fixture web's truth, in the lake and in Elasticsearch.

The kill is timed on real progress, not on a hook: the stage runs in a child process and is killed
as soon as its first article file is visible (mid-batch), and a large raw write is killed while its
bytes are in flight (the local temp file exists / the S3 multipart upload is open).
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow.parquet as pq
import pytest

from devkit.fixture_web import truth
from devkit.s3_proxy import Hold, S3Proxy
from nashra.core.lake import Lake, ensure_bucket, open_lake

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
OUTLETS = truth.OUTLET_IDS  # all of them: the child has several batches to get through
POLL_S = 0.005
DEADLINE_S = 120.0


@pytest.fixture(scope="module")
def raw_source(crawled_raw) -> Lake:
    """Every fixture outlet crawled once into a local lake; each test copies the raw batches."""
    return crawled_raw(tuple(OUTLETS))


def _copy_raw(source: Lake, target: Lake) -> None:
    for prefix in ("raw", "raw_index"):
        for rel in source.list(prefix):
            target.write_bytes(rel, source.read_bytes(rel))


def _child_env(lake_uri: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "NASHRA_LAKE_URI": lake_uri, "NASHRA_REGISTRY": str(truth.REGISTRY_PATH)}
    return {**env, **(extra or {})}


def _kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> float:
    """SIGKILL the child as soon as `ready()` holds; returns when it was seen (s since start)."""
    started = time.monotonic()
    while time.monotonic() - started < DEADLINE_S:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return time.monotonic() - started
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(
                f"the child finished (rc={proc.returncode}) before it could be killed:\n{out[-3000:]}"
            )
        time.sleep(POLL_S)
    proc.kill()
    proc.wait(timeout=30)
    pytest.fail("no progress seen in time")


def _spawn(code: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _assert_readers_see_only_whole_files(lake: Lake) -> None:
    """Through the table log, a reader sees whole committed files only: a commit the kill cut
    short left data files no version references (vacuum removes them later), never a torn file."""
    from nashra.core.tables import open_table

    for table in ("articles", "quarantine", "url_duplicates", "signatures", "dedup_keys"):
        delta = open_table(lake, table)
        if delta is None:
            continue
        for uri in delta.file_uris():
            path = uri.removeprefix("file://") if lake.is_local else uri.removeprefix("s3://")
            pq.read_metadata(path, filesystem=lake.fs)  # a whole file: footer and all
        delta.to_pyarrow_dataset().to_table()


def _articles(lake: Lake) -> int:
    dataset = lake.dataset("articles")
    return dataset.count_rows() if dataset is not None else 0


def _assert_truth(lake: Lake, es: Any, index: str) -> None:
    from nashra.core.ledger import manifest_path, raw_batches

    rows = lake.dataset("articles").to_table().to_pylist()
    assert sorted(r["url"] for r in rows) == sorted(a.url for a in truth.ARTICLES)
    assert len({r["article_id"] for r in rows}) == len(rows) == len(truth.ARTICLES)
    canonical = sum(r["dedup_status"] == "canonical" for r in rows)
    assert canonical == len(rows) - sum(len(g) - 1 for g in truth.WIRE_GROUPS)
    quarantined = {r["url"]: r for r in lake.dataset("quarantine").to_table().to_pylist()}
    for bad in truth.QUARANTINED:
        assert bad.reason in quarantined[bad.url]["reasons"]
    for outlet_id in OUTLETS:
        for batch in raw_batches(lake, outlet_id):
            assert lake.exists(manifest_path("process", outlet_id, batch))
            assert lake.exists(manifest_path("index", outlet_id, batch))
    es.indices.refresh(index=index)
    assert es.count(index=index)["count"] == len(truth.ARTICLES)
    ids = {h["_id"] for h in es.search(index=index, size=1000, source=False)["hits"]["hits"]}
    assert ids == {r["article_id"] for r in rows}


PROCESS_ALL = "from nashra.stages import tasks\nfor o in {outlets!r}:\n    tasks.process(o)\n"


def _kill_the_process_stage_mid_batch(lake: Lake, env: dict[str, str]) -> None:
    from nashra.core.ledger import pending_batches

    assert sum(len(pending_batches(lake, o, "process")) for o in OUTLETS) == len(OUTLETS)
    child = _spawn(PROCESS_ALL.format(outlets=OUTLETS), env)
    _kill_when(child, lambda: bool(lake.list("articles", ".parquet")))
    _assert_readers_see_only_whole_files(lake)
    pending = sum(len(pending_batches(lake, o, "process")) for o in OUTLETS)
    assert pending >= 1  # killed before the end: the batch it was in has no manifest
    assert _articles(lake) < len(truth.ARTICLES)


def _rerun_and_index(lake: Lake, env: dict[str, str], es: Any, index: str) -> None:
    rerun = subprocess.run(
        [sys.executable, "-c", PROCESS_ALL.format(outlets=OUTLETS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    from nashra.stages import tasks

    for outlet_id in OUTLETS:
        tasks.index(outlet_id)
    _assert_readers_see_only_whole_files(lake)
    _assert_truth(lake, es, index)


BIG_WRITE = (
    "import os\nfrom nashra.core.lake import open_lake\n"
    "open_lake(os.environ['NASHRA_LAKE_URI']).write_bytes({rel!r}, bytes.fromhex(os.environ['SEED']) * {n})\n"
)
BIG_REL = "raw/outlet=hespress_ar/date=2026-02-02/hespress_ar-big.feed.warc.gz"
BIG_N = 3 * 1024 * 1024  # x 16 bytes = 48 MiB: a multipart upload on S3


def _big_write(lake: Lake, env: dict[str, str], in_flight: Callable[[], bool]) -> None:
    """Kill a 48 MiB raw write while its bytes are in flight; nothing is visible; a re-run writes it."""
    seed = os.urandom(16)
    env = {**env, "SEED": seed.hex()}
    code = BIG_WRITE.format(rel=BIG_REL, n=BIG_N)
    _kill_when(_spawn(code, env), in_flight)
    assert not lake.exists(BIG_REL)
    assert BIG_REL not in lake.list("raw")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with lake.fs.open_input_stream(lake.path(BIG_REL), compression=None) as src:
        digest = hashlib.sha256(src.read()).hexdigest()
    assert digest == hashlib.sha256(seed * BIG_N).hexdigest()
    lake.delete(BIG_REL)


@pytest.fixture
def es_index(es_node, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    from nashra.stages.index import es_client

    prefix = f"nashra-kill-{uuid.uuid4().hex[:6]}"
    monkeypatch.setenv("ES_URL", es_node.url)
    monkeypatch.setenv("NASHRA_INDEX_PREFIX", prefix)
    monkeypatch.setenv("NASHRA_REGISTRY", str(truth.REGISTRY_PATH))
    yield es_client(), prefix


def test_process_killed_mid_write_on_a_local_lake(
    raw_source: Lake, es_index: tuple[Any, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    es, prefix = es_index
    lake_dir = tmp_path / "lake"
    monkeypatch.setenv("NASHRA_LAKE_URI", str(lake_dir))
    lake = open_lake(str(lake_dir))
    _copy_raw(raw_source, lake)
    env = _child_env(str(lake_dir))

    def temp_file_growing() -> bool:
        parent = lake_dir / BIG_REL.rsplit("/", 1)[0]
        return any(p.name.startswith(".tmp-") and p.stat().st_size > 0 for p in parent.glob(".tmp-*"))

    _big_write(lake, env, temp_file_growing)
    # The killed writer's temp file stays behind (nobody renamed or removed it), invisible to readers.
    leftovers = list((lake_dir / BIG_REL.rsplit("/", 1)[0]).glob(".tmp-*"))
    assert leftovers and not any(".tmp-" in rel for rel in lake.list(""))

    _kill_the_process_stage_mid_batch(lake, env)
    _rerun_and_index(lake, env, es, prefix)


def test_process_killed_mid_write_on_s3(
    raw_source: Lake, es_index: tuple[Any, str], s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    es, prefix = es_index
    bucket = f"nashra-kill-{uuid.uuid4().hex[:8]}"
    uri = f"s3://{bucket}/lake"
    ensure_bucket(uri)
    monkeypatch.setenv("NASHRA_LAKE_URI", uri)
    lake = open_lake(uri)
    _copy_raw(raw_source, lake)
    env = _child_env(uri)
    client = boto3.session.Session().client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL_S3"])

    def upload_open() -> bool:
        return bool(client.list_multipart_uploads(Bucket=bucket).get("Uploads"))

    _big_write(lake, env, upload_open)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert not any(k.endswith("hespress_ar-big.feed.warc.gz") for k in keys)

    _kill_the_process_stage_mid_batch(lake, env)
    for rel in lake.list("articles"):  # every listed object answers HEAD and has a parquet footer
        client.head_object(Bucket=bucket, Key=lake.path(rel).split("/", 1)[1])
    _rerun_and_index(lake, env, es, prefix)


# -- Kills timed on a request held in flight (a slow link), through the S3 fault proxy ----------------
# Polling for a file cannot catch the instant between a data file and its commit; holding the
# request can: the child is killed while the proxy holds it, then the request is dropped (it never
# lands) or delivered (it lands after its writer died, as a slow network can do).


@pytest.fixture
def proxied_lake(
    s3, s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Lake, S3Proxy, dict[str, str]]]:
    proxy = S3Proxy(s3.endpoint.split("//", 1)[1])
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.endpoint)
    monkeypatch.setenv("NASHRA_REGISTRY", str(truth.REGISTRY_PATH))
    uri = f"s3://nashra-hold-{uuid.uuid4().hex[:8]}/lake"
    monkeypatch.setenv("NASHRA_LAKE_URI", uri)
    ensure_bucket(uri)
    try:
        yield open_lake(uri), proxy, {**os.environ}
    finally:
        proxy.stop()


def _kill_while_held(proc: subprocess.Popen[bytes], hold: Hold, deliver: bool) -> None:
    held = hold.held.wait(DEADLINE_S)
    if not held:
        proc.kill()
        out = proc.communicate(timeout=30)[0].decode(errors="replace")
        pytest.fail(f"the request was never seen (rc={proc.returncode}):\n{out[-3000:]}")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    hold.release(deliver)
    time.sleep(0.5)  # the delivered request reaches the server


def _outlet_rows(lake: Lake, table: str, outlet_id: str) -> list[dict[str, Any]]:
    import pyarrow.compute as pc

    dataset = lake.dataset(table)
    if dataset is None:
        return []
    return dataset.to_table(filter=pc.field("outlet_id") == outlet_id).to_pylist()


@pytest.mark.parametrize("commit", ["lost", "landed"])
def test_process_killed_while_its_articles_commit_is_in_flight(
    raw_source: Lake,
    es_index: tuple[Any, str],
    proxied_lake: tuple[Lake, S3Proxy, dict[str, str]],
    commit: str,
) -> None:
    """The batch whose articles commit is in flight has no manifest when the stage dies, whether
    the commit is lost or lands after the kill; the batches before it are whole; the re-run
    completes it exactly once (a landed commit is replaced, not added to)."""
    from nashra.core.ledger import manifest_path, raw_batches

    es, prefix = es_index
    lake, proxy, env = proxied_lake
    _copy_raw(raw_source, lake)
    data_files: list[str] = []

    def articles_commit(method: str, path: str) -> bool:
        path = unquote(path)  # object stores escape the partition's "="
        if method == "PUT" and "/articles/outlet_id=" in path:
            data_files.append(path)  # a data file: the commit that follows is the batch's
        return method == "PUT" and "/articles/_delta_log/" in path and bool(data_files)

    hold = Hold(articles_commit)
    proxy.fault = hold
    child = _spawn(PROCESS_ALL.format(outlets=OUTLETS), env)
    _kill_while_held(child, hold, deliver=commit == "landed")
    proxy.fault = lambda method, path: None
    cut = data_files[0].split("outlet_id=", 1)[1].split("/", 1)[0]
    assert cut in OUTLETS, data_files
    (batch,) = raw_batches(lake, cut)
    assert not lake.exists(manifest_path("process", cut, batch)), "a manifest for a batch cut short"
    stored = _outlet_rows(lake, "articles", cut)
    expected = sorted(a.url for a in truth.articles_of(cut))
    assert sorted(r["url"] for r in stored) == (expected if commit == "landed" else [])
    for outlet_id in OUTLETS[: OUTLETS.index(cut)]:  # processed before the cut: whole
        (done,) = raw_batches(lake, outlet_id)
        assert lake.exists(manifest_path("process", outlet_id, done))
        urls = sorted(r["url"] for r in _outlet_rows(lake, "articles", outlet_id))
        assert urls == sorted(a.url for a in truth.articles_of(outlet_id))
    _assert_readers_see_only_whole_files(lake)
    _rerun_and_index(lake, env, es, prefix)


def test_crawl_child_killed_while_its_warc_is_in_flight(
    fixture_web: Any, proxied_lake: tuple[Lake, S3Proxy, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL the crawl's child process while its WARC file is on its way to S3: no WARC, no
    fetched-URL rows and no batch for the process stage; the retried crawl (same batch id, as an
    Airflow retry) archives the whole batch and the process stage stores the outlet's truth."""
    import warcio

    from nashra.core.ledger import pending_batches, raw_batches
    from nashra.stages import tasks
    from tests.support import use_fixture_web

    lake, proxy, _ = proxied_lake
    use_fixture_web(monkeypatch, fixture_web, lake_uri=lake.uri)
    env = {**os.environ}
    outlet_id, batch_id = "hespress_ar", "hespress_ar-20260202T150000Z"
    hold = Hold(lambda method, path: method == "PUT" and path.split("?", 1)[0].endswith(".warc.gz"))
    proxy.fault = hold
    report = Path(env.get("TMPDIR", "/tmp")) / f"crawl-{uuid.uuid4().hex}.json"
    argv = ["-m", "spiders.crawl", "--outlet", outlet_id, "--batch", batch_id]
    argv += ["--today", truth.REFERENCE_NOW.date().isoformat(), "--report", str(report)]
    child = subprocess.Popen(
        [sys.executable, *argv], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    _kill_while_held(child, hold, deliver=False)
    proxy.fault = lambda method, path: None
    assert raw_batches(lake, outlet_id) == {}
    assert _outlet_rows(lake, "fetched", outlet_id) == []
    assert pending_batches(lake, outlet_id, "process") == []

    retry = subprocess.run([sys.executable, *argv], cwd=REPO, env=env, capture_output=True, timeout=300)
    assert retry.returncode == 0, retry.stdout[-3000:] + retry.stderr[-3000:]
    (files,) = raw_batches(lake, outlet_id).values()
    archived = set()
    for rel in files:  # whole WARC files: every record reads to its end
        for record in warcio.ArchiveIterator(io.BytesIO(lake.read_bytes(rel))):
            if record.rec_type == "response":
                archived.add(record.rec_headers.get_header("WARC-Target-URI"))
                record.content_stream().read()
    fetched = _outlet_rows(lake, "fetched", outlet_id)
    assert {r["url"] for r in fetched if r["status"] == 200} <= archived
    assert {r["batch_id"] for r in fetched} == {batch_id}
    tasks.process(outlet_id)
    urls = sorted(r["url"] for r in _outlet_rows(lake, "articles", outlet_id))
    assert urls == sorted(a.url for a in truth.articles_of(outlet_id))
