"""The lake's data contract: schema changes that would break downstream readers fail here."""

from __future__ import annotations

import copy
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import schemas
from schemas.contract import breaking_changes, current, published


@pytest.mark.parametrize("table", schemas.tables())
def test_current_schema_is_compatible_with_the_published_contract(table: str) -> None:
    assert breaking_changes(published(table), current(table)) == []


def test_breaking_changes_are_detected() -> None:
    old = published("articles")
    removed = copy.deepcopy(old)
    removed["fields"] = [f for f in removed["fields"] if f["name"] != "language"]
    retyped = copy.deepcopy(old)
    next(f for f in retyped["fields"] if f["name"] == "word_count")["type"] = "string"
    tightened = copy.deepcopy(old)
    next(f for f in tightened["fields"] if f["name"] == "section")["required"] = True
    added_required = copy.deepcopy(old)
    added_required["fields"].append({"name": "sentiment", "type": "string", "required": True})
    assert breaking_changes(old, removed) == ["articles.language was removed"]
    assert breaking_changes(old, retyped) == ["articles.word_count changed type int32 -> string"]
    assert breaking_changes(old, tightened) == ["articles.section became required"]
    assert breaking_changes(old, added_required) == [
        "articles.sentiment was added as required (old files lack it)"
    ]
    added_nullable = copy.deepcopy(old)
    added_nullable["fields"].append({"name": "sentiment", "type": "string", "required": False})
    assert breaking_changes(old, added_nullable) == []
    bumped = copy.deepcopy(removed)
    bumped["version"] = old["version"] + 1
    assert breaking_changes(old, bumped) == []


def test_files_written_under_the_contract_read_together_with_current_files(tmp_path: Path) -> None:
    """A reader scanning old and new partitions at once gets one table (new nullable columns null)."""
    types = {
        "string": pa.string(),
        "int32": pa.int32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list<string>": pa.list_(pa.string()),
    }
    old_schema = pa.schema([(f["name"], types[f["type"]]) for f in published("articles")["fields"]])
    old_dir = tmp_path / "articles" / "outlet=a" / "date=2026-01-01"
    old_dir.mkdir(parents=True)
    pq.write_table(old_schema.empty_table(), old_dir / "part-old.parquet")
    new_dir = tmp_path / "articles" / "outlet=b" / "date=2026-01-02"
    new_dir.mkdir(parents=True)
    pq.write_table(schemas.parquet_schema("articles").empty_table(), new_dir / "part-new.parquet")
    dataset = ds.dataset(
        tmp_path / "articles",
        format="parquet",
        partitioning="hive",
        schema=schemas.parquet_schema("articles")
        .append(pa.field("outlet", pa.string()))
        .append(pa.field("date", pa.string())),
    )
    assert dataset.to_table().num_rows == 0
    assert set(dataset.schema.names) >= {f["name"] for f in published("articles")["fields"]}


def test_every_field_is_documented() -> None:
    for table in schemas.tables():
        for field in schemas.fields(table):
            assert field.doc.strip(), f"{table}.{field.name} has no doc"
        assert (
            schemas.parquet_schema(table).metadata[b"nashra.schema_version"]
            == str(schemas.schema_version()).encode()
        )
