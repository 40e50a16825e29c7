"""Listings for other programs: --json and --tsv print rows on stdout and nothing else."""

from __future__ import annotations

import argparse
import csv
import io
import json

import pytest

from devkit.fixture_web.truth import REGISTRY_PATH
from nashra.cli.common import emit_rows, report_table
from nashra.cli.main import main


def test_tsv_keeps_one_row_per_line_whatever_the_values() -> None:
    args = argparse.Namespace(json=False, tsv=True)
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdout", out)
        assert emit_rows(args, ["a", "b", "c"], [["x\ty", "line\nbreak", None], [1, ["ar", "fr"], True]])
    lines = out.getvalue().splitlines()
    assert lines == ["a\tb\tc", "x y\tline break\t", '1\t["ar", "fr"]\ttrue']


def test_a_table_is_left_to_the_table_printer() -> None:
    assert not emit_rows(argparse.Namespace(json=False, tsv=False), ["a"], [[1]])


def test_registry_lists_its_outlets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", str(REGISTRY_PATH), "--json"]) == 0
    outlets = json.loads(capsys.readouterr().out)
    assert {o["id"] for o in outlets} >= {"hespress_ar", "qna_en"}
    hespress = next(o for o in outlets if o["id"] == "hespress_ar")
    assert hespress["country"] == "MA" and hespress["languages"] == ["ar"] and hespress["discovery"]
    assert main(["registry", str(REGISTRY_PATH), "--tsv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out), delimiter="\t"))
    assert [r["id"] for r in rows] == [o["id"] for o in outlets]


def test_json_and_tsv_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["registry", "--json", "--tsv"])
    assert exit_.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_a_failed_outlet_in_json_sets_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(json=True, tsv=False)
    results = [("a", 3, None), ("b", None, "RuntimeError: boom")]
    assert report_table(results, "t", args) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"outlet": "a", "result": 3, "error": None},
        {"outlet": "b", "result": None, "error": "RuntimeError: boom"},
    ]
