"""The lake on a local directory and on a real S3 server (SeaweedFS): files and Delta tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from nashra.core.lake import LakeError, open_lake
from nashra.core.tables import TableError, commit_batch, open_table
from nashra.stages.dedup_keys import SCHEMA as KEYS


def _keys(batch: str, n: int, outlet: str = "x") -> pa.Table:
    rows = [
        {"key": f"id:{batch}-{i}", "article_id": f"{batch}-{i}", "dedup_status": "canonical",
         "outlet_id": outlet, "batch_id": batch}
        for i in range(n)
    ]  # fmt: skip
    return pa.Table.from_pylist(rows, schema=KEYS)


def test_a_writer_failing_half_way_publishes_nothing_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    lake = open_lake(str(tmp_path / "lake"))
    rel = "scratch/date=2026-02-01/b1.parquet"
    table = pa.table({"id": ["a", "b", "c"]})
    lake.write_parquet(rel, table)
    before = (tmp_path / "lake" / rel).read_bytes()
    real_write = pq.write_table

    def dies_half_way(table: pa.Table, sink: object, **kwargs: object) -> None:
        real_write(table.slice(0, 1), sink, **kwargs)  # some bytes reach the file, then the crash
        raise OSError("disk gone")

    monkeypatch.setattr(pq, "write_table", dies_half_way)
    with pytest.raises(OSError, match="disk gone"):
        lake.write_parquet(rel, table)
    with pytest.raises(OSError, match="disk gone"):
        lake.write_parquet("scratch/date=2026-02-01/b2.parquet", table)
    monkeypatch.undo()
    assert (tmp_path / "lake" / rel).read_bytes() == before
    # A writer killed by SIGKILL leaves its dot-file behind (no finally runs); listings skip it.
    (tmp_path / "lake/scratch/date=2026-02-01/.tmp-dead-b3.parquet").write_bytes(b"PAR1junk")
    assert lake.list("scratch", ".parquet") == [rel]


def test_a_batch_commit_appends_once_and_a_rerun_replaces_its_rows(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    commit_batch(lake, "dedup_keys", _keys("b1", 3), outlet_id="x", batch_id="b1", replace=False)
    commit_batch(lake, "dedup_keys", _keys("b2", 2), outlet_id="x", batch_id="b2", replace=False)
    # The re-run of b1 finds fewer rows: the commit swaps them, the other batch is untouched.
    commit_batch(lake, "dedup_keys", _keys("b1", 1), outlet_id="x", batch_id="b1", replace=True)
    rows = lake.dataset("dedup_keys").to_table().to_pylist()
    assert sorted(r["article_id"] for r in rows) == ["b1-0", "b2-0", "b2-1"]
    commit_batch(lake, "dedup_keys", _keys("b1", 0), outlet_id="x", batch_id="b1", replace=True)
    assert lake.dataset("dedup_keys").count_rows() == 2
    table = open_table(lake, "dedup_keys")
    assert table is not None and table.version() == 4  # created empty, then three batch commits
    # Each commit names its batch: the table's history says who wrote what.
    assert {h.get("nashra.batch") for h in table.history()} >= {"b1", "b2"}


def test_a_lake_in_the_layout_before_delta_is_refused_with_the_command_that_migrates_it(
    tmp_path: Path,
) -> None:
    lake = open_lake(str(tmp_path))
    lake.write_parquet("articles/outlet=x/date=2026-02-01/part-b1.parquet", pa.table({"article_id": ["a"]}))
    with pytest.raises(TableError, match="nashra lake migrate"):
        lake.dataset("articles")


def test_bad_uri_gives_a_clear_error() -> None:
    with pytest.raises(LakeError, match="unsupported lake URI"):
        open_lake("ftp://example.org/x")
    with pytest.raises(LakeError, match="no bucket"):
        open_lake("s3:///prefix")


def test_s3_lake_round_trip_on_seaweedfs(s3_lake_uri: str) -> None:
    lake = open_lake(s3_lake_uri)
    commit_batch(lake, "dedup_keys", _keys("b1", 5), outlet_id="x", batch_id="b1", replace=False)
    commit_batch(lake, "dedup_keys", _keys("b1", 4), outlet_id="x", batch_id="b1", replace=True)
    lake.write_json("_manifests/process/outlet=x/b1.json", {"rows": 5})
    # Larger than the multipart threshold, so the multipart path (identities config) is exercised.
    payload = b"w" * (12 * 1024 * 1024)
    lake.write_bytes("raw/outlet=x/date=2026-02-01/b1.warc.gz", payload)
    assert lake.read_bytes("raw/outlet=x/date=2026-02-01/b1.warc.gz") == payload
    assert lake.read_json("_manifests/process/outlet=x/b1.json") == {"rows": 5}
    assert lake.dataset("dedup_keys").count_rows() == 4
    assert lake.exists("_manifests/process/outlet=x/b1.json")
    assert not lake.exists("_manifests/process/outlet=x/b2.json")


_WRITER = """
import sys
from nashra.core.lake import open_lake
from nashra.core.tables import commit_batch
from tests.integration.test_lake import _keys
lake = open_lake(sys.argv[1])
outlet = sys.argv[2]
for i in range(int(sys.argv[3])):
    batch = f"{outlet}-{i}"
    # Every other commit is a re-run (replace): appends and predicate overwrites interleave.
    commit_batch(lake, "dedup_keys", _keys(batch, 3, outlet), outlet_id=outlet, batch_id=batch, replace=False)
    commit_batch(lake, "dedup_keys", _keys(batch, 2, outlet), outlet_id=outlet, batch_id=batch, replace=True)
"""


def test_concurrent_writers_on_s3_lose_no_commit_and_double_no_row(s3_lake_uri: str) -> None:
    lake = open_lake(s3_lake_uri)
    commit_batch(lake, "dedup_keys", _keys("seed", 1), outlet_id="seed", batch_id="seed", replace=False)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, s3_lake_uri, outlet, "6"], cwd=root, env=env)
        for outlet in ("o1", "o2", "o3")
    ]
    assert [w.wait(timeout=300) for w in writers] == [0, 0, 0]
    rows = lake.dataset("dedup_keys").to_table().to_pylist()
    expected = {f"{o}-{i}-{j}" for o in ("o1", "o2", "o3") for i in range(6) for j in range(2)}
    assert sorted(r["article_id"] for r in rows) == sorted(expected | {"seed-0"})
    assert open_table(lake, "dedup_keys").version() == 37  # created, the seed, 36 commits


def test_a_key_lookup_after_maintenance_reads_one_row_group_per_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    import pyarrow.parquet as pq

    from nashra.core.tables import SPECS
    from nashra.ops.maintenance import maintain_table
    from nashra.stages.dedup_keys import id_key, load_lake_index

    lake = open_lake(str(tmp_path))
    ids = [hashlib.md5(str(i).encode()).hexdigest() for i in range(6 * SPECS["dedup_keys"].row_group_rows)]
    for n, start in enumerate(range(0, len(ids), 2000)):
        chunk = ids[start : start + 2000]
        rows = [{"key": id_key(a), "article_id": a, "dedup_status": "canonical", "outlet_id": "x",
                 "batch_id": f"b{n}"} for a in chunk]  # fmt: skip
        commit_batch(
            lake,
            "dedup_keys",
            pa.Table.from_pylist(rows, KEYS),
            outlet_id="x",
            batch_id=f"b{n}",
            replace=False,
        )
    maintain_table(lake, "dedup_keys", retention_hours=0)
    groups: list[int] = []
    real = pq.ParquetFile.read_row_groups

    def counted(self: pq.ParquetFile, row_groups: list[int], **kwargs: object) -> pa.Table:
        groups.extend(row_groups)
        return real(self, row_groups, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", counted)
    import nashra.stages.dedup_keys

    # A year's sorted key files are far larger than this one: take their path (footer, row groups).
    monkeypatch.setattr(nashra.stages.dedup_keys, "WHOLE_FILE_BYTES", 0)
    stored = ids[::5000]
    wanted = [*stored, "not-stored"]
    index = load_lake_index(lake, "none", wanted, [hashlib.md5(b"x").hexdigest()])
    assert index.article_ids == set(stored) and not index.canonical_by_hash
    # Of the 6 row groups, at most one per stored key: the others cannot hold a wanted key.
    assert 1 <= len(groups) <= len(stored) < 6


def test_a_corrupt_or_lost_table_log_is_one_clear_line_not_an_empty_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from nashra.cli.main import main
    from nashra.core import tables

    lake = open_lake(str(tmp_path))
    commit_batch(lake, "dedup_keys", _keys("b1", 3), outlet_id="x", batch_id="b1", replace=False)
    commit_batch(lake, "articles", pa.table({"outlet_id": ["x"], "batch_id": ["b1"]}), outlet_id="x",
                 batch_id="b1", replace=False)  # fmt: skip
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path))
    log = tmp_path / "articles" / "_delta_log"
    newest = sorted(log.glob("*.json"))[-1]
    newest.write_text("{not json")  # a torn or corrupted commit
    tables._OPEN.clear()  # as a new process would find it
    assert main(["lake", "show", "--table", "articles"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DeltaError" in err and "Traceback" not in err
    shutil.rmtree(log)  # the log lost, the data files left
    tables._OPEN.clear()
    assert main(["lake", "show"]) == 2
    assert "no table log" in capsys.readouterr().err
    with pytest.raises(TableError, match="no table log"):
        commit_batch(lake, "articles", pa.table({"outlet_id": ["x"], "batch_id": ["b2"]}), outlet_id="x",
                     batch_id="b2", replace=False)  # fmt: skip


def _article_row(article_id: str, **extra: object) -> dict[str, object]:
    from datetime import UTC, datetime

    when = datetime(2026, 2, 1, 9, tzinfo=UTC)
    return {
        "article_id": article_id, "canonical_url": f"https://x.test/{article_id}",
        "url": f"https://x.test/{article_id}", "outlet_id": "x", "country": "MA", "language": "ar",
        "title": "عنوان", "body": "نص", "published_at": when, "fetched_at": when, "content_hash": "h",
        "word_count": 1, "batch_id": extra.pop("batch_id", "b1"), "page_id": "p",
        "dedup_status": "canonical", **extra,
    }  # fmt: skip


def test_a_lake_written_before_a_nullable_field_existed_stays_readable_and_appendable(
    tmp_path: Path,
) -> None:
    """`dialect` (or any nullable field added to fields.yaml) on a lake whose articles table was
    created without it: readers that ask for every schema column still read it, and the first write
    that carries the column adds it to the table; the older rows read it as null."""
    import schemas
    from nashra.core.tables import read_batch
    from nashra.ops.reindex import rows_from_lake

    current = schemas.parquet_schema("articles")
    old = pa.schema([f for f in current if f.name != "dialect"])
    lake = open_lake(str(tmp_path))
    rows = pa.Table.from_pylist([_article_row("old")], schema=old)
    commit_batch(lake, "articles", rows, outlet_id="x", batch_id="b1", replace=False)
    assert [r["article_id"] for r in rows_from_lake(lake)] == ["old"]
    columns = [f.name for f in current]
    assert "dialect" not in read_batch(lake, "articles", "x", "b1", columns).column_names

    new = pa.Table.from_pylist([_article_row("new", batch_id="b2", dialect="ary")], schema=current)
    commit_batch(lake, "articles", new, outlet_id="x", batch_id="b2", replace=False)
    # A re-run of the old batch (a replace) writes the new column too.
    commit_batch(lake, "articles", rows.append_column("dialect", pa.nulls(1, pa.string())).select(columns),
                 outlet_id="x", batch_id="b1", replace=True)  # fmt: skip
    got = {r["article_id"]: r["dialect"] for r in rows_from_lake(lake)}
    assert got == {"old": None, "new": "ary"}
    assert read_batch(lake, "articles", "x", "b2", columns).column("dialect").to_pylist() == ["ary"]


def test_a_required_field_missing_from_the_table_is_refused(tmp_path: Path) -> None:
    import schemas

    current = schemas.parquet_schema("articles")
    lake = open_lake(str(tmp_path))
    without = pa.schema([f for f in current if f.name != "word_count"])
    row = _article_row("a")
    del row["word_count"]
    commit_batch(lake, "articles", pa.Table.from_pylist([row], schema=without), outlet_id="x",
                 batch_id="b1", replace=False)  # fmt: skip
    with pytest.raises(TableError, match="word_count"):
        commit_batch(lake, "articles", pa.Table.from_pylist([_article_row("b")], schema=current),
                     outlet_id="x", batch_id="b2", replace=False)  # fmt: skip
