"""`nashra run` resolves every outlet host first, in parallel, with a stub resolver here: nothing
leaves the machine."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from nashra.core.registry import load_registry
from nashra.ops import reachability

REGISTRY = Path(__file__).resolve().parents[2] / "spiders" / "outlets.yaml"


def _resolver(dead: set[str], slow: set[str] = frozenset()):
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[tuple]:
        asked.append(host)
        if host in slow:
            time.sleep(3)
        if host in dead:
            raise socket.gaierror(-2, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", port))]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def test_every_enabled_outlet_has_a_host_to_check() -> None:
    outlets = load_registry(REGISTRY).enabled()
    hosts = reachability.outlet_hosts(outlets)
    assert {o for ids in hosts.values() for o in ids} == {o.id for o in outlets}


def test_failures_and_silences_are_reported_per_host_in_one_parallel_round() -> None:
    resolve = _resolver(dead={"a.test"}, slow={"b.test", "c.test"})
    started = time.monotonic()
    failed = reachability.unresolved(["a.test", "b.test", "c.test", "ok.test"], resolve, timeout=1.0)
    assert time.monotonic() - started < 2.5  # two slow hosts did not add up: one round, in parallel
    assert failed["a.test"].startswith("gaierror") and failed["b.test"] == "no answer in 1 s"
    assert set(failed) == {"a.test", "b.test", "c.test"}


@pytest.fixture
def run_env(monkeypatch: pytest.MonkeyPatch, tmp_path):
    import nashra.cli.main as cli
    import nashra.cli.where as where

    monkeypatch.setenv("ES_URL", "http://127.0.0.1:9")  # configured; never contacted here
    # `run` checks its cluster before it crawls (test_cli_where.py tests that); here the cluster is
    # taken as answering, so what is tested is the hosts' resolution.
    monkeypatch.setattr(where, "_check_elasticsearch", lambda cfg, source: None)
    monkeypatch.setenv("NASHRA_REGISTRY", str(REGISTRY))
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path))  # all named: no "using …" line
    ran: list[list[str]] = []

    def fake_run(ids, run_time, max_articles):
        ran.append(list(ids))
        return SimpleNamespace(failed=[])

    monkeypatch.setattr(cli, "run_with_progress", fake_run)
    monkeypatch.setattr(cli, "print_summary", lambda summary: None)
    return cli, ran


def test_offline_the_run_stops_in_seconds_with_one_line(run_env, monkeypatch, capsys) -> None:
    cli, ran = run_env
    outlets = load_registry(REGISTRY).enabled()
    monkeypatch.setattr(reachability, "RESOLVER", _resolver(dead=set(reachability.outlet_hosts(outlets))))
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "Is this machine online?" in err and err.count("\n") == 1 and ran == []


def test_an_outlet_whose_hosts_do_not_resolve_is_skipped_and_named(run_env, monkeypatch, capsys) -> None:
    cli, ran = run_env
    outlets = load_registry(REGISTRY).enabled()
    hosts = reachability.outlet_hosts(outlets)
    # An outlet all of whose hosts are its own (editions of one site share theirs).
    victim = next(o.id for o in outlets if all(ids == [o.id] for ids in hosts.values() if o.id in ids))
    dead = {h for h, ids in hosts.items() if ids == [victim]}
    monkeypatch.setattr(reachability, "RESOLVER", _resolver(dead=dead))
    assert cli.main(["run"]) == 1  # the others ran; the run still says something was missing
    (ids,) = ran
    assert victim not in ids and len(ids) == len(outlets) - 1
    assert f"skipping {victim}" in capsys.readouterr().err
