"""`nashra lake migrate`: a lake in the layout before Delta Lake -> Delta tables, in place or to a new URI.

Per table: every legacy Parquet file is read (streamed, schema columns only) and written as one
commit of a Delta table; the dedup key table is derived from the migrated articles. The row counts
are compared before anything is deleted; in place, the legacy files go only then. The migrating
commit carries `nashra.migrated` in its metadata, so a run interrupted while deleting finishes the
deletion instead of migrating the rest twice, and a second run finds nothing to do.
To a new URI, the raw archive, manifests, claims and GX pages are copied as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

import schemas
from nashra.core.ledger import OBJECT_PREFIXES, legacy_manifests, legacy_table_files, manifest_path, table_dir
from nashra.core.tables import SPECS, TABLE_CONFIG, open_table, storage_options, table_uri, writer_properties

if TYPE_CHECKING:
    from nashra.core.lake import Lake

LEGACY_TABLES = ("articles", "quarantine", "url_duplicates", "signatures", "metrics", "fetched")
MARK = "nashra.migrated"


class MigrationError(RuntimeError):
    pass


@dataclass
class TableMigration:
    table: str
    legacy_rows: int = 0
    delta_rows: int = 0
    legacy_files: int = 0
    state: str = ""  # migrated | finished an interrupted run | nothing to migrate


@dataclass
class MigrationReport:
    source: str
    target: str
    tables: list[TableMigration] = field(default_factory=list)
    objects_copied: int = 0
    manifests_moved: int = 0  # into the dated folders the pending window lists


def _schema(name: str) -> pa.Schema:
    if name in ("articles", "quarantine", "url_duplicates"):
        return schemas.parquet_schema(name)
    if name == "signatures":
        from nashra.stages.dedup_state import SCHEMA

        return SCHEMA
    if name == "fetched":
        from nashra.core.raw_archive import RAW_INDEX_SCHEMA

        return RAW_INDEX_SCHEMA
    from nashra.stages.metrics import metrics_schema

    return metrics_schema()


def _batches(source: Lake, name: str, files: list[str], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The legacy rows as `schema` wants them: partition values from the paths fill the columns
    the files did not carry (a signature's month, a fetched URL's outlet), columns added since
    (metrics details, a fetched URL's family, an article's dialect) are nulls."""
    data = source.legacy_dataset(files, table_dir(name))
    present = set(data.schema.names)
    from_path = {"outlet_id": "outlet"}  # the old folders' partition names
    for batch in data.to_batches(batch_size=10_000):
        columns = []
        for f in schema:
            source_name = f.name if f.name in present else from_path.get(f.name)
            if source_name in present:
                columns.append(batch.column(source_name).cast(f.type))
            elif f.name in _ADDED_SINCE:
                columns.append(pa.nulls(batch.num_rows, f.type))
            else:
                raise MigrationError(f"{name}: the legacy files have no column {f.name!r}")
        yield pa.RecordBatch.from_arrays(columns, schema=schema)


_ADDED_SINCE = {"details", "family", "dialect"}


def _write(target: Lake, name: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch], rows: int) -> None:
    from deltalake import CommitProperties, write_deltalake

    write_deltalake(
        table_uri(target, name),
        pa.RecordBatchReader.from_batches(schema, batches),
        mode="overwrite",
        partition_by=list(SPECS[name].partition_by) or None,
        storage_options=storage_options(target),
        commit_properties=CommitProperties(custom_metadata={MARK: str(rows)}),
        writer_properties=writer_properties(),
        configuration=TABLE_CONFIG,
    )


def _was_migrated(target: Lake, name: str) -> bool:
    table = open_table(target, name, check_legacy=False)
    return table is not None and any(MARK in h for h in table.history())


def _key_batches(articles: Any) -> Iterator[pa.RecordBatch]:
    """The dedup keys of migrated articles: an id key per article, a hash key per canonical one."""
    from nashra.stages.dedup_keys import keys_of_articles

    columns = ["article_id", "content_hash", "dedup_status", "outlet_id", "batch_id"]
    for batch in articles.to_batches(columns=columns, batch_size=10_000):
        yield from keys_of_articles(pa.Table.from_batches([batch])).to_batches()


def _hashed_canonical() -> pc.Expression:
    return (pc.field("dedup_status") == "canonical") & pc.field("content_hash").is_valid()


def migrate(source: Lake, target: Lake | None = None) -> MigrationReport:
    """Convert `source`'s legacy tables into Delta tables in `target` (default: in place)."""
    in_place = target is None or target.uri == source.uri
    target = source if target is None else target
    report = MigrationReport(source.uri, target.uri)
    migrated_articles = False
    for name in LEGACY_TABLES:
        files = legacy_table_files(source, name)
        entry = TableMigration(name, legacy_files=len(files))
        report.tables.append(entry)
        if not files:
            entry.state = "nothing to migrate"
            continue
        schema = _schema(name)
        entry.legacy_rows = source.legacy_dataset(files, table_dir(name)).count_rows()
        if in_place and _was_migrated(target, name):
            entry.state = "finished an interrupted run"
        else:
            _write(target, name, schema, _batches(source, name, files, schema), entry.legacy_rows)
            entry.state = "migrated"
            migrated_articles |= name == "articles"
        table = open_table(target, name, check_legacy=False)
        entry.delta_rows = table.to_pyarrow_dataset().count_rows() if table is not None else 0
        if entry.state == "migrated" and entry.delta_rows != entry.legacy_rows:
            raise MigrationError(
                f"{name}: {entry.legacy_rows} rows in the legacy files but {entry.delta_rows} in the "
                f"Delta table; nothing was deleted"
            )
        if in_place:
            for rel in files:
                source.delete(rel)
    if migrated_articles:
        articles = open_table(target, "articles")
        assert articles is not None
        from nashra.stages.dedup_keys import SCHEMA

        data = articles.to_pyarrow_dataset()
        keys = TableMigration("dedup_keys", state="derived from articles")
        canonical = pc.field("dedup_status") == "canonical"
        keys.legacy_rows = data.count_rows() + data.count_rows(
            filter=canonical & pc.field("content_hash").is_valid()
        )
        _write(target, "dedup_keys", SCHEMA, _key_batches(data), keys.legacy_rows)
        keys.delta_rows = open_table(target, "dedup_keys").to_pyarrow_dataset().count_rows()
        if keys.delta_rows != keys.legacy_rows:
            raise MigrationError(f"dedup_keys: expected {keys.legacy_rows} keys, wrote {keys.delta_rows}")
        report.tables.append(keys)
    if not in_place:
        report.objects_copied = _copy_objects(source, target)
    report.manifests_moved = _date_manifests(target)
    return report


def _date_manifests(lake: Lake) -> int:
    """Manifests of the undated layout -> `.../date=<batch day>/`: written, then the old one deleted
    (an interrupted run leaves both, and the next one finishes)."""
    moved = 0
    for rel, old in legacy_manifests(lake):
        lake.write_bytes(manifest_path(*old), lake.read_bytes(rel))
        lake.delete(rel)
        moved += 1
    return moved


def _copy_objects(source: Lake, target: Lake) -> int:
    copied = 0
    for prefix in OBJECT_PREFIXES:
        have = target.sizes(prefix)
        for rel, size in source.sizes(prefix).items():
            if have.get(rel) != size:
                target.write_bytes(rel, source.read_bytes(rel))
                copied += 1
    return copied
