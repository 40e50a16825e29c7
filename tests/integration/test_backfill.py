"""Backfill from a CC-NEWS-shaped archive (devkit/cc_news.py), offline: a local path and a tiny
HTTP server with range support (and resets, 5xx, missing files on demand) stand in for
data.commoncrawl.org; the lake is a local directory, the registry the fixture registry."""

from __future__ import annotations

import gzip
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from devkit import cc_news
from devkit.fixture_web import truth
from nashra.cli.main import main
from nashra.core.lake import open_lake
from nashra.core.warc import read_pages
from nashra.ops import backfill
from nashra.ops.backfill_state import state_path

FILE_PATH = f"{cc_news.MONTH_DIR}/{cc_news.FILE_NAME}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        path = self.path.lstrip("/")
        self.server.requests.append((path, self.headers.get("Range")))
        if self.server.failures.get(path, 0) > 0:
            self.server.failures[path] -= 1
            self.send_error(503, "busy")
            return
        target = self.server.root / path
        if not target.is_file():
            self.send_error(404, "no such file")
            return
        data = target.read_bytes()
        start = 0
        wanted = self.headers.get("Range")
        if wanted:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        cut = self.server.resets.get(path)
        if cut:  # a connection that drops: part of the body, then the socket closes
            self.server.resets[path] = []
            self.wfile.write(data[start : start + cut.pop(0)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data[start:])

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    root: Path
    requests: list[tuple[str, str | None]]
    resets: dict[str, list[int]]
    failures: dict[str, int]


@pytest.fixture
def source(tmp_path: Path) -> Iterator[_Server]:
    """The archive's files under a root, served over HTTP: server.url is the --source base."""
    root = tmp_path / "archive"
    server = _Server(("127.0.0.1", 0), _Handler)
    server.root, server.requests, server.resets, server.failures = root, [], {}, {}
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def expected(source: _Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> cc_news.Expected:
    """The archive written, a fresh local lake, the fixture registry with an article pattern."""
    _, want = cc_news.write_archive(source.root)
    registry = yaml.safe_load(truth.REGISTRY_PATH.read_text(encoding="utf-8"))
    for outlet in registry["outlets"]:
        outlet["article_url_pattern"] = cc_news.ARTICLE_PATTERNS.get(outlet["id"])
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("NASHRA_REGISTRY", str(path))
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path / "lake"))
    monkeypatch.setattr(backfill, "MAX_RECORD_BYTES", 200_000)  # the oversize record is 300 kB
    monkeypatch.setattr(backfill, "RESUME_DELAY_S", 0.0)
    return want


def _kept(want: cc_news.Expected) -> dict[str, int]:
    return {outlet: len(pages) for outlet, pages in want.kept.items()}


def _raw_pages(tmp_path: Path) -> dict[str, list[tuple[str, object, str]]]:
    lake = open_lake(str(tmp_path / "lake"))
    out: dict[str, list[tuple[str, object, str]]] = {}
    for rel in lake.list("raw", ".warc.gz"):
        for page, _ in read_pages(io.BytesIO(lake.read_bytes(rel))):
            out.setdefault(page.outlet_id, []).append((page.url, page.fetched_at, page.discovery))
    return out


def _table(tmp_path: Path, name: str) -> list[dict]:
    dataset = open_lake(str(tmp_path / "lake")).dataset(name)
    return dataset.to_table().to_pylist() if dataset is not None else []


def test_a_month_over_http_lands_as_raw_batches_then_articles_and_a_second_run_adds_nothing(
    source: _Server, expected: cc_news.Expected, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["backfill", "--since", "2026-02", "--source", source.url, "--process", "--json"])  # type: ignore[attr-defined]
    (row,) = json.loads(capsys.readouterr().out)
    assert code == 0, row
    assert row["status"] == "done" and row["read"] == expected.read, row
    assert row["kept"] == _kept(expected) and row["skipped"] == dict(expected.skipped)

    # Raw batches of the right outlets, fetched at their WARC-Date, discovered by cc-news.
    raw = _raw_pages(tmp_path)
    assert {o: sorted((u, t) for u, t, _ in pages) for o, pages in raw.items()} == {
        o: sorted(pages) for o, pages in expected.kept.items()
    }
    assert {d for pages in raw.values() for _, _, d in pages} == {"cc-news"}

    # The process stage made them articles of their outlets (windows-1256 Arabic read right).
    articles = {a["url"]: a for a in _table(tmp_path, "articles")}
    for outlet_id, pages in expected.kept.items():
        for url, when in pages:
            assert articles[url]["outlet_id"] == outlet_id
            assert articles[url]["fetched_at"] == when
            assert articles[url]["discovery"] == "cc-news"
    (aljazeera,) = truth.articles_of("aljazeera_ar")
    assert articles[aljazeera.url]["title"] == aljazeera.title
    fetched = _table(tmp_path, "fetched")

    # A second run finds the file done: no new record read, no row added anywhere.
    assert main(["backfill", "--since", "2026-02", "--source", source.url, "--process", "--json"]) == 0  # type: ignore[attr-defined]
    (again,) = json.loads(capsys.readouterr().out)
    assert again["status"] == "skipped" and again["mb_read"] == 0
    assert len(_table(tmp_path, "articles")) == len(articles)
    assert len(_table(tmp_path, "fetched")) == len(fetched)


def test_a_file_read_again_replaces_its_batches_and_never_adds(
    source: _Server, expected: cc_news.Expected, tmp_path: Path
) -> None:
    local = str(source.root / FILE_PATH)
    first = backfill.backfill_file(local)
    lake = open_lake(str(tmp_path / "lake"))
    lake.delete(state_path(local))  # as if the state were lost: the file is read again
    second = backfill.backfill_file(local)
    assert first.batches == second.batches and second.status == "done"
    rows = _table(tmp_path, "fetched")
    assert len(rows) == sum(_kept(expected).values())
    assert len({(r["outlet_id"], r["url"]) for r in rows}) == len(rows)


def test_a_connection_reset_mid_stream_resumes_with_a_range_read_at_a_record_boundary(
    source: _Server, expected: cc_news.Expected
) -> None:
    size = (source.root / FILE_PATH).stat().st_size
    source.resets[FILE_PATH] = [size // 2]
    report = backfill.backfill_file(source.url + FILE_PATH)  # type: ignore[attr-defined]
    assert report.resumes == 1 and report.read == expected.read
    assert report.kept == _kept(expected) and report.skipped == dict(expected.skipped)
    ranges = [r for p, r in source.requests if p == FILE_PATH and r]
    (resumed_at,) = [int(r.removeprefix("bytes=").rstrip("-")) for r in ranges]
    assert 0 < resumed_at <= size // 2
    # The range starts a gzip member: a record boundary, not the byte where the stream broke.
    assert (source.root / FILE_PATH).read_bytes()[resumed_at : resumed_at + 3] == b"\x1f\x8b\x08"


def test_a_killed_task_resumes_from_its_last_checkpoint(
    source: _Server, expected: cc_news.Expected, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backfill, "CHECKPOINT_BYTES", 4000)

    class Killed(Exception):
        pass

    def kill_midway(state: backfill.FileState, offset: int) -> None:
        if state.counts.read >= 25:
            raise Killed

    local = str(source.root / FILE_PATH)
    with pytest.raises(Killed):
        backfill.backfill_file(local, on_progress=kill_midway)
    state = backfill.load_state(open_lake(str(tmp_path / "lake")), local)
    assert not state.done and 0 < state.offset < (source.root / FILE_PATH).stat().st_size
    report = backfill.backfill_file(local)
    assert report.read == expected.read
    assert report.kept == _kept(expected) and report.skipped == dict(expected.skipped)
    raw = _raw_pages(tmp_path)
    assert {o: sorted(u for u, _, _ in p) for o, p in raw.items()} == {
        o: sorted(u for u, _ in p) for o, p in expected.kept.items()
    }
    assert len(_table(tmp_path, "fetched")) == sum(_kept(expected).values())


def test_5xx_are_retried_and_a_file_that_cannot_be_read_fails_naming_it(
    source: _Server, expected: cc_news.Expected, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source.failures[FILE_PATH] = 2  # two 503s, then the file
    assert backfill.backfill_file(source.url + FILE_PATH).kept == _kept(expected)  # type: ignore[attr-defined]

    not_warc = source.root / cc_news.MONTH_DIR / "CC-NEWS-20260202110000-00002.warc.gz"
    not_warc.write_bytes(b"<html>an error page served as the file</html>")
    busy = f"{cc_news.MONTH_DIR}/CC-NEWS-20260202120000-00003.warc.gz"
    (source.root / busy).write_bytes(gzip.compress(b"never served"))
    source.failures[busy] = 99
    listing = [
        FILE_PATH,
        f"{cc_news.MONTH_DIR}/{not_warc.name}",
        f"{cc_news.MONTH_DIR}/missing.warc.gz",
        busy,
    ]
    (source.root / cc_news.MONTH_DIR / "warc.paths.gz").write_bytes(
        gzip.compress("\n".join(listing).encode())
    )
    code = main(["backfill", "--since", "2026-02", "--source", source.url, "--tsv"])  # type: ignore[attr-defined]
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    # Only the TSV: once an earlier test in this process has run Airflow, its log handler writes
    # the retry warnings to stdout too (a CLI process logs to stderr).
    header = next(line.split("\t") for line in out if line.startswith("file\t"))
    cells = [line.split("\t") for line in out]
    rows = {c[0]: c for c in cells if len(c) == len(header) and c != header}
    assert rows[cc_news.FILE_NAME][1] == "skipped"  # done above
    assert rows[not_warc.name][1] == "failed" and "not a gzipped WARC file" in rows[not_warc.name][-1]
    assert rows["missing.warc.gz"][1] == "failed" and "HTTP 404" in rows["missing.warc.gz"][-1]
    assert "HTTP 503" in rows[busy.rsplit("/", 1)[1]][-1]
    assert all(source.url in row[-1] for name, row in rows.items() if row[1] == "failed")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["backfill"], "--since YYYY-MM"),
        (["backfill", "--since", "2026-13"], "is not a month"),
        (["backfill", "--since", "2026-03", "--until", "2026-02"], "before --since"),
        (["backfill", "--since", "2026-03"], "no CC-NEWS listing for 2026-03"),
    ],
)
def test_bad_arguments_say_so_in_one_line(
    source: _Server,
    expected: cc_news.Expected,
    argv: list[str],
    says: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*argv, "--source", source.url]) == 2  # type: ignore[attr-defined]
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_dag_maps_one_task_per_file_then_processes_the_outlets_touched(
    source: _Server, expected: cc_news.Expected, tmp_path: Path, airflow_db: str
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags"))
    assert not bag.import_errors
    dag = bag.dags["nashra_backfill"]
    conf = {"since": "2026-02", "until": "2026-02", "source": source.url, "index": False}  # type: ignore[attr-defined]
    run = dag.test(run_conf=conf)
    assert str(run.state) == "success"
    instances = {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}
    assert instances[("backfill", 0)] == "success" and ("backfill", 1) not in instances
    assert sorted(i for t, i in instances if t == "settle") == list(range(len(expected.kept)))
    articles = _table(tmp_path, "articles")
    assert {a["outlet_id"] for a in articles} == set(expected.kept)
    assert {a["url"] for a in articles} == {u for pages in expected.kept.values() for u, _ in pages}


def test_a_month_from_s3_through_the_lakes_s3_settings(
    source: _Server, expected: cc_news.Expected, s3_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    import uuid

    from nashra.core.config import settings
    from nashra.core.lake import ensure_bucket, s3_client

    bucket = f"commoncrawl-{uuid.uuid4().hex[:8]}"
    ensure_bucket(f"s3://{bucket}/")
    client = s3_client(settings())
    for rel in (FILE_PATH, f"{cc_news.MONTH_DIR}/warc.paths.gz"):
        client.put_object(Bucket=bucket, Key=rel, Body=(source.root / rel).read_bytes())
    assert main(["backfill", "--since", "2026-02", "--source", f"s3://{bucket}/", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["kept"] == _kept(expected) and row["skipped"] == dict(expected.skipped)
    assert main(["backfill", "--warc", f"s3://{bucket}/nothing-here.warc.gz", "--json"]) == 1
    (missing,) = json.loads(capsys.readouterr().out)
    assert missing["status"] == "failed" and f"s3://{bucket}/nothing-here.warc.gz" in missing["error"]


def test_two_files_of_the_same_second_fail_instead_of_replacing_each_others_pages(
    source: _Server, expected: cc_news.Expected, tmp_path: Path
) -> None:
    local = source.root / FILE_PATH
    twin = local.with_name(cc_news.FILE_NAME.replace("-00001.", "-00002."))
    twin.write_bytes(local.read_bytes())
    backfill.backfill_file(str(local))
    with pytest.raises(backfill.BackfillError, match="already holds pages of " + cc_news.FILE_NAME):
        backfill.backfill_file(str(twin))
    assert len(_table(tmp_path, "fetched")) == sum(_kept(expected).values())
