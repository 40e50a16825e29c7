"""Every command says which lake, Elasticsearch and registry it uses when they come from the last
`make demo`, says when there is nothing to do, and turns expected errors into one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nashra.cli.main import main
from nashra.core import local_services

NAMES = ("ES_URL", "NASHRA_LAKE_URI", "NASHRA_REGISTRY", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL_S3")


@pytest.fixture
def demo_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo whose services are 'running' (this process's PID stands in for theirs)."""
    state = tmp_path / "services.json"
    registry = tmp_path / "outlets.yaml"
    state.write_text(
        json.dumps(
            {
                "es": {"pid": os.getpid(), "url": "http://127.0.0.1:1"},
                "s3": {"pid": os.getpid(), "env": {"AWS_ACCESS_KEY_ID": "demo", "AWS_ENDPOINT_URL_S3": "x"}},
                "lake_uri": str(tmp_path / "demo-lake"),
                "registry": str(registry),
            }
        )
    )
    monkeypatch.setattr(local_services, "STATE", state)
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "1")
    for name in NAMES:  # set, then unset: the fixture's undo removes what the command sets
        monkeypatch.setenv(name, "-")
        monkeypatch.delenv(name)
    return tmp_path


def test_the_demo_profile_fills_only_what_the_environment_leaves_unset(demo_state: Path, monkeypatch) -> None:
    monkeypatch.setenv("ES_URL", "http://es.example:9200")
    taken = local_services.use_local_services()
    assert taken == [f"lake {demo_state / 'demo-lake'}", f"registry {demo_state / 'outlets.yaml'}"]
    assert os.environ["ES_URL"] == "http://es.example:9200"
    assert os.environ["NASHRA_LAKE_URI"] == str(demo_state / "demo-lake")


def test_a_stopped_demo_is_not_used(demo_state: Path, monkeypatch) -> None:
    monkeypatch.setattr(local_services, "pid_alive", lambda pid: False)
    assert local_services.use_local_services() == []
    assert "NASHRA_LAKE_URI" not in os.environ


def test_a_command_says_where_and_that_it_has_nothing_to_do(
    demo_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from devkit.fixture_web.truth import REGISTRY_PATH

    state = json.loads(local_services.STATE.read_text())
    state["registry"] = str(REGISTRY_PATH)
    local_services.STATE.write_text(json.dumps(state))
    assert main(["index", "--reindex", "qna_en"]) == 0
    captured = capsys.readouterr()
    assert "using the last `make demo`'s Elasticsearch http://127.0.0.1:1, lake" in captured.err
    assert f"registry {REGISTRY_PATH}" in captured.err
    assert "nothing to do: no processed batches for 1 outlets in the lake" in " ".join(captured.err.split())


def test_expected_errors_are_one_line_and_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "outlets.yaml"
    bad.write_text("outlets:\n  - id: x\n    timezone: Africa/Casa\n", encoding="utf-8")
    monkeypatch.setattr(local_services, "STATE", tmp_path / "none.json")
    monkeypatch.setenv("NASHRA_REGISTRY", str(bad))
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path / "lake"))
    assert main(["process"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nashra process: RegistryError:") and str(bad) in err
    assert "\n" not in err and "Traceback" not in err
    from nashra.core.registry import RegistryError

    with pytest.raises(RegistryError):
        main(["process", "--debug"])


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["search", "x", "--since", "last week"], "--since 'last week': expected an ISO date"),
        (["search", "x", "--since", "today", "--until", "yesterday"], "is after --until"),
        (["search", "x", "--since", "2026-02-03", "--until", "2026-02-01"], "is after --until"),
        (["search", "x", "--country", "xx"], "--country XX: the registry has outlets in MA, QA"),
        (["search", "x", "--outlet", "hespres_ar"], "no outlet 'hespres_ar'; did you mean hespress_ar"),
        (["process", "nosuch"], "no outlet 'nosuch'"),
    ],
)
def test_filters_that_can_only_miss_are_errors_not_empty_answers(
    argv: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "0")
    monkeypatch.setenv("ES_URL", "http://127.0.0.1:1")  # never reached: the arguments fail first
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path / "lake"))
    monkeypatch.delenv("NASHRA_REGISTRY", raising=False)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and err.count("\n") == 1


def test_the_demo_env_is_printable_for_other_readers(demo_state: Path, capsys) -> None:
    from devkit.cli import main as devkit_main

    assert devkit_main(["services", "env"]) == 0
    out = capsys.readouterr().out
    assert f"export NASHRA_LAKE_URI={demo_state / 'demo-lake'}" in out
    assert "export AWS_ACCESS_KEY_ID=demo" in out and "export ES_URL=http://127.0.0.1:1" in out
