"""Batch gates per outlet: a layout change fails the outlet's process task, naming outlet and symptom
(through the stage function, and through the outlet's real Airflow DAGs with dag.test())."""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devkit.fixture_web import truth
from devkit.fixture_web.catalog import catalog
from devkit.fixture_web.responses import ok
from devkit.fixture_web.server import FixtureWeb
from devkit.fixture_web.site import build_site
from nashra.core.lake import Lake, open_lake
from nashra.core.ledger import manifest_path, write_manifest
from nashra.stages.quality import BatchQualityError, BatchStats, problems, recent_failure_rates
from tests.support import dag_bag, use_fixture_web

# What a redesign to a client-rendered page looks like to a crawler: the title is still there,
# the text moved into a script the extractor does not run.
REDESIGN = (
    "<!doctype html><html lang='ar'><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body><header><nav>الرئيسية</nav></header><div id='app'></div>"
    '<script>window.__STATE__ = {{"article": {{"id": 1}}}}</script></body></html>'
)


@pytest.fixture
def redesigned_web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    site = build_site()
    for story in catalog().stories:
        if story.outlet_id == "hespress_ar":
            site._add(story.url, ok(REDESIGN.format(title=html.escape(story.title))))
    with FixtureWeb(site=site) as web:
        use_fixture_web(monkeypatch, web, lake_uri=str(tmp_path / "lake"))
        yield web


def test_a_redesigned_outlet_fails_its_process_task_naming_the_outlet(redesigned_web) -> None:
    from nashra.stages import tasks

    tasks.crawl("hespress_ar", truth.REFERENCE_NOW)
    with pytest.raises(BatchQualityError) as err:
        tasks.process("hespress_ar")  # what the Airflow process task runs
    message = str(err.value)
    assert "outlet hespress_ar" in message
    assert "zero articles" in message and "layout" in message
    lake = open_lake()
    # Kept, not dropped: the pages are quarantined with their reason, and the batch stays pending
    # (no manifest), so a retry fails again instead of passing on an empty to-do list.
    reasons = {r for row in lake.dataset("quarantine").to_table().to_pylist() for r in row["reasons"]}
    assert "no_main_text" in reasons
    assert lake.list("_manifests/process/outlet=hespress_ar") == []
    with pytest.raises(BatchQualityError, match="outlet hespress_ar"):
        tasks.process("hespress_ar")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def nashra_log() -> Iterator[list[logging.LogRecord]]:
    """What the `nashra` logger (stages, the failure callback) logs, whatever Airflow's handlers
    and renderers do with it."""
    logger, handler = logging.getLogger("nashra"), _Records()
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def _failure_lines(records: list[logging.LogRecord]) -> list[dict[str, Any]]:
    """The payloads of nashra.stages.metrics.on_failure's `nashra task.failed {...}` lines."""
    head = "nashra task.failed "
    return [json.loads(m[len(head) :]) for r in records if (m := r.getMessage()).startswith(head)]


def _asset_events_of(run_id: str) -> list[str]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.settings import Session

    with Session() as session:
        rows = session.query(AssetModel.name).join(AssetEvent, AssetEvent.asset_id == AssetModel.id)
        return sorted(name for (name,) in rows.filter(AssetEvent.source_run_id == run_id))


@pytest.mark.services  # Airflow's metadata DB and the Elasticsearch node
def test_through_airflow_the_redesigned_outlets_process_task_fails_naming_it(
    redesigned_web, airflow_db, es_url, nashra_log
) -> None:
    """The same redesign, through the outlet's real DAGs (dag.test() on the SQLite metadata DB):
    the crawl succeeds, the process task fails with the outlet and the symptom in the failure its
    callback reports, nothing reaches the index and the batch stays pending for a retry."""

    from nashra.core.ledger import pending_batches, raw_batches
    from nashra.stages.index import documents_per_batch, es_client

    bag = dag_bag()
    dags = {stage: bag.dags[f"nashra_{stage}__hespress_ar"] for stage in ("crawl", "process", "index")}

    crawl = dags["crawl"].test(logical_date=truth.REFERENCE_NOW)
    assert str(crawl.state) == "success"
    assert _asset_events_of(crawl.run_id) == ["nashra.raw.hespress_ar"]  # what triggers processing
    lake: Lake = open_lake()
    (batch,) = raw_batches(lake, "hespress_ar")

    process = dags["process"].test(logical_date=truth.REFERENCE_NOW)
    assert str(process.state) == "failed"
    (ti,) = process.get_task_instances()
    assert (ti.task_id, str(ti.state), ti.try_number) == ("process", "failed", 1)

    # The failure as Airflow's on_failure_callback (nashra.stages.metrics.on_failure) reports it.
    (failure,) = _failure_lines(nashra_log)
    assert failure["outlet"] == "hespress_ar"
    assert (failure["dag_id"], failure["task_id"], failure["run_id"]) == (
        "nashra_process__hespress_ar",
        "process",
        process.run_id,
    )
    error = failure["error"]
    assert error.startswith("BatchQualityError: outlet hespress_ar, batch " + batch), error
    assert "zero articles" in error and "layout may have changed" in error, error

    # Nothing downstream: no nashra.lake.hespress_ar event (the index DAG's trigger), no process or
    # index manifest, and an index run finds nothing of the batch to send.
    assert _asset_events_of(process.run_id) == []
    assert "nashra.lake.hespress_ar" in repr(dags["index"].timetable.asset_condition)
    assert not lake.exists(manifest_path("process", "hespress_ar", batch))
    assert str(dags["index"].test(logical_date=truth.REFERENCE_NOW).state) == "success"
    assert not lake.exists(manifest_path("index", "hespress_ar", batch))
    assert documents_per_batch(es_client(), os.environ["NASHRA_INDEX_PREFIX"], "hespress_ar") == {}

    # Still pending: a retry of the process task (after the layout is fixed) takes this batch up.
    assert pending_batches(lake, "hespress_ar", "process") == [batch]


def test_an_unchanged_outlet_passes_the_same_gates(redesigned_web) -> None:
    from nashra.stages import tasks

    tasks.crawl("h24info_fr", truth.REFERENCE_NOW)
    [report] = tasks.process("h24info_fr")
    assert report["stored"] == 3


def _stats(failures: int, pages: int = 10, articles: int | None = None) -> BatchStats:
    articles = pages - failures if articles is None else articles
    return BatchStats(
        "le360_fr", "le360_fr-20260202T120000Z", pages, failures, articles, {"no_main_text": failures}
    )


def test_a_jump_over_the_outlets_own_history_fails_below_the_absolute_limit() -> None:
    assert problems(_stats(4), [0.0, 0.1, 0.0, 0.0], max_failure_rate=0.5) == [
        "outlet le360_fr, batch le360_fr-20260202T120000Z: extraction failure rate jumped to 40% from 0% "
        "(median of its last 4 batches; reasons {'no_main_text': 4})"
    ]
    assert problems(_stats(4), [0.3, 0.4, 0.35], max_failure_rate=0.5) == []  # usual for this outlet
    assert problems(_stats(4), [0.0, 0.0], max_failure_rate=0.5) == []  # no baseline yet
    assert problems(_stats(1, pages=2), [0.0] * 5, max_failure_rate=1.0) == []  # too few pages


def test_history_comes_from_earlier_manifests_only(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    for stamp, rate in (("20260201T000000Z", 0.1), ("20260201T120000Z", 0.2), ("20260203T000000Z", 0.9)):
        doc = {"pages": 5, "failure_rate": rate}
        write_manifest(lake, "process", "le360_fr", f"le360_fr-{stamp}", doc)
    assert recent_failure_rates(lake, "le360_fr", "le360_fr-20260202T120000Z") == [0.1, 0.2]
