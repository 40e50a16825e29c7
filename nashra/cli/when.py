"""Dates on the command line: ISO dates and times, and the relative forms a reader types.

`today`, `yesterday` (a whole UTC day: its start for --since, its end for --until), `now`, and
`<N>h`, `<N>d`, `<N>w` (that long before now). dateparser reads far more ("il y a 3 jours"), but
a filter that guesses is worse than one line saying what is accepted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

ACCEPTED = "an ISO date or time (2026-02-01, 2026-02-01T08:00), today, yesterday, now, or 12h / 7d / 2w"
_RELATIVE = re.compile(r"(\d{1,5})\s*([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class WhenError(ValueError):
    pass


def parse_when(value: str, *, end_of_day: bool = False, now: datetime | None = None) -> datetime:
    """The instant `value` names, in UTC; a whole day (ISO date, today, yesterday) gives its first
    second, or its last with `end_of_day` (an --until includes the day it names)."""
    now = now or datetime.now(UTC)
    text = value.strip().lower()
    if text in ("today", "yesterday"):
        day = now.date() - timedelta(days=text == "yesterday")
        return _bound(day, end_of_day)
    if text == "now":
        return now
    relative = _RELATIVE.fullmatch(text)
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise WhenError(f"{value!r}: expected {ACCEPTED}") from None
    if len(value.strip()) == 10:  # a bare date: the whole day
        return _bound(when.date(), end_of_day)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _bound(day: object, end_of_day: bool) -> datetime:
    moment = time(23, 59, 59, 999999) if end_of_day else time(0)
    return datetime.combine(day, moment, tzinfo=UTC)  # type: ignore[arg-type]
