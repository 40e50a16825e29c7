"""The lake's tables on Delta Lake (delta-rs): atomic commits, file statistics, compaction.

Each table is a Delta table in its own folder of the lake (`nashra.core.ledger.table_dir`).
A batch is one commit per table: the first attempt appends; a retry or a re-run replaces the
batch's rows in one commit (`predicate` overwrite), so a crash between two commits never leaves a
batch doubled, and a reader sees a batch whole or not at all. Concurrent writers are resolved by
Delta's optimistic concurrency: delta-rs retries commits that do not conflict, and a commit that
does is retried here.

Fork trap: delta-rs runs a tokio runtime, and a process forked after using it panics on its next
call. Nothing here runs at import time or at DAG-parse time; workers that fork (Airflow's task
runner) fork before any table is opened.
"""

from __future__ import annotations

import json
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.dataset as ds

from nashra.core.transient import is_transient, retrying

if TYPE_CHECKING:
    from deltalake import DeltaTable

    from nashra.core.lake import Lake

log = logging.getLogger(__name__)

# Commit attempts when another writer's commit conflicts with ours (delta-rs already retries the
# ones that do not conflict, e.g. two appends).
COMMIT_ATTEMPTS = 8
# Opening a table reads its last checkpoint and every commit after it (two requests each on S3):
# a checkpoint every 10 commits instead of delta-rs's 100 bounds that at ~25 requests
# (make bench, section history, counts them). Set when a table is created.
TABLE_CONFIG = {"delta.checkpointInterval": "10"}
# Tables this process opened, brought up to date by reading only the commits since (3 requests
# when there is none) instead of loading them again. Per process: never shared across a fork.
_OPEN: dict[tuple[str, str, str], DeltaTable] = {}


@dataclass(frozen=True)
class TableSpec:
    partition_by: tuple[str, ...] = ()
    # Columns maintenance sorts the files by (z-order), so lookups skip files and row groups by
    # their statistics; with `recent_months`, only the partitions of this month and the last.
    z_order: tuple[str, ...] = ()
    recent_months: bool = False
    row_group_rows: int = 16_384  # what a read of a few rows costs at most, per matching group


# Partitions: by outlet, so a batch's replace, the index stage's read and compaction touch one
# outlet's files; dates prune by the file statistics of published_at / fetched_at.
SPECS: dict[str, TableSpec] = {
    "articles": TableSpec(("outlet_id",)),
    "quarantine": TableSpec(("outlet_id",)),
    "url_duplicates": TableSpec(("outlet_id",)),
    # The story window reads a few days of the current and the last month: sorted by time, it
    # reads those days' row groups only (MinHash is 512 bytes a row: 8,192 rows are 4 MiB).
    "signatures": TableSpec(("month",), z_order=("published_at",), recent_months=True, row_group_rows=8192),
    "dedup_keys": TableSpec((), z_order=("key",), row_group_rows=4096),
    "metrics": TableSpec(("outlet_id",)),
    "fetched": TableSpec(("outlet_id",)),
}


class TableError(RuntimeError):
    pass


def storage_options(lake: Lake) -> dict[str, str] | None:
    """delta-rs's object-store options from the lake's settings (credentials from AwsBaseHook)."""
    if lake.is_local:
        return None
    cfg = lake.settings
    if cfg is None:
        from nashra.core.config import settings

        cfg = settings()
    timeout = f"{max(1, round(cfg.s3_timeout_s * 1000))}ms"
    options = {
        "AWS_REGION": cfg.s3_region,
        "conditional_put": "etag",
        "timeout": timeout,  # object_store's default is 30 s per request; ours is the lake's setting
        "connect_timeout": timeout,
    }
    if cfg.s3_endpoint:
        options["AWS_ENDPOINT_URL"] = cfg.s3_endpoint
        if cfg.s3_endpoint.startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    for key, value in (
        ("AWS_ACCESS_KEY_ID", cfg.aws_access_key_id),
        ("AWS_SECRET_ACCESS_KEY", cfg.aws_secret_access_key),
        ("AWS_SESSION_TOKEN", cfg.aws_session_token),
    ):
        if value:
            options[key] = value
    return options


def table_uri(lake: Lake, name: str) -> str:
    from nashra.core.ledger import table_dir

    rel = table_dir(name)
    return lake.path(rel) if lake.is_local else f"s3://{lake.path(rel)}"


def open_table(lake: Lake, name: str, *, check_legacy: bool = True) -> DeltaTable | None:
    """The table at its latest version, or None when nothing was ever committed to it (a lake in
    the layout before Delta is refused, unless `check_legacy` is off: the migration reads it)."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    options = storage_options(lake)
    key = (table_uri(lake, name), name, repr(sorted((options or {}).items())))
    table = _OPEN.get(key)
    if table is not None:
        retrying(table.update_incremental, f"{name}: reading the table log")
        return table
    try:
        table = _OPEN[key] = retrying(
            lambda: DeltaTable(key[0], storage_options=options), f"{name}: opening the table"
        )
        return table
    except TableNotFoundError:
        if check_legacy:
            try:
                _refuse_legacy(lake, name)
            except TableError:
                # Between our two looks another worker may have created the table and written to
                # it: data files with a log are a table, not a lost log (three first writers at once).
                from nashra.core.ledger import table_dir

                if lake.list(f"{table_dir(name)}/_delta_log", ".json"):
                    return open_table(lake, name, check_legacy=False)
                raise
        return None


def _table_for_write(lake: Lake, name: str, schema: pa.Schema) -> DeltaTable:
    """The table, created empty first when it does not exist: its log then exists before any data
    file is written, so data files without a log can only mean a lost log (refused above), never a
    first write that was killed."""
    from deltalake import DeltaTable

    table = open_table(lake, name)
    if table is not None:
        return _add_new_columns(table, name, schema)
    try:
        DeltaTable.create(
            table_uri(lake, name),
            schema,
            mode="ignore",  # two first writers: one creates, the other finds it
            partition_by=list(SPECS[name].partition_by) or None,
            configuration=TABLE_CONFIG,
            storage_options=storage_options(lake),
        )
    except Exception as exc:
        if not is_conflict(exc):
            raise
    table = open_table(lake, name)
    if table is None:
        raise TableError(f"{name}: the table could not be created in {lake.uri}")
    return table


def _add_new_columns(table: DeltaTable, name: str, schema: pa.Schema) -> DeltaTable:
    """Schema evolution: a nullable field added to schemas/fields.yaml since the table was created
    (the data contract allows only those) is added to the table's schema in its own commit before
    the first write that carries it; the older files then read it as nulls. A required one would
    leave the older rows invalid: that is a breaking change, with a new version and a migration."""
    from deltalake import Field

    have = {f.name for f in table.schema().fields}
    new = [f for f in schema if f.name not in have]
    if not new:
        return table
    required = [f.name for f in new if not f.nullable]
    if required:
        raise TableError(f"{name}: required column(s) {required} are not in the table: a breaking change")
    # Two writers adding the same column both succeed: adding an existing column is a no-op.
    table.alter.add_columns([Field.from_arrow(f) for f in new])
    log.info("%s: added column(s) %s to the table", name, [f.name for f in new])
    return table


def _refuse_legacy(lake: Lake, name: str) -> None:
    """A folder with data files but no table log is not an empty table: reading it as one would
    re-store every article as new and lose the dedup history. One listing, only while the table
    does not exist."""
    from nashra.core.ledger import legacy_table_files, table_dir

    if legacy_table_files(lake, name):
        raise TableError(
            f"the lake {lake.uri} holds {name} in the layout before Delta Lake: "
            "run `nashra lake migrate` once (it converts it in place and checks the row counts)"
        )
    if lake.list(table_dir(name), ".parquet"):
        raise TableError(
            f"{lake.display(table_dir(name))} has data files but no table log (_delta_log): "
            "restore the log (bucket versioning or a backup); nothing was written"
        )


def dataset(lake: Lake, name: str, where: list[tuple[str, str, Any]] | None = None) -> ds.Dataset | None:
    """The table's current files as a pyarrow dataset (partition columns included), or None.

    `where`: (column, op, value) filters, ANDed, that choose the files from the table's log
    (partition values exactly, other columns by their min/max statistics): a reader of one
    outlet or one month never lists the others' fragments (0.1 s a dataset on a year's lake).
    Filter the rows again when reading: a file kept by its statistics may hold other rows too.
    """
    table = open_table(lake, name)
    if table is None:
        return None
    return table.to_pyarrow_dataset(file_pruning_predicate=where) if where else table.to_pyarrow_dataset()


def table_version(lake: Lake, name: str) -> int:
    """The table's latest version (-1: no table yet)."""
    table = open_table(lake, name)
    return -1 if table is None else table.version()


def batch_commits(lake: Lake, name: str, after: int, before: int) -> list[tuple[int, str, str]]:
    """(version, outlet, batch) of the batch commits with a version strictly between `after` and
    `before`, from their commitInfo (the custom metadata commit_batch writes): one GET per commit
    file of the range, read directly (delta-rs's `history()` lists the whole log first)."""
    from nashra.core.ledger import table_dir

    versions = list(range(max(after + 1, 0), before))
    if not versions:
        return []

    def commit_info(version: int) -> dict[str, Any]:
        raw = lake.read_bytes(f"{table_dir(name)}/_delta_log/{version:020d}.json")
        for line in raw.splitlines():
            action = json.loads(line) if line.strip() else {}
            if "commitInfo" in action:
                return action["commitInfo"]
        return {}

    with ThreadPoolExecutor(max_workers=min(8, len(versions))) as pool:
        infos = list(pool.map(commit_info, versions))
    return [
        (version, str(info.get("nashra.outlet", "")), str(info["nashra.batch"]))
        for version, info in zip(versions, infos, strict=True)
        if info.get("nashra.batch")
    ]


def writer_properties(**extra: Any) -> Any:
    """zstd (the lake's codec before Delta) instead of delta-rs's default snappy."""
    from deltalake import WriterProperties

    return WriterProperties(compression="ZSTD", **extra)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def batch_predicate(outlet_id: str, batch_id: str, scope: dict[str, str] | None = None) -> str:
    where = {"outlet_id": outlet_id, "batch_id": batch_id, **(scope or {})}
    return " AND ".join(f"{column} = {_sql_literal(value)}" for column, value in where.items())


def commit_batch(
    lake: Lake,
    name: str,
    rows: pa.Table,
    *,
    outlet_id: str,
    batch_id: str,
    replace: bool,
    metadata: dict[str, str] | None = None,
    scope: dict[str, str] | None = None,
) -> int | None:
    """One commit with the batch's rows of one table: appended, or (`replace`) swapped for the
    rows an earlier attempt of the batch committed (within `scope`: more columns that must match,
    e.g. the discovery family of the fetched-URL table), in the same commit. Returns the commit's
    version (None: nothing to commit)."""
    from deltalake import CommitProperties, write_deltalake

    spec = SPECS[name]
    if not replace and rows.num_rows == 0:
        return None
    props = CommitProperties(
        custom_metadata={"nashra.batch": batch_id, "nashra.outlet": outlet_id, **(metadata or {})}
    )
    predicate = batch_predicate(outlet_id, batch_id, scope)
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        try:
            table = _table_for_write(lake, name, rows.schema)
            if replace and rows.num_rows == 0:
                table.delete(predicate, commit_properties=props)
                return table.version()
            write_deltalake(
                table,
                rows,
                mode="overwrite" if replace else "append",
                predicate=predicate if replace else None,
                partition_by=list(spec.partition_by) or None,
                storage_options=storage_options(lake),
                commit_properties=props,
                writer_properties=writer_properties(),
                configuration=TABLE_CONFIG,
            )
            return table.version()
        except Exception as exc:
            transient = is_transient(exc)
            if not (transient or is_conflict(exc)) or attempt == COMMIT_ATTEMPTS:
                raise
            # After a broken connection the commit may or may not have landed: the next attempt
            # replaces the batch's rows, which is right either way.
            replace = replace or transient
            why = "lost its connection" if transient else "conflicted"
            log.info("%s: commit of batch %s %s (attempt %d), retrying", name, batch_id, why, attempt)
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))  # noqa: S311 - jitter


def append(lake: Lake, name: str, rows: pa.Table, metadata: dict[str, str] | None = None) -> None:
    """Rows that are never replaced (one per stage run): a plain append."""
    from deltalake import CommitProperties, write_deltalake

    if rows.num_rows == 0:
        return
    # Retried when the connection breaks: at worst a run's metrics row is written twice (each row
    # carries its run_id, so a reader can drop the repeat), never lost.
    retrying(
        lambda: write_deltalake(
            _table_for_write(lake, name, rows.schema),
            rows,
            mode="append",
            partition_by=list(SPECS[name].partition_by) or None,
            storage_options=storage_options(lake),
            commit_properties=CommitProperties(custom_metadata=metadata) if metadata else None,
            writer_properties=writer_properties(),
            configuration=TABLE_CONFIG,
        ),
        f"{name}: appending",
    )


def read_batch(
    lake: Lake, name: str, outlet_id: str, batch_id: str, columns: list[str] | None = None
) -> pa.Table:
    """One batch's rows of one table (the outlet partition, then file statistics on batch_id)."""
    data = dataset(lake, name, where=[("outlet_id", "=", outlet_id), ("batch_id", "=", batch_id)])
    if data is None:
        return pa.table({})
    import pyarrow.compute as pc

    wanted = (pc.field("outlet_id") == outlet_id) & (pc.field("batch_id") == batch_id)
    if columns is not None:  # a column added to fields.yaml since the table's last write is absent
        columns = [c for c in columns if c in data.schema.names]
    return data.to_table(columns=columns, filter=wanted)


def is_conflict(exc: BaseException) -> bool:
    from deltalake.exceptions import CommitFailedError

    return isinstance(exc, CommitFailedError) or "conflict" in str(exc).lower()
