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
