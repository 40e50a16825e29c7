"""Operating the pipeline, on real parts (Airflow dag.test(), SeaweedFS, Elasticsearch, fixture web):
an outlet added by a registry edit alone, and a replay of old raw batches with new rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit.fixture_web import truth
from nashra.core.lake import Lake, open_lake
from tests.support import dag_bag

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
NEW_OUTLET = "tribune_en"

# The whole change a data engineer makes to add an outlet: one registry entry.
NEW_ENTRY = {
    "id": NEW_OUTLET,
    "name": "A newly added outlet (fixture)",
    "country": "QA",
    "languages": ["en"],
    "timezone": "Asia/Qatar",
    "homepage": "http://gulftimes.test/",
    "allowed_domains": ["gulftimes.test"],
    "cms": "rssfeed_cms",
    "discovery": [{"method": "feed", "url": "http://gulftimes.test/rssFeed/2", "status": "verified"}],
}


@dataclass
class World:
    lake: Lake
    es: Any
    index: str
    bag: Any


@pytest.fixture(scope="module")
def world(pipeline_env, airflow_db, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:

    from nashra.stages.index import es_client

    registry = yaml.safe_load(truth.REGISTRY_PATH.read_text(encoding="utf-8"))
    registry["outlets"] = [NEW_ENTRY]
    path = tmp_path_factory.mktemp("registry") / "outlets.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        lake_uri, prefix = pipeline_env(mp, "ops", registry=path)
        bag = dag_bag()
        yield World(open_lake(lake_uri), es_client(), prefix, bag)


@pytest.fixture(scope="module")
def added(world: World) -> dict[str, str]:
    """The new outlet's DAGs run once (crawl, process, index): what every test here starts from,
    whichever runs first."""
    states = {}
    for stage in ("crawl", "process", "index"):
        run = world.bag.dags[f"nashra_{stage}__{NEW_OUTLET}"].test(logical_date=truth.REFERENCE_NOW)
        states[stage] = str(run.state)
    return states


def test_an_outlet_added_to_the_registry_only_is_crawled_processed_and_indexed(
    world: World, added: dict[str, str]
) -> None:
    assert added == {"crawl": "success", "process": "success", "index": "success"}
    stored = world.lake.dataset("articles").to_table().to_pylist()
    assert stored and {r["outlet_id"] for r in stored} == {NEW_OUTLET}
    world.es.indices.refresh(index=world.index)
    hits = world.es.search(index=world.index, query={"term": {"outlet_id": NEW_OUTLET}})["hits"]["total"][
        "value"
    ]
    assert hits == len(stored)


def test_replay_applies_new_rules_to_old_pages_without_recrawling(
    world: World, added: dict[str, str], fixture_web, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nashra.stages.page_pool

    before = {r["article_id"]: r for r in world.lake.dataset("articles").to_table().to_pylist()}
    assert before and added["process"] == "success"
    requests_before = len(fixture_web.requests)
    original = nashra.stages.page_pool.process_page

    def new_rules(page, outlet, *, now):  # a stand-in for an improved extractor
        result = original(page, outlet, now=now)
        if hasattr(result, "title") and result.title:
            from dataclasses import replace

            return replace(result, title=f"[v2] {result.title}")
        return result

    monkeypatch.setattr(nashra.stages.page_pool, "process_page", new_rules)  # small batches: serial
    day = truth.REFERENCE_NOW.date().isoformat()
    for _ in range(2):  # twice: a replay is idempotent
        run = world.bag.dags["nashra_replay"].test(
            run_conf={"since": day, "until": day, "outlets": [NEW_OUTLET], "reindex": True}
        )
        assert str(run.state) == "success"
    after = {r["article_id"]: r for r in world.lake.dataset("articles").to_table().to_pylist()}
    assert set(after) == set(before)
    assert all(after[i]["title"] == f"[v2] {before[i]['title']}" for i in before)
    assert len(fixture_web.requests) == requests_before  # nothing was re-crawled
    world.es.indices.refresh(index=world.index)
    docs = world.es.search(index=world.index, query={"term": {"outlet_id": NEW_OUTLET}}, size=50)["hits"]
    assert docs["total"]["value"] == len(before)
    assert all(h["_source"]["title"].startswith("[v2] ") for h in docs["hits"])


def test_the_maintenance_dag_compacts_every_table_and_loses_no_row(
    world: World, added: dict[str, str]
) -> None:
    assert added["process"] == "success"
    counts = {t: world.lake.dataset(t).count_rows() for t in ("articles", "dedup_keys", "signatures")}
    run = world.bag.dags["nashra_maintenance"].test(run_conf={"full": True})
    assert str(run.state) == "success"
    assert {t: world.lake.dataset(t).count_rows() for t in counts} == counts
    runs = [r for r in world.lake.dataset("metrics").to_table().to_pylist() if r["stage"] == "maintain"]
    assert {r["run_id"].rsplit(":", 1)[1] for r in runs} >= {"articles", "dedup_keys", "signatures"}
