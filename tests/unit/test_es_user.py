"""Run as root, the Elasticsearch launcher needs a user of its own: creating it is said in one line."""

from __future__ import annotations

import pwd
import subprocess
from typing import Any

import pytest

from devkit import es_node


def test_creating_the_system_user_is_said_once(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    existing = pwd.getpwuid(0)
    state = {"created": False}
    calls: list[list[str]] = []

    def getpwnam(name: str) -> pwd.struct_passwd:
        if not state["created"]:
            raise KeyError(name)
        return existing

    def run(argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        state["created"] = True
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(es_node.pwd, "getpwnam", getpwnam)
    monkeypatch.setattr(es_node.subprocess, "run", run)
    monkeypatch.setattr(es_node, "_require_tools", lambda *tools: None)
    assert es_node.ensure_es_user() is existing
    err = capsys.readouterr().err
    assert calls and calls[0][0] == "useradd" and es_node.ES_USER in calls[0]
    assert err.count("\n") == 1 and f"created the system user {es_node.ES_USER}" in err
    assert "refuses to run as root" in err and f"userdel {es_node.ES_USER}" in err
    es_node.ensure_es_user()  # it exists now: nothing to say
    assert capsys.readouterr().err == "" and len(calls) == 1
