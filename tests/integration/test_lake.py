"""The lake on a local directory and on a real S3 server (SeaweedFS)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from nashra.core.lake import LakeError, open_lake


def _table(n: int) -> pa.Table:
    return pa.table({"id": [f"a{i}" for i in range(n)], "n": list(range(n))})


def test_a_writer_failing_half_way_publishes_nothing_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    lake = open_lake(str(tmp_path / "lake"))
    rel = "articles/outlet=x/date=2026-02-01/part-b1.parquet"
    lake.write_parquet(rel, _table(3))
    before = (tmp_path / "lake" / rel).read_bytes()
    real_write = pq.write_table

    def dies_half_way(table: pa.Table, sink: object, **kwargs: object) -> None:
        real_write(table.slice(0, 1), sink, **kwargs)  # some bytes reach the file, then the crash
        raise OSError("disk gone")

    monkeypatch.setattr(pq, "write_table", dies_half_way)
    with pytest.raises(OSError, match="disk gone"):
        lake.write_parquet(rel, _table(5))
    with pytest.raises(OSError, match="disk gone"):
        lake.write_parquet("articles/outlet=x/date=2026-02-01/part-b2.parquet", _table(5))
    monkeypatch.undo()
    assert (tmp_path / "lake" / rel).read_bytes() == before
    leftovers = sorted(p.name for p in (tmp_path / "lake/articles/outlet=x/date=2026-02-01").iterdir())
    assert leftovers == ["part-b1.parquet"]
    assert lake.dataset("articles").count_rows() == 3


def test_readers_skip_hidden_temp_files(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path / "lake"))
    lake.write_parquet("articles/outlet=x/date=2026-02-01/part-b1.parquet", _table(3))
    # A writer killed by SIGKILL leaves its dot-file behind (no finally runs); readers skip it.
    (tmp_path / "lake/articles/outlet=x/date=2026-02-01/.tmp-dead-part-b2.parquet").write_bytes(b"PAR1junk")
    assert lake.list("articles", ".parquet") == ["articles/outlet=x/date=2026-02-01/part-b1.parquet"]
    dataset = lake.dataset("articles")
    assert dataset is not None
    table = dataset.to_table()
    assert table.num_rows == 3
    assert set(table.column("outlet").to_pylist()) == {"x"}


def test_rewriting_the_same_batch_replaces_rows(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    rel = "articles/outlet=x/date=2026-02-01/part-b1.parquet"
    lake.write_parquet(rel, _table(3))
    lake.write_parquet(rel, _table(3))
    assert lake.dataset("articles").count_rows() == 3


def test_bad_uri_gives_a_clear_error() -> None:
    with pytest.raises(LakeError, match="unsupported lake URI"):
        open_lake("ftp://example.org/x")
    with pytest.raises(LakeError, match="no bucket"):
        open_lake("s3:///prefix")


def test_s3_lake_round_trip_on_seaweedfs(s3_lake_uri: str) -> None:
    lake = open_lake(s3_lake_uri)
    lake.write_parquet("articles/outlet=x/date=2026-02-01/part-b1.parquet", _table(5))
    lake.write_json("_manifests/process/outlet=x/b1.json", {"rows": 5})
    # Larger than the multipart threshold, so the multipart path (identities config) is exercised.
    payload = b"w" * (12 * 1024 * 1024)
    lake.write_bytes("raw/outlet=x/date=2026-02-01/b1.warc.gz", payload)
    assert lake.read_bytes("raw/outlet=x/date=2026-02-01/b1.warc.gz") == payload
    assert lake.read_json("_manifests/process/outlet=x/b1.json") == {"rows": 5}
    assert lake.dataset("articles").count_rows() == 5
    assert lake.exists("_manifests/process/outlet=x/b1.json")
    assert not lake.exists("_manifests/process/outlet=x/b2.json")
