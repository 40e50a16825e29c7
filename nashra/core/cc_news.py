"""Common Crawl's news archive (CC-NEWS): how its monthly listings and WARC files are named.

    crawl-data/CC-NEWS/<YYYY>/<MM>/warc.paths.gz              one relative path per line
    crawl-data/CC-NEWS/<YYYY>/<MM>/CC-NEWS-<YYYYMMDDHHMMSS>-<NNNNN>.warc.gz

The time in a file's name is when the archive started writing it; its records were fetched in the
minutes to hours after, so it anchors the file's raw batches (nashra.core.ledger.new_batch_id).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

DEFAULT_SOURCE = "https://data.commoncrawl.org/"
FILE_NAME = re.compile(r"CC-NEWS-(?P<time>\d{14})-(?P<serial>\d{5})\.warc\.gz$")
# How our raw archive names the discovery of a backfilled page, and the family its files carry
# (a raw file's family is [a-z_]+: nashra.core.ledger.RAW_KEY).
DISCOVERY = "cc-news"
FAMILY = "cc_news"


class CcNewsError(ValueError):
    """A month or a listing that makes no sense: one line for the user."""


def file_name(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def file_time(uri: str) -> datetime | None:
    """When the archive started writing the file, from its CC-NEWS name (None for other names)."""
    match = FILE_NAME.search(file_name(uri))
    if match is None:
        return None
    return datetime.strptime(match["time"], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def parse_month(value: str) -> date:
    """YYYY-MM -> the first day of that month."""
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CcNewsError(f"{value!r} is not a month: expected YYYY-MM, e.g. 2024-01") from None


def months(since: date, until: date) -> list[date]:
    """The first days of the months from `since` to `until`, both included."""
    if until < since:
        raise CcNewsError(f"--until {until:%Y-%m} is before --since {since:%Y-%m}")
    out, year, month = [], since.year, since.month
    while (year, month) <= (until.year, until.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def listing_path(month: date) -> str:
    return f"crawl-data/CC-NEWS/{month:%Y}/{month:%m}/warc.paths.gz"


def month_key(uri: str) -> str:
    """YYYY-MM of a CC-NEWS file (its listing's month), "other" for a file of another name."""
    when = file_time(uri)
    return when.strftime("%Y-%m") if when else "other"


def join(base: str, path: str) -> str:
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def listed_files(listing: str) -> list[str]:
    """The relative paths a warc.paths listing names (blank lines and stray spaces ignored)."""
    return [line.strip() for line in listing.splitlines() if line.strip()]
