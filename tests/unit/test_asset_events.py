"""The asset event of each per-outlet task carries what its run did (batches, pages, rows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from nashra.stages import tasks


def test_each_stage_annotates_its_outlet_event(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        tasks, "crawl", lambda o, t, run_id: {"batch_id": "b1", "archived": 7, "families": {}}
    )
    report = {"batch_id": "b1", "pages": 7, "stored": 5, "duplicates": 1, "quarantined": 2, "indexed": 5}
    monkeypatch.setattr(tasks, "process", lambda o, run_id, window: [report])
    monkeypatch.setattr(tasks, "index", lambda o, run_id, window: [report])
    expected = {
        "crawl": {"outlet_id": "o1", "batches": ["b1"], "pages": 7},
        "process": {"outlet_id": "o1", "batches": ["b1"], "pages": 7, "stored": 5, "duplicates": 1,
                    "quarantined": 2},
        "index": {"outlet_id": "o1", "batches": ["b1"], "indexed": 5},
    }  # fmt: skip
    for stage, extra in expected.items():
        events: defaultdict[str, SimpleNamespace] = defaultdict(lambda: SimpleNamespace(extra={}))
        context = {
            "run_id": "r1",
            "logical_date": datetime(2026, 2, 2, 12, tzinfo=UTC),
            "task": SimpleNamespace(outlets=[f"asset-of-{stage}"]),
            "outlet_events": events,
        }
        tasks.run_in_airflow(stage, "o1", context)
        assert events[f"asset-of-{stage}"].extra == extra
    with pytest.raises(ValueError, match="unknown stage"):
        tasks.run_in_airflow("deploy", "o1", {"run_id": "r", "logical_date": datetime.now(UTC)})


def test_a_triggered_run_also_looks_where_the_batches_its_events_name_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch processed late (a manual process run over a February batch, in December) is indexed
    by the index run its event triggers, not left to the daily reconciliation."""
    seen: list[tuple[str, ...]] = []

    def index(outlet_id: str, run_id: str, window) -> list[dict]:
        seen.append(tuple(window.days()))
        return []

    monkeypatch.setattr(tasks, "index", index)
    old = "o1-20260202T120000Z"
    event = SimpleNamespace(extra={"outlet_id": "o1", "batches": [old]})
    other = SimpleNamespace(extra={"outlet_id": "o2", "batches": ["o2-20260101T000000Z"]})
    context = {
        "run_id": "r1",
        "logical_date": datetime(2026, 12, 6, 23, tzinfo=UTC),
        "triggering_asset_events": {"nashra.lake.o1": [event, other]},
    }
    assert tasks.named_batches(context, "o1") == {old}
    tasks.run_in_airflow("index", "o1", context)
    assert [days[-2] for days in seen] == ["2026-02-02", "2026-12-06"]  # oldest first, o2's not looked at
    seen.clear()
    tasks.run_in_airflow("index", "o1", {**context, "triggering_asset_events": {}})
    assert len(seen) == 1  # nothing named: the run's own window only
