"""`nashra lake migrate` (the layout before Delta -> Delta tables) and `nashra lake maintain`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from devkit.fixture_web.truth import REGISTRY_PATH
from nashra.cli.main import main
from nashra.core.lake import Lake, open_lake
from nashra.core.ledger import legacy_table_files, legacy_table_path, pending_batches
from nashra.core.registry import load_registry
from nashra.core.tables import append, open_table
from nashra.stages.dedup_keys import load_lake_index
from nashra.stages.process import process_outlet

TABLES = ("articles", "quarantine", "url_duplicates", "signatures", "dedup_keys")


def _processed(crawled_raw, root: Path) -> Lake:
    source = crawled_raw(("qna_en",))
    lake = open_lake(str(root))
    for rel in source.list("raw/outlet=qna_en", ".warc.gz"):
        lake.write_bytes(rel, source.read_bytes(rel))
    append(lake, "fetched", source.dataset("fetched").to_table())  # the crawl's fetched URLs too
    process_outlet(lake, load_registry(REGISTRY_PATH).get("qna_en"))
    return lake


def _rows(lake: Lake, table: str) -> list[dict]:
    data = lake.dataset(table)
    return data.to_table().to_pylist() if data is not None else []


def _as_legacy(delta: Lake, root: Path) -> Lake:
    """The same lake as the code before Delta wrote it: a Parquet file per batch, table and day
    (signatures: per month and outlet), with the raw archive and the manifests alongside."""
    legacy = open_lake(str(root))
    for prefix in ("raw", "_claims", "_gx"):
        for rel in delta.list(prefix):
            legacy.write_bytes(rel, delta.read_bytes(rel))
    for rel in delta.list("_manifests"):  # before dated folders: _manifests/<stage>/outlet=<id>/<batch>.json
        stage_outlet, _day, name = rel.rsplit("/", 2)
        legacy.write_bytes(f"{stage_outlet}/{name}", delta.read_bytes(rel))
    for table, day_of in (
        ("articles", "published_at"),
        ("quarantine", "fetched_at"),
        ("url_duplicates", "fetched_at"),
    ):
        groups: dict[tuple[str, str, str], list[dict]] = {}
        for row in _rows(delta, table):
            day = row[day_of].strftime("%Y-%m-%d")
            groups.setdefault((row["outlet_id"], day, row["batch_id"]), []).append(row)
        for (outlet, day, batch), rows in groups.items():
            schema = delta.dataset(table).schema
            legacy.write_parquet(
                legacy_table_path(table, outlet, day, batch), pa.Table.from_pylist(rows, schema)
            )
    fetched: dict[tuple[str, str, str, str], list[dict]] = {}
    for row in _rows(delta, "fetched"):  # before: no outlet or family column (path and file name)
        outlet, family = row.pop("outlet_id"), row.pop("family")
        day = row["fetched_at"].strftime("%Y-%m-%d")
        fetched.setdefault((outlet, day, row["batch_id"], family), []).append(row)
    for (outlet, day, batch, family), rows in fetched.items():
        rel = legacy_table_path("fetched", outlet, day, batch, family)
        legacy.write_parquet(rel, pa.Table.from_pylist(rows))
    for row in _rows(delta, "signatures"):
        month = row.pop("month")
        name = f"part-{row['batch_id']}-{row['article_id']}.parquet"
        rel = f"signatures/month={month}/outlet={row['outlet_id']}/{name}"
        legacy.write_parquet(rel, pa.Table.from_pylist([row]))
    counts = ("pages_fetched", "bytes_fetched", "articles_valid", "articles_duplicate", "url_duplicates")
    metrics = {"outlet_id": "qna_en", "stage": "process", "run_id": "r1", "duration_s": 1.0, "errors": "{}",
               "started_at": _rows(delta, "articles")[0]["fetched_at"], "quarantined": 1, "indexed": 0,
               "failed": None, **dict.fromkeys(counts, 2)}  # fmt: skip
    legacy.write_parquet(
        "_metrics/outlet=qna_en/date=2026-02-02/process-r1.parquet", pa.Table.from_pylist([metrics])
    )
    return legacy


def test_a_lake_in_the_old_layout_migrates_in_place_with_equal_counts_and_keeps_working(
    tmp_path: Path, crawled_raw, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    delta = _processed(crawled_raw, tmp_path / "delta")
    legacy = _as_legacy(delta, tmp_path / "legacy")
    monkeypatch.setenv("NASHRA_LAKE_URI", legacy.uri)

    assert main(["lake", "show"]) == 2  # refused, with the way out in one line
    assert "nashra lake migrate" in capsys.readouterr().err

    assert main(["lake", "migrate"]) == 0
    out = capsys.readouterr().out
    assert "row counts equal per table" in out and "manifests moved to dated folders" in out
    assert sorted(legacy.list("_manifests")) == sorted(delta.list("_manifests"))
    for table in TABLES:
        before = sorted(json.dumps(r, sort_keys=True, default=str) for r in _rows(delta, table))
        after = sorted(json.dumps(r, sort_keys=True, default=str) for r in _rows(legacy, table))
        assert after == before, table
        assert legacy_table_files(legacy, table if table != "dedup_keys" else "articles") == []
    # The fetched URLs came along (their family was a file name before: it is not restored).
    urls = [sorted(r["url"] for r in _rows(lake, "fetched")) for lake in (legacy, delta)]
    assert urls[0] == urls[1] and urls[0] and legacy_table_files(legacy, "fetched") == []
    assert legacy.dataset("metrics").count_rows() == 1

    assert main(["lake", "migrate"]) == 0  # again: nothing left to do, nothing doubled
    assert "nothing to migrate" in capsys.readouterr().out
    assert legacy.dataset("articles").count_rows() == delta.dataset("articles").count_rows()

    # The ledger came along: nothing is pending, and dedup sees the migrated history.
    assert pending_batches(legacy, "qna_en", "process") == []
    stored = _rows(legacy, "articles")
    index = load_lake_index(legacy, "another-batch", [r["article_id"] for r in stored], [])
    assert index.article_ids == {r["article_id"] for r in stored}


def test_an_interrupted_migration_finishes_without_migrating_twice(tmp_path: Path, crawled_raw) -> None:
    from nashra.ops.migrate import migrate

    delta = _processed(crawled_raw, tmp_path / "delta")
    legacy = _as_legacy(delta, tmp_path / "legacy")
    files = legacy_table_files(legacy, "articles")
    migrate(legacy)
    # As if the first run died after its commit, while deleting: some legacy files are back.
    for row_file in files[:1]:
        legacy.write_parquet(row_file, pa.table({"article_id": ["ghost"]}))
    (entry, *_) = migrate(legacy).tables
    assert entry.state == "finished an interrupted run"
    assert legacy.dataset("articles").count_rows() == delta.dataset("articles").count_rows()


def test_migrating_to_a_new_uri_copies_the_raw_archive_and_the_ledger(
    tmp_path: Path, crawled_raw, monkeypatch: pytest.MonkeyPatch
) -> None:
    delta = _processed(crawled_raw, tmp_path / "delta")
    legacy = _as_legacy(delta, tmp_path / "legacy")
    monkeypatch.setenv("NASHRA_LAKE_URI", legacy.uri)
    target = tmp_path / "new"
    assert main(["lake", "migrate", "--to", str(target)]) == 0
    assert main(["lake", "migrate", "--to", str(target)]) == 0  # idempotent
    new = open_lake(str(target))
    assert new.dataset("articles").count_rows() == delta.dataset("articles").count_rows()
    assert legacy_table_files(legacy, "articles")  # the source is left as it was
    assert new.list("raw") == legacy.list("raw") and pending_batches(new, "qna_en", "process") == []


_WRITER = """
import sys
from nashra.core.lake import open_lake
from nashra.core.tables import commit_batch
from tests.integration.test_lake import _keys
lake = open_lake(sys.argv[1])
for i in range(int(sys.argv[2])):
    batch = f"w-{i}"
    commit_batch(lake, "dedup_keys", _keys(batch, 3, "w"), outlet_id="w", batch_id=batch, replace=i % 2 == 1)
"""


def test_maintenance_compacts_sorts_and_vacuums_without_losing_a_row_while_a_writer_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nashra.core.tables import commit_batch
    from nashra.ops.maintenance import maintain_table
    from tests.integration.test_lake import _keys

    lake = open_lake(str(tmp_path / "lake"))
    for i in range(30):
        commit_batch(lake, "dedup_keys", _keys(f"b{i}", 4), outlet_id="x", batch_id=f"b{i}", replace=False)
    before = open_table(lake, "dedup_keys")
    assert len(before.file_uris()) == 30
    wanted = ["b3-1", "b17-0", "b29-3", "nowhere"]
    found = load_lake_index(lake, "none", wanted, []).article_ids

    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, lake.uri, "12"], cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    report = maintain_table(lake, "dedup_keys", retention_hours=0)
    assert writer.wait(timeout=300) == 0
    assert report.files_rewritten >= 30 and report.files_after < report.files_before
    rows = lake.dataset("dedup_keys").to_table().to_pylist()
    assert len(rows) == 30 * 4 + 12 * 3 and len({r["key"] for r in rows}) == len(rows)
    assert load_lake_index(lake, "none", wanted, []).article_ids == found == {"b3-1", "b17-0", "b29-3"}

    # Again, from the CLI: idempotent, one metrics row per run with what was done per table.
    monkeypatch.setenv("NASHRA_LAKE_URI", lake.uri)
    assert main(["lake", "maintain", "--tables", "dedup_keys", "articles"]) == 0
    assert "1 tables maintained, 1 not created yet" in capsys.readouterr().out
    (run,) = [r for r in lake.dataset("metrics").to_table().to_pylist() if r["stage"] == "maintain"]
    assert json.loads(run["details"])["dedup_keys"]["files_after"] >= 1
    assert lake.dataset("dedup_keys").count_rows() == len(rows)
    assert main(["lake", "maintain", "--tables", "nope"]) == 2
    # The hourly run bins small files and leaves the sorted ones as they are.
    commit_batch(lake, "dedup_keys", _keys("late", 2), outlet_id="x", batch_id="late", replace=False)
    files = len(open_table(lake, "dedup_keys").file_uris())
    assert main(["lake", "maintain", "--light", "--tables", "dedup_keys"]) == 0
    assert len(open_table(lake, "dedup_keys").file_uris()) <= files
    assert lake.dataset("dedup_keys").count_rows() == len(rows) + 2
