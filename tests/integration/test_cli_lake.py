"""`nashra lake show` on a processed lake: every table joinable by SQL (metrics included), output
that survives a pipe, and bad SQL as one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.fixture_web.truth import REGISTRY_PATH
from nashra.core.lake import open_lake

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lake_env(crawled_raw, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from nashra.stages import tasks

    source = crawled_raw(("qna_en",))
    uri = str(tmp_path_factory.mktemp("cli-lake") / "lake")
    lake = open_lake(uri)
    for rel in source.list("raw/outlet=qna_en", ".warc.gz"):
        lake.write_bytes(rel, source.read_bytes(rel))
    env = {"NASHRA_LAKE_URI": uri, "NASHRA_REGISTRY": str(REGISTRY_PATH), "NASHRA_LOCAL_SERVICES": "0"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        (report,) = tasks.process("qna_en")  # publishes the run's metrics row too
    assert report["stored"] == 1
    return env


def _nashra(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nashra.cli", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,  # a pipe, as in `nashra lake show | less`
        text=True,
        timeout=120,
    )


def test_piped_output_keeps_long_values_whole(lake_env: dict[str, str]) -> None:
    (url,) = [
        r["url"] for r in open_lake(lake_env["NASHRA_LAKE_URI"]).dataset("articles").to_table().to_pylist()
    ]
    assert len(url) > 80
    result = _nashra(lake_env, "lake", "show", "--sql", "SELECT url, outlet_id FROM articles")
    assert result.returncode == 0, result.stderr
    assert url in result.stdout  # one piece, not wrapped at 80 columns


def test_metrics_are_a_table_like_the_others(lake_env: dict[str, str]) -> None:
    result = _nashra(
        lake_env,
        "lake",
        "show",
        "--sql",
        "SELECT m.stage, count(*) AS n FROM metrics m "
        "JOIN articles a ON a.outlet_id = m.outlet_id GROUP BY 1",
    )
    assert result.returncode == 0, result.stderr
    assert "process" in result.stdout
    assert _nashra(lake_env, "lake", "show", "--table", "metrics").returncode == 0


def test_bad_sql_is_one_line(lake_env: dict[str, str]) -> None:
    result = _nashra(lake_env, "lake", "show", "--sql", "SELEC nothing FROM articles")
    assert result.returncode == 2
    assert result.stderr.startswith("nashra lake: UsageError: --sql: Parser Error")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_rows_as_json_and_tsv_for_other_programs(lake_env: dict[str, str]) -> None:
    import csv
    import io
    import json

    (row,) = open_lake(lake_env["NASHRA_LAKE_URI"]).dataset("articles").to_table().to_pylist()
    sql = "SELECT url, title, published_at FROM articles"
    as_json = _nashra(lake_env, "lake", "show", "--sql", sql, "--json")
    assert as_json.returncode == 0, as_json.stderr
    (record,) = json.loads(as_json.stdout)  # stdout is the rows, nothing else
    assert record["url"] == row["url"] and record["title"] == row["title"]
    assert record["published_at"].startswith(row["published_at"].strftime("%Y-%m-%d %H:%M"))
    as_tsv = _nashra(lake_env, "lake", "show", "--sql", sql, "--tsv")
    assert as_tsv.returncode == 0, as_tsv.stderr
    (parsed,) = list(csv.DictReader(io.StringIO(as_tsv.stdout), delimiter="\t"))
    assert parsed["url"] == row["url"] and parsed["title"] == " ".join(row["title"].split("\n"))


def test_a_stage_summary_as_json(lake_env: dict[str, str]) -> None:
    import json

    result = _nashra(lake_env, "process", "qna_en", "--json")  # nothing pending: the batch is done
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"outlet": "qna_en", "result": [], "error": None}]
    assert "nothing to do" in result.stderr  # said, but not in the way of the JSON
