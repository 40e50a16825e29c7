"""The held-out rule, checked on the repository's history: no commit changes a held-out split and
the code it scores together (a split edited alongside the code is a tuning split again). Merge
commits are not judged (they change nothing of their own); a shallow clone is judged on the
commits it has."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HELD_OUT = (
    "tests/eval/extraction/heldout/",
    "tests/eval/dedup/heldout/",
    "tests/eval/relevance/heldout/",
    "tests/eval/dialect/heldout/",
)
SCORED_CODE = ("transforms/", "nashra/", "schemas/", "spiders/", "infra/")


def offending_commits(log: str) -> list[str]:
    """`git log --format=@%h --name-only` output -> commits that touch both sides."""
    found, commit, files = [], "", []
    for line in [*log.splitlines(), "@"]:
        if line.startswith("@"):
            held = [f for f in files if f.startswith(HELD_OUT)]
            code = [f for f in files if f.startswith(SCORED_CODE)]
            if commit and held and code:
                found.append(f"{commit}: {held[0]} with {code[0]}")
            commit, files = line[1:], []
        elif line.strip():
            files.append(line.strip())
    return found


def test_the_rule_finds_a_commit_that_touches_both() -> None:
    log = (
        "@abc1234\ntests/eval/dedup/heldout/set.yaml\ntransforms/story.py\n\n"
        "@def5678\ntests/eval/dedup/heldout/set.yaml\n\n@0123abc\ntransforms/story.py\n"
    )
    assert offending_commits(log) == ["abc1234: tests/eval/dedup/heldout/set.yaml with transforms/story.py"]


def test_no_commit_changes_a_held_out_split_with_the_code_it_scores() -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the history cannot be read")
    log = subprocess.run(
        ["git", "log", "--no-merges", "--format=@%h", "--name-only", "--", *HELD_OUT],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commits = [line[1:] for line in log.splitlines() if line.startswith("@")]
    assert commits, "no commit ever added a held-out split"
    full = subprocess.run(
        ["git", "show", "--format=@%h", "--name-only", *commits],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert offending_commits(full) == []
