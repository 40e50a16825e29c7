"""The whole path on real parts: the Airflow 3 DAGs generated from the fixture registry, run with
dag.test() (crawl -> process -> index, joined by Assets), against the offline fixture web, a
SeaweedFS S3 lake and a real Elasticsearch node. Checked against the fixture web's ground truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow.compute as pc
import pytest

from devkit.fixture_web import truth
from nashra.core.lake import Lake, open_lake
from tests.support import dag_bag

pytestmark = pytest.mark.slow


@dataclass
class Run:
    lake: Lake
    es: Any
    index: str
    states: dict[str, str]
    requests: list[tuple[str, str, str]]
    bag: Any


def _run_outlet(bag: Any, outlet_id: str) -> dict[str, str]:
    states = {}
    for stage in ("crawl", "process", "index"):
        dag_id = f"nashra_{stage}__{outlet_id}"
        states[dag_id] = str(bag.dags[dag_id].test(logical_date=truth.REFERENCE_NOW).state)
    return states


@pytest.fixture(scope="module")
def run(pipeline_env, fixture_web, airflow_db) -> Iterator[Run]:

    from nashra.stages.index import es_client

    with pytest.MonkeyPatch.context() as mp:
        lake_uri, prefix = pipeline_env(mp, "e2e")
        bag = dag_bag()
        states: dict[str, str] = {}
        start = len(fixture_web.requests)  # the fixture web is shared: only this run's requests
        for outlet_id in truth.OUTLET_IDS:
            states.update(_run_outlet(bag, outlet_id))
        yield Run(open_lake(lake_uri), es_client(), prefix, states, fixture_web.requests[start:], bag)


def _articles(run: Run) -> list[dict[str, Any]]:
    return run.lake.dataset("articles").to_table().to_pylist()


def test_every_dag_run_succeeded(run: Run) -> None:
    assert run.states, "no DAG ran"
    assert {dag: state for dag, state in run.states.items() if state != "success"} == {}


def test_crawl_runs_emit_the_asset_events_that_trigger_processing(run: Run) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.settings import Session

    with Session() as session:
        names = {
            name
            for (name,) in session.query(AssetModel.name).join(
                AssetEvent, AssetEvent.asset_id == AssetModel.id
            )
        }
        extras = {
            name: extra
            for name, extra in session.query(AssetModel.name, AssetEvent.extra).join(
                AssetEvent, AssetEvent.asset_id == AssetModel.id
            )
        }
    for outlet_id in truth.OUTLET_IDS:
        assert {f"nashra.raw.{outlet_id}", f"nashra.lake.{outlet_id}", f"nashra.search.{outlet_id}"} <= names
    # Each event says what its run did: batches and counts, without opening the lake.
    outlet_id = truth.OUTLET_IDS[0]
    crawled, processed = extras[f"nashra.raw.{outlet_id}"], extras[f"nashra.lake.{outlet_id}"]
    assert crawled["outlet_id"] == outlet_id and crawled["pages"] > 0 and len(crawled["batches"]) == 1
    assert processed["batches"] == crawled["batches"] and processed["stored"] > 0
    assert extras[f"nashra.search.{outlet_id}"]["indexed"] == processed["stored"]
    process_dag = run.bag.dags[f"nashra_process__{truth.OUTLET_IDS[0]}"]
    assert "Asset" in type(process_dag.timetable).__name__  # event-driven, not a timetable


def test_the_lake_holds_every_fixture_article_with_language_outlet_and_utc_date(run: Run) -> None:
    rows = {r["url"]: r for r in _articles(run)}
    for expected in truth.ARTICLES:
        row = rows.get(expected.url)
        assert row is not None, f"missing article {expected.url}"
        assert row["outlet_id"] == expected.outlet_id
        assert row["language"] == expected.language
        assert row["dialect"] is None  # the fixture outlets print MSA, French and English, no Darija
        assert row["title"] == expected.title
        assert row["published_at"] == expected.published_utc, expected.url
        assert row["published_at"].utcoffset().total_seconds() == 0


def test_no_debris_is_left_in_any_stored_body(run: Run) -> None:
    rows = {r["url"]: r for r in _articles(run)}
    for expected in truth.ARTICLES:
        body = rows[expected.url]["body"]
        for snippet in expected.must_contain:
            assert snippet in body, f"{expected.url}: lost {snippet!r}"
        for debris in expected.must_not_contain:
            assert debris not in body, f"{expected.url}: kept debris {debris!r}"


def test_wire_copies_have_exactly_one_canonical(run: Run) -> None:
    rows = {r["url"]: r for r in _articles(run)}
    assert truth.WIRE_GROUPS
    for group in truth.WIRE_GROUPS:
        copies = [rows[url] for url in group]
        canonical = [r for r in copies if r["dedup_status"] == "canonical"]
        assert len(canonical) == 1, group
        for r in copies:
            if r is not canonical[0]:
                assert r["dedup_status"] == "duplicate"
                assert r["duplicate_of"] == canonical[0]["article_id"]


def test_bad_pages_are_quarantined_with_named_reasons_and_nothing_is_lost(run: Run) -> None:
    quarantine = {r["url"]: r for r in run.lake.dataset("quarantine").to_table().to_pylist()}
    for expected in truth.QUARANTINED:
        assert expected.url in quarantine, f"{expected.url} not quarantined"
        assert expected.reason in quarantine[expected.url]["reasons"]
    for outlet_id in truth.OUTLET_IDS:
        for rel in run.lake.list(f"_manifests/process/outlet={outlet_id}", ".json"):
            report = run.lake.read_json(rel)
            assert report["pages"] == report["stored"] + report["url_duplicates"] + report["quarantined"]


def test_the_crawler_was_polite_and_stayed_on_site(run: Run) -> None:
    fetched = {(host, path.split("?")[0]) for host, path, _ua in run.requests}
    hosts = {host for host, _path in fetched}
    assert not hosts & truth.FORBIDDEN_HOSTS
    for never in truth.NEVER_FETCHED:
        assert not any(never.url.endswith(path) and never.url.split("/")[2] == host for host, path in fetched)
    # robots.txt was asked for on every host the crawler fetched anything from.
    assert {host for host, path in fetched if path == "/robots.txt"} == hosts
    assert all("mailto:" in ua for _h, _p, ua in run.requests if ua)


def test_elasticsearch_finds_the_seed_articles_in_arabic_and_french(run: Run) -> None:
    from nashra.ops.search import search

    arabic = search(run.es, run.index, "السغروشني")
    french = search(run.es, run.index, "Seghrouchni")
    assert arabic and arabic[0].language == "ar" and arabic[0].outlet_id == "hespress_ar"
    assert french and french[0].language == "fr" and french[0].outlet_id == "le360_fr"
    # Arabic analysis on the real node: the prefixed form finds the article too.
    assert search(run.es, run.index, "والذكاء", language="ar")[0].article_id == arabic[0].article_id
    assert run.es.count(index=run.index)["count"] == run.lake.dataset("articles").count_rows()
    # dialect is a keyword on the real node: a facet (terms aggregation) for Kibana.
    mapping = next(iter(run.es.indices.get_mapping(index=run.index).body.values()))["mappings"]
    assert mapping["properties"]["dialect"]["type"] == "keyword"


def test_duckdb_reads_the_lake(run: Run) -> None:
    import duckdb

    con = duckdb.connect()
    con.register("articles", run.lake.dataset("articles"))
    langs = dict(con.sql("SELECT language, count(*) FROM articles GROUP BY language").fetchall())
    assert set(langs) == {expected.language for expected in truth.ARTICLES}
    hits = con.sql(
        "SELECT outlet_id FROM articles WHERE body LIKE '%Seghrouchni%' OR body LIKE '%السغروشني%'"
    )
    assert {"hespress_ar", "le360_fr"} <= {o for (o,) in hits.fetchall()}


def test_rerunning_every_stage_is_idempotent(run: Run) -> None:
    before_rows = run.lake.dataset("articles").count_rows()
    before_ids = sorted(run.lake.dataset("articles").to_table(columns=["article_id"]).column(0).to_pylist())
    before_quarantine = run.lake.dataset("quarantine").count_rows()
    outlet_id = "hespress_ar"
    # Same logical date -> same batch: the crawl re-fetches and overwrites, process/index are no-ops
    # because their manifests exist; then force a full reprocess and reindex of that batch.
    assert set(_run_outlet(run.bag, outlet_id).values()) == {"success"}
    from nashra.stages import tasks

    tasks.process(outlet_id, reprocess=True)
    tasks.index(outlet_id, reindex=True)
    after = run.lake.dataset("articles")
    assert after.count_rows() == before_rows
    assert sorted(after.to_table(columns=["article_id"]).column(0).to_pylist()) == before_ids
    assert run.lake.dataset("quarantine").count_rows() == before_quarantine
    run.es.indices.refresh(index=run.index)
    assert run.es.count(index=run.index)["count"] == before_rows
    canonical = after.to_table(filter=pc.field("dedup_status") == "canonical").num_rows
    assert canonical == before_rows - sum(len(g) - 1 for g in truth.WIRE_GROUPS)


def test_the_seed_articles_share_one_story_across_languages_and_unrelated_ones_do_not(run: Run) -> None:
    rows = _articles(run)
    seeds = [r for r in rows if "Seghrouchni" in r["body"] or "السغروشني" in r["body"]]
    assert {r["outlet_id"] for r in seeds} == {"hespress_ar", "le360_fr"}
    assert len({r["story_id"] for r in seeds}) == 1
    for group in truth.WIRE_GROUPS:  # wire copies share their canonical's story
        assert len({r["story_id"] for r in rows if r["url"] in group}) == 1
    others = {r["story_id"] for r in rows if r not in seeds and r["dedup_status"] == "canonical"}
    assert seeds[0]["story_id"] not in others
