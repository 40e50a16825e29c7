"""Dates on the command line: ISO forms and the relative ones, against a fixed now."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nashra.cli.when import WhenError, parse_when

NOW = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "end_of_day", "expected"),
    [
        ("today", False, datetime(2026, 12, 6, tzinfo=UTC)),
        ("today", True, datetime(2026, 12, 6, 23, 59, 59, 999999, tzinfo=UTC)),
        ("Yesterday", False, datetime(2026, 12, 5, tzinfo=UTC)),
        ("yesterday", True, datetime(2026, 12, 5, 23, 59, 59, 999999, tzinfo=UTC)),
        ("now", False, NOW),
        ("7d", False, datetime(2026, 11, 29, 20, 30, tzinfo=UTC)),
        ("12h", True, datetime(2026, 12, 6, 8, 30, tzinfo=UTC)),  # a span ago is an instant
        ("2w", False, datetime(2026, 11, 22, 20, 30, tzinfo=UTC)),
        ("2026-02-01", False, datetime(2026, 2, 1, tzinfo=UTC)),
        ("2026-02-01", True, datetime(2026, 2, 1, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2026-02-01T08:15", True, datetime(2026, 2, 1, 8, 15, tzinfo=UTC)),  # naive means UTC
        ("2026-02-01T08:15+01:00", False, datetime(2026, 2, 1, 7, 15, tzinfo=UTC)),
    ],
)
def test_accepted_forms(value: str, end_of_day: bool, expected: datetime) -> None:
    assert parse_when(value, end_of_day=end_of_day, now=NOW) == expected


@pytest.mark.parametrize("value", ["last week", "7 days", "-3d", "2026-13-01", "d7", ""])
def test_anything_else_is_refused_with_the_accepted_forms(value: str) -> None:
    with pytest.raises(WhenError, match=r"expected an ISO date or time .* today, yesterday, now"):
        parse_when(value, now=NOW)
