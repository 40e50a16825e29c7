"""The lake's data contract: schema changes that would break downstream readers fail here."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
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


def test_files_without_the_optional_fields_read_together_with_current_files(tmp_path: Path) -> None:
    """Files written before optional fields were added are read with the current schema: the new
    columns come back null, nothing fails (the promise behind "adding a nullable field is compatible")."""
    current = schemas.parquet_schema("articles")
    row = {
        "article_id": "a1",
        "canonical_url": "http://x.test/a",
        "url": "http://x.test/a",
        "outlet_id": "x",
        "country": "MA",
        "language": "fr",
        "title": "Titre",
        "body": "Corps",
        "published_at": datetime(2026, 1, 1, tzinfo=UTC),
        "fetched_at": datetime(2026, 1, 1, tzinfo=UTC),
        "content_hash": "h",
        "word_count": 1,
        "batch_id": "b",
        "page_id": "p",
        "dedup_status": "canonical",
    }
    old_schema = pa.schema([f for f in current if not f.nullable])
    assert set(old_schema.names) == set(row)
    old_dir = tmp_path / "articles" / "outlet=a" / "date=2026-01-01"
    old_dir.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([row], schema=old_schema), old_dir / "part-old.parquet")
    new_dir = tmp_path / "articles" / "outlet=b" / "date=2026-01-02"
    new_dir.mkdir(parents=True)
    pq.write_table(
        pa.Table.from_pylist([{**row, "article_id": "a2", "story_id": "a2"}], schema=current),
        new_dir / "part-new.parquet",
    )
    dataset = ds.dataset(tmp_path / "articles", format="parquet", partitioning="hive", schema=current)
    rows = {r["article_id"]: r for r in dataset.to_table().to_pylist()}
    assert rows["a1"]["story_id"] is None and rows["a2"]["story_id"] == "a2"


def test_every_field_is_documented() -> None:
    for table in schemas.tables():
        for field in schemas.fields(table):
            assert field.doc.strip(), f"{table}.{field.name} has no doc"
        assert (
            schemas.parquet_schema(table).metadata[b"nashra.schema_version"]
            == str(schemas.schema_version()).encode()
        )
