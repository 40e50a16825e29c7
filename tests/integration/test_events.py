"""Event-driven processing: S3 event notifications on a real SQS-compatible queue (ElasticMQ),
read by the same SqsSensorTrigger the AssetWatcher runs, driving the inbox DAG on real services.

SeaweedFS does not publish S3 event notifications to SQS, so the test posts the notification a
bucket would send (same JSON shape) right after a producer writes the raw batch.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from devkit.fixture_web import truth
from nashra.ops.events import batches_in, drain_queue, outlets_in_event, raw_keys
from tests.support import dag_bag, s3_event

REPO = Path(__file__).resolve().parents[2]


def test_s3_event_parsing() -> None:
    key = "lake/raw/outlet=le360_fr/date=2026-02-02/le360_fr-20260202T120000Z.sitemap.warc.gz"
    assert raw_keys(s3_event("b", key)) == [key]
    assert raw_keys(json.dumps({"Type": "Notification", "Message": s3_event("b", key)})) == [key]  # via SNS
    assert raw_keys(json.dumps({"Event": "s3:TestEvent"})) == []
    assert raw_keys("not json") == []
    assert batches_in([key, "lake/articles/outlet=x/date=2026-02-02/part-b.parquet"]) == {
        "le360_fr": {"le360_fr-20260202T120000Z"}
    }


@pytest.fixture(scope="module")
def queue(services_dir: Path) -> Iterator[Any]:
    from devkit.elasticmq import start_elasticmq

    server = start_elasticmq(services_dir / "elasticmq")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def env(pipeline_env, airflow_db, queue, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    lake_uri, prefix = pipeline_env(monkeypatch, "events")
    values = {
        "NASHRA_SQS_QUEUE_URL": queue.queues["nashra-raw-events"],
        "AWS_ENDPOINT_URL_SQS": queue.endpoint,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    # The connection the SQS trigger names, as a deployment defines it (the queue's endpoint only
    # for SQS: the lake keeps its own S3 endpoint from the environment).
    connection = {
        "conn_type": "aws",
        "login": "x",
        "password": "x",
        "extra": {"region_name": "us-east-1", "service_config": {"sqs": {"endpoint_url": queue.endpoint}}},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(connection))
    return {
        **values,
        "NASHRA_LAKE_URI": lake_uri,
        "NASHRA_INDEX_PREFIX": prefix,
        "BUCKET": lake_uri.split("/")[2],
    }


def _produce_raw_batch(env: dict[str, str]) -> str:
    """A producer writes a raw batch into the bucket (here: our crawler, run outside Airflow)."""
    from nashra.core.lake import open_lake
    from nashra.stages import tasks

    tasks.crawl("le360_fr", truth.REFERENCE_NOW)
    (key,) = open_lake(env["NASHRA_LAKE_URI"]).list("raw/outlet=le360_fr", ".warc.gz")
    return f"lake/{key}"


def _sqs(env: dict[str, str]) -> Any:
    return boto3.client("sqs", endpoint_url=env["AWS_ENDPOINT_URL_SQS"], region_name="us-east-1")


def test_the_asset_watcher_trigger_reads_the_event_and_the_inbox_dag_processes_the_batch(env) -> None:

    key = _produce_raw_batch(env)
    _sqs(env).send_message(QueueUrl=env["NASHRA_SQS_QUEUE_URL"], MessageBody=s3_event(env["BUCKET"], key))

    bag = dag_bag()
    inbox = bag.dags["nashra_inbox"]
    (asset,) = inbox.timetable.asset_condition.objects
    (watcher,) = asset.watchers
    trigger = watcher.trigger
    assert trigger.sqs_queue == env["NASHRA_SQS_QUEUE_URL"]

    # What the triggerer does: run the trigger until it yields an event, through the aws_default
    # connection as in production (here: ElasticMQ's endpoint in the connection's extra).
    assert trigger.aws_conn_id == "aws_default"

    async def first_event() -> Any:
        async for event in trigger.run():
            return event
        return None

    event = asyncio.run(asyncio.wait_for(first_event(), timeout=60))
    assert event is not None and event.payload.get("status") == "success"
    assert outlets_in_event(event.payload) == {"le360_fr"}

    # Without an event the inbox does nothing, though the batch is pending in its run's window:
    # that is the sweep's.
    from nashra.core.lake import open_lake
    from nashra.core.ledger import pending_batches

    lake = open_lake(env["NASHRA_LAKE_URI"])
    assert (
        str(inbox.test(logical_date=truth.REFERENCE_NOW, run_conf={}).state) == "success"
    )  # its window holds it
    assert pending_batches(lake, "le360_fr", "process") and lake.dataset("articles") is None

    # dag.test() cannot hand over triggering asset events: the payload goes in as the run's conf,
    # which the inbox reads the same way (an operator replaying an event does this too).
    run = inbox.test(run_conf=event.payload)
    assert str(run.state) == "success"
    from nashra.stages.index import es_client

    stored = lake.dataset("articles").to_table().to_pylist()
    assert {r["url"] for r in stored} == {a.url for a in truth.articles_of("le360_fr")}
    es = es_client()
    es.indices.refresh(index=env["NASHRA_INDEX_PREFIX"])
    assert es.count(index=env["NASHRA_INDEX_PREFIX"])["count"] == len(stored)
    # The sweep (fallback) right after finds nothing pending and does nothing twice.
    assert str(bag.dags["nashra_sweep"].test(logical_date=truth.REFERENCE_NOW).state) == "success"
    assert lake.dataset("articles").count_rows() == len(stored)


def test_drain_queue_deletes_messages_only_after_handling(env) -> None:
    sqs = _sqs(env)
    url = env["NASHRA_SQS_QUEUE_URL"]
    key = "lake/raw/outlet=qna_en/date=2026-02-02/qna_en-20260202T120000Z.feed.warc.gz"
    sqs.send_message(QueueUrl=url, MessageBody=s3_event(env["BUCKET"], key))

    def failing(outlets: set[str]) -> None:
        raise RuntimeError("processing failed")

    with pytest.raises(RuntimeError):
        drain_queue(sqs, url, failing, visibility_timeout=1)
    time.sleep(1.5)  # not deleted: it becomes visible again after its visibility timeout
    seen: list[set[str]] = []
    assert drain_queue(sqs, url, seen.append) >= 1
    assert seen == [{"qna_en"}]
    assert not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages")


def test_an_inbox_run_looks_in_its_own_window_and_in_those_of_the_batches_its_events_name() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from nashra.ops.events import windows_of_run

    old = "lake/raw/outlet=qna_en/date=2025-11-02/qna_en-20251102T050000Z.feed.warc.gz"
    event = SimpleNamespace(extra={"message_batch": [{"Body": s3_event("b", old)}]})
    now = datetime(2026, 2, 2, 12, tzinfo=UTC)
    context = {"logical_date": None, "dag_run": SimpleNamespace(run_after=now, conf={}),
               "triggering_asset_events": {"nashra.raw.inbox": [event, event]}}  # fmt: skip
    days = [w.days() for w in windows_of_run(context)]
    assert len(days) == 2  # the same batch named twice: one window
    assert "2025-11-02" in days[0] and "2026-02-02" in days[1]
