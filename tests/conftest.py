"""Session fixtures: the real services the integration tests run against, started on loopback.

- `s3`: a SeaweedFS `weed mini` (the S3 the lake is written to),
- `es`: a real Elasticsearch 8.19 node with our analysis plugin (devkit/es_node.py),
- `fixture_web`: the offline outlet web that the spiders crawl through a proxy.
Each is started once per session, on demand, and stopped by PID at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import use_fixture_web

REPO = Path(__file__).resolve().parents[1]

# Airflow reads its configuration at import: a private AIRFLOW_HOME with an SQLite metadata DB,
# set before any test imports airflow.
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="nashra-airflow-")
os.environ.update(
    {
        "AIRFLOW_HOME": _AIRFLOW_HOME,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        # A failing task must fail the test at once, not sleep through its retry delay.
        "NASHRA_TASK_RETRIES": "0",
        # A `make demo` left running in this checkout must not lend its lake, node or registry
        # to the tests (tests/unit/test_cli_where.py turns it on for itself).
        "NASHRA_LOCAL_SERVICES": "0",
        # Every module's DAG tests share one metadata DB but each has a lake and an index of its
        # own; Airflow keeps one active asset per name, and dag.test() runs no scheduler to retire
        # the assets of an earlier module's lake. So the assets are named after one lake and one
        # index for the session. The scheduler test (a database of its own) checks the real URIs.
        "NASHRA_LINEAGE_LAKE_URI": "s3://nashra-test-session/lake",
        "NASHRA_LINEAGE_INDEX_URI": "elasticsearch://nashra-test-session/nashra-articles",
    }
)
os.environ.setdefault("NASHRA_SEEDS_DIR", str(REPO / "devkit" / "fixture_web" / "seeds"))


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[str]:
    """`airflow db migrate` once per session (SQLite, ~5 s); dag.test() needs the metadata DB."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    yield _AIRFLOW_HOME
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def services_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def s3(services_dir: Path) -> Iterator[object]:
    from devkit.seaweed import start_seaweed

    server = start_seaweed(services_dir / "s3")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_env(s3, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point boto3/pyarrow at the local S3 for one test."""
    for key, value in s3.env().items():
        monkeypatch.setenv(key, value)
    return s3.env()


@pytest.fixture
def s3_lake_uri(s3_env: dict[str, str]) -> str:
    """A fresh lake in its own bucket on SeaweedFS."""
    from nashra.core.lake import ensure_bucket

    uri = f"s3://nashra-test-{uuid.uuid4().hex[:10]}/lake"
    ensure_bucket(uri)
    return uri


@pytest.fixture(scope="session")
def es_node(services_dir: Path) -> Iterator[object]:
    from devkit.es_node import start_node

    node = start_node(services_dir / "es")
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def es_url(es_node, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ES_URL", es_node.url)
    # Each test gets its own index names, so tests do not see each other's documents.
    monkeypatch.setenv("NASHRA_INDEX_PREFIX", f"nashra-test-{uuid.uuid4().hex[:8]}")
    return es_node.url


@pytest.fixture(scope="session")
def fixture_web() -> Iterator[object]:
    from devkit.fixture_web import start_fixture_web

    with start_fixture_web() as web:
        yield web


@pytest.fixture
def fixture_env(fixture_web, monkeypatch: pytest.MonkeyPatch) -> object:
    """Test mode: the crawler goes through the fixture web and may talk to loopback."""
    use_fixture_web(monkeypatch, fixture_web)
    return fixture_web


@pytest.fixture(scope="session")
def pipeline_env(s3, es_node, fixture_web):
    """`pipeline_env(mp, tag, registry=None) -> (lake_uri, index_prefix)`: point the pipeline at the
    real services for one test or module — a fresh bucket, its own index prefix, the fixture web as
    proxy (test mode), and a registry (the fixture registry by default)."""
    from nashra.core.lake import ensure_bucket

    def apply(mp: pytest.MonkeyPatch, tag: str, registry: Path | None = None) -> tuple[str, str]:
        for key, value in s3.env().items():
            mp.setenv(key, value)
        lake_uri = f"s3://nashra-{tag}-{uuid.uuid4().hex[:8]}/lake"
        prefix = f"nashra-{tag}-{uuid.uuid4().hex[:6]}"
        mp.setenv("NASHRA_LAKE_URI", lake_uri)
        mp.setenv("ES_URL", es_node.url)
        mp.setenv("NASHRA_INDEX_PREFIX", prefix)
        use_fixture_web(mp, fixture_web, registry=registry)
        ensure_bucket(lake_uri)
        return lake_uri, prefix

    return apply


@pytest.fixture(scope="session")
def crawled_raw(fixture_web, tmp_path_factory: pytest.TempPathFactory):
    """`crawled_raw(outlets) -> Lake`: those fixture outlets crawled once (as of the fixture day)
    into a local lake, cached per outlet set; tests copy raw batches from it."""
    from devkit.fixture_web.truth import REFERENCE_NOW
    from nashra.core.lake import open_lake

    cache: dict[tuple[str, ...], object] = {}

    def crawl(outlets: tuple[str, ...]) -> object:
        if outlets not in cache:
            from nashra.stages import tasks

            with pytest.MonkeyPatch.context() as mp:
                source = tmp_path_factory.mktemp("raw-source")
                use_fixture_web(mp, fixture_web, lake_uri=str(source))
                for outlet_id in outlets:
                    tasks.crawl(outlet_id, REFERENCE_NOW)
            cache[outlets] = open_lake(str(source))
        return cache[outlets]

    return crawl


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    service_fixtures = {
        "airflow_db",
        "s3",
        "s3_env",
        "s3_lake_uri",
        "es_node",
        "es_url",
        "fixture_web",
        "fixture_env",
    }
    for item in items:
        if service_fixtures & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.services)


@pytest.hookimpl(trylast=True)  # after the durations and the short summary: the last lines
def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    stats = terminalreporter.stats
    passed = len(stats.get("passed", []))
    failed = len(stats.get("failed", [])) + len(stats.get("error", []))
    skipped = len(stats.get("skipped", []))
    # The plain closing line CI reads, whatever pytest's own summary looks like.
    terminalreporter.write_line(f"{passed} passed, {failed} failed, {skipped} skipped")
