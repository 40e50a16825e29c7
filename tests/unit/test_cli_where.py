"""Every command uses one resolution of lake, registry and Elasticsearch (environment, else the
running demo, else the defaults) and says which in one stderr line; a command with nothing to do
says so; expected errors are one line naming the file, key or setting, and `--debug` shows the
traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.fixture_web.truth import REGISTRY_PATH
from nashra.cli.main import main
from nashra.core import local_services
from nashra.core.config import REPO_ROOT
from nashra.core.registry import RegistryError

NAMES = ("ES_URL", "NASHRA_LAKE_URI", "NASHRA_REGISTRY", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL_S3")
DEAD_URL = "http://127.0.0.1:1"  # nothing listens on port 1: connection refused at once


def _unset(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    for name in names:  # set, then unset: the fixture's undo also removes what a command sets
        monkeypatch.setenv(name, "-")
        monkeypatch.delenv(name)


@pytest.fixture
def demo_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo whose services are 'running' (this process's PID stands in for theirs), with a lake
    of its own (an empty local one) and the fixture registry, as `make demo` records them."""
    state = tmp_path / "services.json"
    (tmp_path / "demo-lake").mkdir()
    state.write_text(
        json.dumps(
            {
                "es": {"pid": os.getpid(), "url": DEAD_URL},
                "s3": {"pid": os.getpid(), "env": {"AWS_ACCESS_KEY_ID": "demo", "AWS_ENDPOINT_URL_S3": "x"}},
                "lake_uri": str(tmp_path / "demo-lake"),
                "registry": str(REGISTRY_PATH),
            }
        )
    )
    monkeypatch.setattr(local_services, "STATE", state)
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "1")
    _unset(monkeypatch, *NAMES)
    return tmp_path


def _lines(err: str) -> list[str]:
    return [" ".join(line.split()) for line in err.strip().splitlines()]


def test_the_demo_profile_fills_only_what_the_environment_leaves_unset(demo_state: Path, monkeypatch) -> None:
    monkeypatch.setenv("ES_URL", "http://es.example:9200")
    taken = local_services.use_local_services()
    assert taken == [f"lake {demo_state / 'demo-lake'}", f"registry {REGISTRY_PATH}"]
    assert os.environ["ES_URL"] == "http://es.example:9200"
    assert os.environ["NASHRA_LAKE_URI"] == str(demo_state / "demo-lake")


def test_a_stopped_demo_is_not_used(demo_state: Path, monkeypatch) -> None:
    monkeypatch.setattr(local_services, "pid_alive", lambda pid: False)
    assert local_services.use_local_services() == []
    assert "NASHRA_LAKE_URI" not in os.environ


@pytest.mark.parametrize(
    ("argv", "nothing"),
    [
        (["process"], "nothing to do: no raw batches to process for 7 outlets in the lake"),
        (
            ["process", "qna_en", "--json"],
            "nothing to do: no raw batches to process for 1 outlets in the lake",
        ),
        (["replay", "--since", "2026-02-01", "--until", "2026-02-02", "--no-index"], "nothing to do: no raw"),
    ],
)
def test_process_and_replay_use_the_demos_lake_and_registry_and_say_so(
    demo_state: Path, argv: list[str], nothing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    captured = capsys.readouterr()
    first, *rest = _lines(captured.err)
    lake = demo_state / "demo-lake"
    assert first.startswith(f"using the last `make demo`'s lake {lake}, registry ")
    assert first.endswith("(set NASHRA_LAKE_URI, NASHRA_REGISTRY to choose)")
    assert "devkit/fixture_web/outlets.yaml" in first  # relative to where the user stands
    assert any(line.startswith(nothing) for line in rest), rest
    if "--json" in argv:  # the notices stay on stderr: stdout is the JSON alone
        assert json.loads(captured.out) == [{"outlet": "qna_en", "result": [], "error": None}]


def test_index_uses_the_demos_elasticsearch_and_one_line_says_it_does_not_answer(
    demo_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index", "--reindex"]) == 2
    lines = _lines(capsys.readouterr().err)
    using, error = lines[0], lines[-1]  # (see the search test for what may come between)
    assert using.startswith(f"using the last `make demo`'s lake {demo_state / 'demo-lake'}, registry ")
    assert f"Elasticsearch {DEAD_URL} (set NASHRA_LAKE_URI, NASHRA_REGISTRY, ES_URL to choose)" in using
    # Once, before any outlet: not one failed row per outlet after the client's retries.
    assert error.startswith(f"nashra index: Elasticsearch {DEAD_URL} does not answer (taken from the last")
    assert "set ES_URL to choose): Connection refused" in error


def test_lake_show_reads_the_demos_lake(demo_state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lake", "show"]) == 1
    captured = capsys.readouterr()
    lake = demo_state / "demo-lake"
    assert _lines(captured.err) == [
        f"using the last `make demo`'s lake {lake} (set NASHRA_LAKE_URI to choose)"
    ]
    assert f"the lake {lake} has no articles yet" in captured.out


def test_crawl_does_not_send_the_live_crawler_to_the_demos_fixture_outlets(
    demo_state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crawl", "qna_en"]) == 2
    error = _lines(capsys.readouterr().err)[-1]
    assert (
        "the registry devkit/fixture_web/outlets.yaml is the demo's" in error and "NASHRA_REGISTRY" in error
    )


def test_with_no_demo_and_no_environment_the_defaults_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(local_services, "STATE", tmp_path / "no-demo.json")
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "1")
    _unset(monkeypatch, *NAMES)
    monkeypatch.chdir(REPO_ROOT)
    default_lake = REPO_ROOT / "var" / "lake"
    code = main(["lake", "show"])
    first, *rest = _lines(capsys.readouterr().err)
    assert first == (
        "using the defaults: lake var/lake (no `make demo` services running; set NASHRA_LAKE_URI to choose)"
    )
    if not default_lake.is_dir():  # a fresh checkout: said, not created
        assert code == 2 and not default_lake.exists()
        assert rest == [
            f"nashra lake: the lake {default_lake} does not exist (the default: NASHRA_LAKE_URI is not set) "
            "(--debug for details)"
        ]


def test_a_registry_error_is_one_line_naming_file_outlet_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "outlets.yaml"
    text = REGISTRY_PATH.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("allowed_domains: [qna.test]", "allowed_domains: [localhost]"), encoding="utf-8"
    )
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "0")
    monkeypatch.setenv("NASHRA_REGISTRY", str(bad))
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path))
    assert main(["process"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(
        f"nashra process: {bad}: outlet qna_en, outlets[2].allowed_domains[0]: 'localhost' is not valid"
    )
    # The homepage and the feed are outside allowed_domains now too: counted, listed by `registry`.
    assert err.endswith("(and 2 more: `nashra registry` lists them) (--debug for details)\n")
    with pytest.raises(RegistryError, match="allowed_domains"):
        main(["process", "--debug"])


def test_debug_prints_the_traceback_of_the_same_error(tmp_path: Path) -> None:
    bad = tmp_path / "outlets.yaml"
    text = REGISTRY_PATH.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("allowed_domains: [qna.test]", "allowed_domains: [localhost]"), encoding="utf-8"
    )
    env = {
        **os.environ,
        "NASHRA_LOCAL_SERVICES": "0",
        "NASHRA_REGISTRY": str(bad),
        "NASHRA_LAKE_URI": str(tmp_path),
    }
    command = [sys.executable, "-m", "nashra.cli", "process"]
    plain = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    debug = subprocess.run(
        [*command, "--debug"], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert plain.returncode == 2 and "Traceback" not in plain.stderr and plain.stderr.count("\n") == 1
    assert f"{bad}: outlet qna_en, outlets[2].allowed_domains[0]" in plain.stderr
    assert debug.returncode != 0 and "Traceback (most recent call last)" in debug.stderr
    assert "nashra.core.registry.RegistryError" in debug.stderr and "allowed_domains[0]" in debug.stderr


def test_an_s3_lake_without_credentials_or_endpoint_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "0")
    monkeypatch.setenv("NASHRA_LAKE_URI", "s3://nashra-nowhere/lake")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", DEAD_URL)
    # No key anywhere: not in the environment, no files, no instance metadata service.
    _unset(monkeypatch, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["lake", "show"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "nashra lake: no S3 credentials for the lake s3://nashra-nowhere/lake: set AWS_ACCESS_KEY_ID"
    )
    assert err.count("\n") == 1
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    assert main(["lake", "show"]) == 2
    assert capsys.readouterr().err == (
        f"nashra lake: the S3 endpoint {DEAD_URL} (AWS_ENDPOINT_URL_S3) does not answer for the lake "
        "s3://nashra-nowhere/lake (set by NASHRA_LAKE_URI): Connection refused (--debug for details)\n"
    )


def test_search_names_the_elasticsearch_it_could_not_reach(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "0")
    monkeypatch.setenv("ES_URL", DEAD_URL)
    monkeypatch.setenv("NASHRA_REGISTRY", str(REGISTRY_PATH))
    assert main(["search", "x", "--json"]) == 2
    captured = capsys.readouterr()
    # The last line: a handler an earlier test's Airflow left on the root logger may add the
    # client's own warnings above it (a CLI process has no such handler).
    assert captured.out == "" and _lines(captured.err)[-1] == (
        f"nashra search: Elasticsearch {DEAD_URL} does not answer (set by ES_URL): Connection refused "
        "(--debug for details)"
    )


def test_run_stops_before_crawling_when_its_elasticsearch_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A production run checks its cluster first: one line, exit 2, no outlet crawled."""
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "0")
    monkeypatch.setenv("ES_URL", DEAD_URL)
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path / "lake"))
    monkeypatch.setenv("NASHRA_REGISTRY", str(REGISTRY_PATH))
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and _lines(captured.err)[-1] == (
        f"nashra run: Elasticsearch {DEAD_URL} does not answer (set by ES_URL): Connection refused "
        "(--debug for details)"
    )
    assert not (tmp_path / "lake" / "raw").exists()  # nothing was crawled


def test_a_registry_with_no_enabled_outlet_has_nothing_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    off = tmp_path / "outlets.yaml"
    off.write_text(
        REGISTRY_PATH.read_text(encoding="utf-8").replace("enabled: true", "enabled: false"), encoding="utf-8"
    )
    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "0")
    monkeypatch.setenv("NASHRA_REGISTRY", str(off))
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path))
    assert main(["process"]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"nothing to do: the registry {off} has no enabled outlet\n" and not captured.out


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
    from nashra.core.registry import default_registry_path

    monkeypatch.setenv("NASHRA_LOCAL_SERVICES", "0")
    monkeypatch.setenv("ES_URL", DEAD_URL)  # never reached: the arguments fail first
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path))
    monkeypatch.setenv("NASHRA_REGISTRY", str(default_registry_path()))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and err.count("\n") == 1


def test_the_demo_env_is_printable_for_other_readers(demo_state: Path, capsys) -> None:
    from devkit.cli import main as devkit_main

    assert devkit_main(["services", "env"]) == 0
    out = capsys.readouterr().out
    assert f"export NASHRA_LAKE_URI={demo_state / 'demo-lake'}" in out
    assert "export AWS_ACCESS_KEY_ID=demo" in out and f"export ES_URL={DEAD_URL}" in out
