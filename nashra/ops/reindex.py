"""`nashra reindex`: build the next index version and switch both aliases to it in one call.

Used when the template changes (analysis, new fields in schemas/fields.yaml). The test node has no
`_reindex`, so documents are copied with scroll + bulk from the current read alias (default) or
rebuilt from the lake. Readers never see a half-built index: the new version gets no alias until it
is complete, then one `_aliases` request moves the read and write aliases together, which
Elasticsearch applies atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import schemas
from nashra.stages.index import aliases, ensure_index, index_rows, indices_of


class ReindexError(RuntimeError):
    """The new version could not be built; the aliases were not touched."""


@dataclass
class ReindexReport:
    old_indices: list[str]
    new_index: str
    copied: int = 0
    caught_up: int = 0
    deleted: list[str] = field(default_factory=list)


def _version(prefix: str, index: str) -> int | None:
    match = re.fullmatch(rf"{re.escape(prefix)}-v(\d+)-\d+", index)
    return int(match.group(1)) if match else None


def next_index(es: Any, prefix: str) -> str:
    """`<prefix>-v<N+1>-000001`, N the highest version present (never below the schema version)."""
    existing = es.indices.get(index=f"{prefix}-v*", expand_wildcards="all") if prefix else {}
    versions = [v for v in (_version(prefix, name) for name in existing) if v is not None]
    return f"{prefix}-v{max([*versions, schemas.schema_version() - 1]) + 1}-000001"


def _as_row(source: dict[str, Any]) -> dict[str, Any]:
    # Only fields.yaml's fields: the routed copies are rebuilt by to_document, a field dropped from
    # the schema is left behind, a new one is absent (None) until the lake fills it.
    return {f.name: source.get(f.name) for f in schemas.fields("articles")}


def rows_from_index(es: Any, index: str) -> Iterator[dict[str, Any]]:
    from elasticsearch.helpers import scan

    for hit in scan(es, index=index, query={"query": {"match_all": {}}}, size=500):
        yield _as_row(hit["_source"])


def rows_from_lake(lake: Any) -> Iterator[dict[str, Any]]:
    """The articles table's rows, batch by batch: the schema's columns only (the strict mapping
    refuses any other, as it refused the old layout's Hive partition columns)."""
    dataset = lake.dataset("articles")
    if dataset is None:
        return
    # A lake written before a field was added has no column for it until its next write (the
    # column is added then, tables._add_new_columns): its documents simply lack the field.
    columns = [f.name for f in schemas.parquet_schema("articles") if f.name in dataset.schema.names]
    for batch in dataset.to_batches(columns=columns, batch_size=2000):
        yield from batch.to_pylist()


def _catch_up(es: Any, old: list[str], new_index: str) -> int:
    """Documents written through the old write alias while the copy ran: `create` skips those the
    new index already has, so nothing newer is overwritten."""
    from elasticsearch.helpers import scan, streaming_bulk

    from nashra.stages.index import to_document

    actions = (
        {
            "_op_type": "create",
            "_index": new_index,
            "_id": h["_id"],
            "_source": to_document(_as_row(h["_source"])),
        }
        for h in scan(es, index=",".join(old), query={"query": {"match_all": {}}}, size=500)
    )
    created = 0
    for ok, info in streaming_bulk(es, actions, chunk_size=500, raise_on_error=False):
        status = next(iter(info.values())).get("status")
        if ok:
            created += 1
        elif status != 409:
            raise ReindexError(f"catch-up into {new_index} failed: {str(info)[:300]}")
    return created


def reindex(
    es: Any, prefix: str, *, rows: Iterable[dict[str, Any]] | None = None, delete_old: bool = False
) -> ReindexReport:
    """Copy every document into a new version and switch `<prefix>` and `<prefix>-write` to it.
    `rows` (e.g. `rows_from_lake`) replaces the copy from the current read alias."""
    read_alias, write_alias = aliases(prefix)
    ensure_index(es, prefix)  # the template is the current one; a first version exists
    old = indices_of(es, read_alias)
    old_writers = indices_of(es, write_alias)
    report = ReindexReport(old, next_index(es, prefix))
    es.indices.create(index=report.new_index)
    es.cluster.health(index=report.new_index, wait_for_status="yellow", timeout="30s")
    report.copied, errors = index_rows(
        es, rows if rows is not None else rows_from_index(es, read_alias), report.new_index
    )
    if errors:
        es.indices.delete(index=report.new_index)
        raise ReindexError(f"{len(errors)} documents refused by {report.new_index}; first: {errors[0]}")
    es.indices.refresh(index=report.new_index)
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": read_alias}} for i in old]
    actions += [{"remove": {"index": i, "alias": write_alias}} for i in old_writers]
    actions += [
        {"add": {"index": report.new_index, "alias": read_alias}},
        {"add": {"index": report.new_index, "alias": write_alias, "is_write_index": True}},
    ]
    es.indices.update_aliases(actions=actions)
    if old:
        # A scroll sees only refreshed documents: make the last writes to the old version visible.
        es.indices.refresh(index=",".join(old))
        report.caught_up = _catch_up(es, old, report.new_index)
        es.indices.refresh(index=report.new_index)
    if delete_old:
        # Every earlier version, also those an earlier reindex without --delete-old left behind
        # (they are behind neither alias any more, so `old` alone would keep them forever).
        current = {report.new_index}
        versions = es.indices.get(index=f"{prefix}-v*", expand_wildcards="open,closed")
        stale = sorted(i for i in versions if i not in current)
        if stale:
            es.indices.delete(index=",".join(stale))
        report.deleted = stale
    return report
