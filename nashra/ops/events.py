"""Event-driven processing of raw batches dropped into the lake by any producer.

S3 sends an event notification to SQS for every new `raw/**.warc.gz` object (infra/terraform).
In Airflow, an AssetWatcher (SqsSensorTrigger) turns the messages into events of the Asset
`nashra.raw.inbox`; the DAG it schedules processes the batches its events name, if the lake still
says they are pending (a duplicate event does nothing twice). Whatever no event named (the watcher
can stop firing, events can be lost: apache/airflow#51213, #56050) is the scheduled sweep's: it
works from durable state (manifests) alone. `drain_queue` runs without the triggerer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from nashra.core.ledger import Window, batch_time, raw_key_batch, windows_around


def raw_keys(message_body: str) -> list[str]:
    """Object keys in an S3 event notification (also when wrapped in SNS); [] for test events."""
    try:
        doc = json.loads(message_body)
    except ValueError:
        return []
    if isinstance(doc, dict) and isinstance(doc.get("Message"), str):  # S3 -> SNS -> SQS
        return raw_keys(doc["Message"])
    records = doc.get("Records", []) if isinstance(doc, dict) else []
    keys = []
    for record in records:
        key = ((record.get("s3") or {}).get("object") or {}).get("key")
        if isinstance(key, str) and str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
            keys.append(unquote_plus(key))  # S3 URL-encodes keys in notifications
    return keys


def batches_in(keys: list[str]) -> dict[str, set[str]]:
    """outlet id -> raw batch ids named by these keys (keys outside raw/ are ignored)."""
    found: dict[str, set[str]] = {}
    for key in keys:
        named = raw_key_batch(key)
        if named:
            found.setdefault(named[0], set()).add(named[1])
    return found


def batches_in_event(event_extra: dict[str, Any] | None) -> dict[str, set[str]]:
    """outlet -> batches named by a SqsSensorTrigger payload (`{"message_batch": [...]}`), if any."""
    extra = event_extra or {}
    messages = extra.get("message_batch") or (extra.get("payload") or {}).get("message_batch") or []
    keys = [k for m in messages if isinstance(m, dict) for k in raw_keys(m.get("Body", ""))]
    return batches_in(keys)


def outlets_in_event(event_extra: dict[str, Any] | None) -> set[str]:
    """Outlets named by a SqsSensorTrigger payload, if any."""
    return set(batches_in_event(event_extra))


def batches_of_run(context: dict[str, Any]) -> dict[str, set[str]]:
    """outlet -> batches the run's triggering events name; a run triggered by hand with an
    event's payload as its conf (`{"message_batch": [...]}`) names them the same way."""
    extras = [
        getattr(e, "extra", None)
        for es in (context.get("triggering_asset_events") or {}).values()
        for e in es
    ]
    extras.append(getattr(context["dag_run"], "conf", None))
    named: dict[str, set[str]] = {}
    for extra in extras:
        for outlet, batches in batches_in_event(extra if isinstance(extra, dict) else None).items():
            named.setdefault(outlet, set()).update(batches)
    return named


def windows_of_batches(batches: set[str]) -> list[Window]:
    """The pending windows that hold these batches (a producer may drop an old batch)."""
    return windows_around(batch_time(b) for b in batches)


def windows_of_run(context: dict[str, Any]) -> list[Window]:
    """Where a sweep run looks for pending batches: its recent window, and those of the batches
    its triggering events or conf name."""
    anchor = context.get("logical_date") or context["dag_run"].run_after
    named = {b for batches in batches_of_run(context).values() for b in batches}
    return windows_around([anchor, *(batch_time(b) for b in named)])


def drain_queue(
    client: Any,
    queue_url: str,
    handle: Callable[[set[str]], None],
    *,
    max_rounds: int = 10,
    visibility_timeout: int = 300,
) -> int:
    """Fallback consumer without Airflow's triggerer: receive S3 events, run `handle(outlets)`,
    and delete the messages only after it succeeded (at-least-once; handling is idempotent)."""
    handled = 0
    for _ in range(max_rounds):
        # A message whose handling fails comes back after the visibility timeout: at-least-once.
        reply = client.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            VisibilityTimeout=visibility_timeout,
        )
        messages = reply.get("Messages", [])
        if not messages:
            break
        outlets = {o for m in messages for o in batches_in(raw_keys(m["Body"]))}
        if outlets:
            handle(outlets)
        client.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        handled += len(messages)
    return handled
