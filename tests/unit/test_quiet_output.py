"""Library log noise stays out of normal output: the process stage's GX context prints nothing."""

from __future__ import annotations

import logging

import pytest

from transforms import validate


def test_a_new_gx_context_logs_nothing_at_info(caplog: pytest.LogCaptureFixture) -> None:
    validate._context.cache_clear()
    with caplog.at_level(logging.INFO):
        validate._context()
    noisy = [r.getMessage() for r in caplog.records if r.name.startswith("great_expectations")]
    assert not [m for m in noisy if "ephemeral docs site" in m], noisy


def test_a_stage_run_from_the_cli_leaves_library_warnings_out_of_stdout(tmp_path) -> None:
    """The stage's metrics used to import Airflow, whose logging setup put a root handler on
    stdout: every Elasticsearch client warning then landed in `nashra index --json` output (90
    tracebacks with a stopped node). After a real `process` run, a library warning goes nowhere."""
    import json
    import os
    import subprocess
    import sys

    from devkit.fixture_web.truth import REGISTRY_PATH
    from nashra.core.config import REPO_ROOT

    script = (
        "import logging, sys\n"
        "from nashra.cli.main import main\n"
        "code = main(['process', 'qna_en', '--json'])\n"
        "logging.getLogger('elastic_transport.node_pool').warning('Node has failed for 1 times in a row')\n"
        "logging.getLogger('urllib3.connectionpool').warning('Retrying after connection broken')\n"
        "sys.exit(code)\n"
    )
    env = {
        **os.environ,
        "NASHRA_LOCAL_SERVICES": "0",
        "NASHRA_LAKE_URI": str(tmp_path),
        "NASHRA_REGISTRY": str(REGISTRY_PATH),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"outlet": "qna_en", "result": [], "error": None}]
    assert "Node has failed" not in done.stderr and "Retrying" not in done.stderr
