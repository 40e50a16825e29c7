"""Faults, part 1 — re-runs, on the session's real services (SeaweedFS, Elasticsearch, fixture web,
Airflow `dag.test()`):

- the same batch run three times (same logical date): identical rows, nothing added;
- an Airflow task that fails after a partial success (rows written, manifest not; documents
  half indexed) and is retried by Airflow itself: the retry completes the batch, no duplicates.

Each test ends on the fixture web's truth: lake article rows and ES documents equal the expected
articles of the outlets run, and every expected quarantined page is quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from devkit.fixture_web import truth
from nashra.core.lake import Lake, open_lake
from tests.support import dag_bag

pytestmark = pytest.mark.slow
PRODUCTION_RETRIES = 2  # dags/nashra_pipeline.py's default

# A wire pair (one canonical, one duplicate across outlets) and an Arabic outlet with a bad page.
OUTLETS = ("gulftimes_en", "qna_en", "hespress_ar")
# Re-crawling the same batch fetches the pages again: only the fetch time may change.
RECRAWL_VOLATILE = {"fetched_at"}


@dataclass
class World:
    lake: Lake
    es: Any
    index: str
    bag: Any


@pytest.fixture(scope="module")
def world(pipeline_env, airflow_db) -> Iterator[World]:
    """One lake, index and DAG parse for the module (the DAGs' assets are named by the lake's
    URI), with the production retries but a short back-off."""
    from nashra.stages.index import es_client

    with pytest.MonkeyPatch.context() as mp:
        lake_uri, prefix = pipeline_env(mp, "rerun")
        bag = dag_bag()
        for dag in bag.dags.values():
            _fast_retries(mp, dag)
        yield World(open_lake(lake_uri), es_client(), prefix, bag)


def _run(world: World, stage: str, outlet_id: str) -> Any:
    return world.bag.dags[f"nashra_{stage}__{outlet_id}"].test(logical_date=truth.REFERENCE_NOW)


def _fast_retries(monkeypatch: pytest.MonkeyPatch, dag: Any) -> None:
    """Keep the DAG's retries but not its 5-minute back-off: dag.test() waits out retry delays."""
    for task in dag.tasks:
        monkeypatch.setattr(task, "retries", PRODUCTION_RETRIES)  # conftest sets NASHRA_TASK_RETRIES=0
        monkeypatch.setattr(task, "retry_delay", timedelta(seconds=1))
        monkeypatch.setattr(task, "retry_exponential_backoff", 0)


def _rows(lake: Lake, outlets: tuple[str, ...]) -> list[dict[str, Any]]:
    dataset = lake.dataset("articles")
    rows = [] if dataset is None else dataset.to_table().to_pylist()
    return sorted((r for r in rows if r["outlet_id"] in outlets), key=lambda r: r["article_id"])


def _es_docs(world: World, outlets: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    world.es.indices.refresh(index=world.index)
    hits = world.es.search(
        index=world.index, query={"terms": {"outlet_id": list(outlets)}}, size=1000, track_total_hits=True
    )["hits"]
    assert hits["total"]["value"] == len(hits["hits"])
    return {h["_id"]: h["_source"] for h in hits["hits"]}


def _assert_truth(world: World, outlets: tuple[str, ...]) -> list[dict[str, Any]]:
    """Lake rows and ES documents are exactly the fixture's expected articles of these outlets."""
    from nashra.stages.index import to_document

    expected = {a.url for o in outlets for a in truth.articles_of(o)}
    rows = _rows(world.lake, outlets)
    assert len(rows) == len(expected)
    assert sorted(r["url"] for r in rows) == sorted(expected)
    assert len({r["article_id"] for r in rows}) == len(rows)
    quarantine = world.lake.dataset("quarantine").to_table().to_pylist()
    quarantined = {r["url"]: r for r in quarantine if r["outlet_id"] in outlets}
    for bad in (q for q in truth.QUARANTINED if q.outlet_id in outlets):
        assert bad.reason in quarantined[bad.url]["reasons"]
    # One canonical per wire group among every stored copy, whichever outlet (another test of the
    # module may have stored a copy of the group first: it is then the canonical).
    everything = _rows(world.lake, truth.OUTLET_IDS)
    for group in truth.WIRE_GROUPS:
        copies = [r for r in everything if r["url"] in group]
        if len(copies) > 1:
            assert sum(r["dedup_status"] == "canonical" for r in copies) == 1
    docs = _es_docs(world, outlets)
    assert len(docs) == len(rows)
    for row in rows:  # each document is its lake row, as the index stage renders it
        doc, want = docs[row["article_id"]], to_document(row)
        assert {
            k: (doc.get(k), want.get(k)) for k in doc.keys() | want.keys() if doc.get(k) != want.get(k)
        } == {}
    return rows


def _article_files(lake: Lake, outlets: tuple[str, ...]) -> int:
    """The articles table's live files of these outlets: a replace swaps them, it never adds."""
    from nashra.core.tables import open_table

    table = open_table(lake, "articles")
    return sum(any(f"/outlet_id={o}/" in uri for o in outlets) for uri in table.file_uris())


def test_the_same_batch_run_three_times_gives_identical_rows(world: World) -> None:
    from nashra.stages import tasks

    rounds = []
    for attempt in range(3):
        for outlet_id in OUTLETS:
            for stage in ("crawl", "process", "index"):
                assert str(_run(world, stage, outlet_id).state) == "success", (attempt, stage, outlet_id)
        rows = _assert_truth(world, OUTLETS)
        files = _article_files(world.lake, OUTLETS)
        # The DAG re-runs found their manifests (nothing pending); now force the process and index
        # stages over the re-crawled batch: same WARC in, identical rows out, in as many files.
        for outlet_id in OUTLETS:
            tasks.process(outlet_id, reprocess=True)
            tasks.index(outlet_id, reindex=True)
        replayed = _assert_truth(world, OUTLETS)
        if attempt == 0:
            assert replayed == rows
            assert _article_files(world.lake, OUTLETS) == files
        rounds.append(replayed)
    assert len({len(r) for r in rounds}) == 1
    for later in rounds[1:]:
        for before, after in zip(rounds[0], later, strict=True):
            changed = {k for k in before if before[k] != after[k]}
            assert changed <= RECRAWL_VOLATILE, (before["url"], changed)
    batches = {r["batch_id"] for r in rounds[-1]}
    assert len(batches) == len(OUTLETS)  # one batch per outlet, however many runs
    for outlet_id in OUTLETS:
        assert len(world.lake.list(f"_manifests/process/outlet={outlet_id}", ".json")) == 1
        assert len(world.lake.list(f"_manifests/index/outlet={outlet_id}", ".json")) == 1


class Once:
    """Raise the first time, then behave: a fault a retry gets past."""

    def __init__(self, real: Any, before: Any = None) -> None:
        self.real, self.before, self.calls = real, before, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            if self.before is not None:
                self.before(*args, **kwargs)
            raise ConnectionError("injected fault after a partial success")
        return self.real(*args, **kwargs)


def _retried_after_partial_success(world: World, outlet_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import nashra.stages.index
    import nashra.stages.process
    from nashra.core.ledger import manifest_path, raw_batches

    (batch,) = raw_batches(world.lake, outlet_id)
    # Process: the articles, quarantine and url_duplicates files are written, then the task dies
    # before the signatures and the manifest.
    seen: list[int] = []
    fault = Once(
        nashra.stages.process.write_signatures,
        before=lambda lake, oid, *a, **k: seen.append(len(_rows(lake, (oid,)))),
    )
    monkeypatch.setattr(nashra.stages.process, "write_signatures", fault)
    run = _run(world, "process", outlet_id)
    assert str(run.state) == "success"
    assert fault.calls == 2 and seen and seen[0] >= 1  # it failed with articles already written
    (ti,) = run.get_task_instances()
    assert ti.try_number == 2  # Airflow's own retry, within the same run
    assert world.lake.exists(manifest_path("process", outlet_id, batch))

    # Index: half the documents are in Elasticsearch when the task dies.
    real_index_rows = nashra.stages.index.index_rows
    fault = Once(real_index_rows, before=lambda es, rows, alias: real_index_rows(es, rows[::2], alias))
    monkeypatch.setattr(nashra.stages.index, "index_rows", fault)
    run = _run(world, "index", outlet_id)
    assert str(run.state) == "success"
    assert fault.calls == 2
    (ti,) = run.get_task_instances()
    assert ti.try_number == 2
    assert world.lake.exists(manifest_path("index", outlet_id, batch))


def test_an_airflow_task_retried_after_partial_success_completes_the_batch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    outlets = ("le360_fr", "peninsula_en")
    for outlet_id in outlets:
        assert str(_run(world, "crawl", outlet_id).state) == "success"
        with monkeypatch.context() as mp:
            _retried_after_partial_success(world, outlet_id, mp)
    _assert_truth(world, outlets)
