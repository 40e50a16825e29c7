"""`python -m devkit bench --quick` runs end to end on a handful of inputs and writes its JSON.

A smoke test of the bench code, not a timed test: no figure is compared with a target here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench import neardup as bench_neardup
from devkit.cli import main
from transforms.neardup import NUM_PERM, NearDupIndex, band_keys


def test_quick_bench_writes_every_section_and_the_table(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["results"]) == {"process", "lake", "neardup", "history"}
    history = report["results"]["history"]
    assert history["year"]["rows"]["articles"] == 37_000 and history["pages_per_batch"] >= 30
    for lake in ("empty_lake", "month_lake", "year_lake"):  # the same batch stored and indexed in each
        (run,) = history[lake]["rounds"]
        assert run["stored"] > 0 and run["indexed"] == run["stored"] and history[lake]["requests"] > 0
    assert report["results"]["process"]["pages"] > 0
    assert report["results"]["lake"]["local"]["rows"] == 200
    assert {r["impl"] for r in report["results"]["neardup"]} == {"numpy", "datasketch"}
    assert all("ratio" in row and "target" in row for row in report["table"])


def test_numpy_lsh_finds_exactly_the_band_sharing_signatures_across_flushes() -> None:
    sigs, _planted = bench_neardup.synthetic_signatures(600, seed=3)
    index = NearDupIndex(pending_max=64)  # small, so queries cross pending keys and merged runs
    for i, sig in enumerate(sigs[:500]):
        index.add(str(i), sig)
    keys = band_keys(sigs)
    for q in range(500, 600):
        expected = {i for i in range(500) if (keys[i] == keys[q]).any()}
        assert set(index.candidates(sigs[q]).tolist()) == expected
    assert index.best_match(sigs[7]) == ("7", 1.0)
    assert len(index) == 500 and index.signature("7").shape == (NUM_PERM,)
    assert np.array_equal(index.signature("7"), sigs[7])
