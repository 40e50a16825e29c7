"""Lake maintenance: compaction, key sorting, checkpoints, log cleanup and vacuum, one table at a time.

Run by the `nashra_maintenance` DAG (one mapped task per table) and by `nashra lake maintain`.
Every step is a Delta commit or a deletion of files no live version references, so it is
idempotent and safe while the pipeline writes: a compaction that conflicts with a batch's replace
is retried on the new version; appends never conflict with it.

Two kinds of run:
- hourly (light): the small files of the last hour (one per batch and partition) are binned into
  files of at most LIGHT_TARGET_BYTES; larger files, like the sorted key files, are left alone. A
  batch's dedup lookup then reads one file per hour since the daily run, plus the last hour's.
- daily (full): `compact` into files of TARGET_FILE_BYTES, `dedup_keys` z-ordered by key (a sort,
  with one column) into small row groups so a lookup reads at most one row group per key whatever
  the history holds, a checkpoint, log cleanup, and `vacuum` of files removed more than
  `retention_hours` ago (default 7 days: a reader that opened an older version of a table less
  than that long ago can still read it).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from nashra.core.tables import SPECS, is_conflict, open_table, writer_properties

if TYPE_CHECKING:
    from nashra.core.lake import Lake

log = logging.getLogger(__name__)

TARGET_FILE_BYTES = 128 * 1024 * 1024
LIGHT_TARGET_BYTES = 4 * 1024 * 1024  # below the sorted files of the daily run: left sorted
RETENTION_HOURS = 168
ATTEMPTS = 5


@dataclass
class TableMaintenance:
    table: str
    version_before: int = -1
    version_after: int = -1
    files_before: int = 0
    files_after: int = 0
    files_rewritten: int = 0
    files_vacuumed: int = 0
    seconds: float = 0.0
    skipped: str = ""  # why nothing was done (the table does not exist yet)


def maintain_table(
    lake: Lake,
    name: str,
    *,
    retention_hours: int = RETENTION_HOURS,
    full: bool = True,
    as_of: datetime | None = None,
) -> TableMaintenance:
    """The daily run on one table (`full`), or the hourly one: see the module's docstring."""
    report = TableMaintenance(name)
    started = time.monotonic()
    table = open_table(lake, name)
    if table is None:
        report.skipped = "no such table yet"
        return report
    report.version_before = table.version()
    report.files_before = len(table.file_uris())
    spec = SPECS[name]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            if not full:
                metrics = table.optimize.compact(
                    target_size=LIGHT_TARGET_BYTES,
                    writer_properties=writer_properties(max_row_group_size=spec.row_group_rows),
                )
            elif spec.z_order:
                metrics = table.optimize.z_order(
                    list(spec.z_order),
                    partition_filters=_recent_months(as_of) if spec.recent_months else None,
                    target_size=TARGET_FILE_BYTES,
                    writer_properties=writer_properties(max_row_group_size=spec.row_group_rows),
                )
            else:
                metrics = table.optimize.compact(
                    target_size=TARGET_FILE_BYTES,
                    writer_properties=writer_properties(max_row_group_size=spec.row_group_rows),
                )
            report.files_rewritten = int(metrics.get("numFilesRemoved", 0))
            break
        except Exception as exc:
            if not is_conflict(exc) or attempt == ATTEMPTS:
                raise
            log.info("%s: maintenance conflicted with a writer (attempt %d), retrying", name, attempt)
            table = open_table(lake, name)
            assert table is not None
    if full:
        table.create_checkpoint()
        table.cleanup_metadata()
        vacuumed = table.vacuum(
            retention_hours=retention_hours,
            enforce_retention_duration=False,  # ours is explicit; the table default refuses < 7 days
            dry_run=False,
        )
        report.files_vacuumed = len(vacuumed)
    table = open_table(lake, name)
    assert table is not None
    report.version_after = table.version()
    report.files_after = len(table.file_uris())
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _recent_months(now: datetime | None = None) -> list[tuple[str, str, Any]]:
    """Delta partition filters for this month and the last (UTC): older months are already sorted."""
    now = now or datetime.now(UTC)
    last = now.replace(day=1) - timedelta(days=1)
    return [("month", "in", [last.strftime("%Y-%m"), now.strftime("%Y-%m")])]


def maintain(
    lake: Lake,
    tables: list[str] | None = None,
    *,
    retention_hours: int = RETENTION_HOURS,
    full: bool = True,
    as_of: datetime | None = None,
) -> list[TableMaintenance]:
    """Every table (or those named); `as_of` is "now" for which months are recent (the bench's
    simulated year ends in the past)."""
    names = tables or list(SPECS)
    return [
        maintain_table(lake, name, retention_hours=retention_hours, full=full, as_of=as_of) for name in names
    ]


# The hour (UTC) of the daily full run; the other hourly runs are light.
FULL_HOUR = int(os.environ.get("NASHRA_MAINTENANCE_FULL_HOUR", "2"))


def is_full_run(context: dict[str, Any]) -> bool:
    """The daily run, or any run triggered with conf {"full": true}."""
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    if "full" in conf:
        return bool(conf["full"])
    when = context.get("logical_date") or context["dag_run"].run_after
    return when.hour == FULL_HOUR


def as_details(reports: list[TableMaintenance]) -> dict[str, Any]:
    """The per-table numbers, as the metrics table's `details` column keeps them."""
    return {r.table: {k: v for k, v in asdict(r).items() if k != "table"} for r in reports}


def run_maintenance(
    tables: list[str] | None = None, *, run_id: str | None = None, full: bool = True
) -> dict[str, Any]:
    """The DAG's entry point: the configured lake, one metrics row for the run."""
    from nashra.core.config import settings
    from nashra.core.lake import open_lake
    from nashra.stages.tasks import observed

    cfg = settings()
    with observed("*", "maintain", run_id) as metrics:
        reports = maintain(open_lake(cfg.lake_uri, cfg), tables, full=full)
        metrics.details = as_details(reports)
    return metrics.details


def reconcile_outlet(outlet_id: str, *, run_id: str | None = None) -> dict[str, Any]:
    """Process and index whatever of the outlet's whole history is still pending (normally nothing:
    a listing per stage, no reads)."""
    from nashra.core.config import settings
    from nashra.stages import tasks

    processed = tasks.process(outlet_id, run_id=run_id, window=None)
    indexed = tasks.index(outlet_id, run_id=run_id, window=None) if settings().es_configured else []
    return {
        "processed": [r["batch_id"] for r in processed],
        "indexed": sum(r["indexed"] for r in indexed),
    }
