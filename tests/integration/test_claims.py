"""One worker per batch and stage: claims are conditional writes with a lease (nashra.core.ledger).

On a local lake and on SeaweedFS (real If-None-Match / If-Match): a second claimant skips, racing
claimants end with exactly one winner, a lapsed or orphaned claim is taken over, and the process
stage leaves a batch another worker holds to that worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nashra.core.lake import Lake, ensure_bucket, open_lake
from nashra.core.ledger import claim, claim_path, is_held, pending_batches, raw_batches, release

NOW = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Lake:
    if request.param == "local":
        return open_lake(str(tmp_path / "lake"))
    s3 = request.getfixturevalue("s3")
    for key, value in s3.env().items():
        monkeypatch.setenv(key, value)
    uri = f"s3://nashra-claims-{uuid.uuid4().hex[:8]}/lake"
    ensure_bucket(uri)
    return open_lake(uri)


def _held_by_another_worker(lake: Lake, batch: str, lease_until: datetime, **owner: object) -> None:
    doc = {"run": None, "host": "another-host", "pid": 1, **owner, "lease_until": lease_until.isoformat()}
    assert lake.create_exclusive(claim_path("process", "o1", batch), json.dumps(doc).encode())


def test_a_live_claim_of_another_worker_is_respected_and_a_lapsed_one_taken_over(lake: Lake) -> None:
    _held_by_another_worker(lake, "b1", NOW + timedelta(minutes=5))
    assert claim(lake, "process", "o1", "b1", now=NOW) is None
    mine = claim(lake, "process", "o1", "b1", now=NOW + timedelta(minutes=6))  # the lease lapsed
    assert mine is not None and mine.owner["pid"] == os.getpid()
    release(lake, mine)


def test_a_claim_is_exclusive_until_released(lake: Lake) -> None:
    first = claim(lake, "process", "o1", "b2", run_id="run-a", now=NOW)
    assert first is not None
    _other = {"run": "run-b", "host": "another-host", "pid": 1}
    # Another worker (another host) meanwhile: its create fails, the live lease stands.
    assert not lake.create_exclusive(claim_path("process", "o1", "b2"), json.dumps(_other).encode())
    assert first.first and is_held(lake, "process", "o1", "b2")
    release(lake, first)
    assert not is_held(lake, "process", "o1", "b2")  # a released tombstone stays
    again = claim(lake, "process", "o1", "b2", now=NOW)
    # Worked on before: the new worker's commits replace the batch's rows, they do not append.
    assert again is not None and not again.first


def test_a_dead_workers_claim_on_this_host_and_a_retry_of_the_same_run_take_over(lake: Lake) -> None:
    import socket

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    _held_by_another_worker(
        lake, "b3", NOW + timedelta(hours=1), host=socket.gethostname(), pid=int(dead.stdout)
    )
    assert claim(lake, "process", "o1", "b3", now=NOW) is not None  # its process is gone
    _held_by_another_worker(lake, "b4", NOW + timedelta(hours=1), run="scheduled__2026-02-02")
    assert claim(lake, "process", "o1", "b4", run_id="other-run", now=NOW) is None
    assert claim(lake, "process", "o1", "b4", run_id="scheduled__2026-02-02", now=NOW) is not None


# The winner stays alive while the others race: a claim whose process is gone (same host, dead pid)
# may be taken over by design, and a racer started late under load would then win too.
RACE = """
import sys, time
from nashra.core.lake import open_lake
from nashra.core.ledger import claim
won = claim(open_lake(sys.argv[1]), "process", "o1", "race", run_id=sys.argv[2])
print("won" if won else "lost", flush=True)
if won:
    time.sleep(20)
"""


def test_racing_claimants_end_with_exactly_one_winner(lake: Lake) -> None:
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, lake.uri, f"run-{i}"], stdout=subprocess.PIPE, text=True
        )
        for i in range(4)
    ]
    answers = sorted(p.stdout.readline().strip() for p in racers)  # each answers, then the winner holds
    for p in racers:
        p.kill()
        p.wait(timeout=30)
    assert answers == ["lost", "lost", "lost", "won"]


def test_the_process_stage_leaves_a_claimed_batch_to_its_worker(crawled_raw, tmp_path: Path) -> None:
    from devkit.fixture_web.truth import REGISTRY_PATH
    from nashra.core.registry import load_registry
    from nashra.stages.process import process_outlet

    source = crawled_raw(("qna_en",))
    lake = open_lake(str(tmp_path / "lake"))
    for rel in source.list("raw/outlet=qna_en", ".warc.gz"):
        lake.write_bytes(rel, source.read_bytes(rel))
    outlet = load_registry(REGISTRY_PATH).get("qna_en")
    (batch,) = raw_batches(lake, "qna_en")
    later = datetime.now(UTC) + timedelta(minutes=10)
    doc = {"run": "another-run", "host": "another-host", "pid": 1, "lease_until": later.isoformat()}
    assert lake.create_exclusive(claim_path("process", "qna_en", batch), json.dumps(doc).encode())

    assert process_outlet(lake, outlet) == []  # held elsewhere: skipped, not done twice
    assert pending_batches(lake, "qna_en", "process") == [batch]
    assert lake.dataset("articles") is None

    lake.delete(claim_path("process", "qna_en", batch))  # its worker released it without finishing
    (report,) = process_outlet(lake, outlet)
    assert report.batch_id == batch and report.stored > 0
    assert pending_batches(lake, "qna_en", "process") == []
    assert not is_held(lake, "process", "qna_en", batch)  # released
