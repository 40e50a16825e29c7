"""A local lake's listing survives a directory removed while it is walked (another process's
temporary folder): three workers creating the same Delta table at once failed one of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nashra.core.lake import open_lake


class _VanishingOnce:
    """The local file system, except that the first recursive walk finds a directory gone."""

    def __init__(self, fs: Any) -> None:
        self.fs, self.walks = fs, 0

    def get_file_info(self, what: Any) -> Any:
        if not isinstance(what, str):
            self.walks += 1
            if self.walks == 1:
                raise FileNotFoundError("[Errno 2] Cannot list directory '.../dedup_keys/_delta_log/.tmp'")
        return self.fs.get_file_info(what)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fs, name)


def test_a_walk_that_loses_a_directory_walks_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = open_lake(str(tmp_path))
    lake.write_bytes("dedup_keys/part-0.parquet", b"x")
    flaky = _VanishingOnce(lake.fs)
    monkeypatch.setattr(lake, "fs", flaky)
    assert lake.list("dedup_keys", ".parquet") == ["dedup_keys/part-0.parquet"]
    assert flaky.walks == 2
    assert lake.list("nothing-here") == []


def test_a_walk_that_keeps_failing_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = open_lake(str(tmp_path))

    class Gone:
        def get_file_info(self, what: Any) -> Any:
            raise FileNotFoundError("gone")

    monkeypatch.setattr(lake, "fs", Gone())
    with pytest.raises(FileNotFoundError):
        lake.list("x")
