"""Lake maintenance: compaction, key sorting, checkpoints, log cleanup and vacuum, one table at a time.

Run by the `nashra_maintenance` DAG (one mapped task per table) and by `nashra lake maintain`.
Every step is a Delta commit or a deletion of files no live version references, so it is
idempotent and safe while the pipeline writes: a compaction that conflicts with a batch's replace
is retried on the new version; appends never conflict with it.

- `compact`: small files (one per batch and partition) are binned into files of TARGET_FILE_BYTES.
  Files already at the target are left alone, so a run costs what arrived since the last one.
- `dedup_keys` is z-ordered by key (a sort, with one column) into small row groups: a batch's
  lookup then reads at most one row group per key, whatever the history holds.
- `vacuum` deletes files removed more than `retention_hours` ago (default 7 days): a reader that
  opened an older version of a table less than that long ago can still read it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from nashra.core.tables import SPECS, is_conflict, open_table, writer_properties

if TYPE_CHECKING:
    from nashra.core.lake import Lake

log = logging.getLogger(__name__)

TARGET_FILE_BYTES = 128 * 1024 * 1024
KEY_ROW_GROUP_ROWS = 4096  # dedup_keys: a lookup reads at most one such row group per key
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
    lake: Lake, name: str, *, retention_hours: int = RETENTION_HOURS, sort: bool = True
) -> TableMaintenance:
    """Compact (or sort) one table, checkpoint it, clean its log, vacuum what the retention allows."""
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
            if spec.z_order and sort:
                metrics = table.optimize.z_order(
                    list(spec.z_order),
                    target_size=TARGET_FILE_BYTES,
                    writer_properties=writer_properties(max_row_group_size=KEY_ROW_GROUP_ROWS),
                )
            else:
                metrics = table.optimize.compact(
                    target_size=TARGET_FILE_BYTES, writer_properties=writer_properties()
                )
            report.files_rewritten = int(metrics.get("numFilesRemoved", 0))
            break
        except Exception as exc:
            if not is_conflict(exc) or attempt == ATTEMPTS:
                raise
            log.info("%s: maintenance conflicted with a writer (attempt %d), retrying", name, attempt)
            table = open_table(lake, name)
            assert table is not None
    table.create_checkpoint()
    table.cleanup_metadata()
    vacuumed = table.vacuum(
        retention_hours=retention_hours,
        enforce_retention_duration=False,  # ours is explicit; the table default would refuse < 7 days
        dry_run=False,
    )
    report.files_vacuumed = len(vacuumed)
    table = open_table(lake, name)
    assert table is not None
    report.version_after = table.version()
    report.files_after = len(table.file_uris())
    report.seconds = round(time.monotonic() - started, 3)
    return report


def maintain(
    lake: Lake, tables: list[str] | None = None, *, retention_hours: int = RETENTION_HOURS, sort: bool = True
) -> list[TableMaintenance]:
    return [
        maintain_table(lake, name, retention_hours=retention_hours, sort=sort)
        for name in tables or list(SPECS)
    ]


def as_details(reports: list[TableMaintenance]) -> dict[str, Any]:
    """The per-table numbers, as the metrics table's `details` column keeps them."""
    return {r.table: {k: v for k, v in asdict(r).items() if k != "table"} for r in reports}


def run_maintenance(tables: list[str] | None = None, *, run_id: str | None = None) -> dict[str, Any]:
    """The DAG's and the CLI's entry point: the configured lake, one metrics row for the run."""
    from nashra.core.config import settings
    from nashra.core.lake import open_lake
    from nashra.stages.tasks import observed

    cfg = settings()
    with observed("*", "maintain", run_id) as metrics:
        reports = maintain(open_lake(cfg.lake_uri, cfg), tables)
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
