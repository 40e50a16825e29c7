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
