"""The lake on a local directory and on a real S3 server (SeaweedFS)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from nashra.core.lake import LakeError, open_lake


def _table(n: int) -> pa.Table:
    return pa.table({"id": [f"a{i}" for i in range(n)], "n": list(range(n))})


def test_local_write_is_atomic_and_hidden_temp_files_are_skipped(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path / "lake"))
    lake.write_parquet("articles/outlet=x/date=2026-02-01/part-b1.parquet", _table(3))
    # A crashed writer leaves only a dot-file behind; readers must not see it.
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
