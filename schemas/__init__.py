"""Schemas derived from one field list (fields.yaml): Parquet, Elasticsearch, GX required fields."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_DIR = Path(__file__).resolve().parent
LANGUAGES = ("ar", "fr", "en")
_ANALYZERS = {"ar": "nashra_arabic", "fr": "nashra_french", "en": "nashra_english"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    es: str
    doc: str


@cache
def _spec() -> dict[str, Any]:
    return yaml.safe_load((SCHEMA_DIR / "fields.yaml").read_text(encoding="utf-8"))


def schema_version() -> int:
    return int(_spec()["version"])


def tables() -> list[str]:
    return list(_spec()["tables"])


def fields(table: str) -> list[Field]:
    return [Field(**f) for f in _spec()["tables"][table]["fields"]]


def required_fields(table: str) -> list[str]:
    return [f.name for f in fields(table) if f.required]


def parquet_schema(table: str):  # -> pyarrow.Schema (import kept local: DAG parsing must stay cheap)
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int32": pa.int32(),
        "float32": pa.float32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list<string>": pa.list_(pa.string()),
    }
    spec = _spec()["tables"][table]
    schema = pa.schema(
        [
            pa.field(f.name, types[f.type], nullable=not f.required, metadata={"doc": f.doc})
            for f in fields(table)
        ]
    )
    return schema.with_metadata(
        {"nashra.table": table, "nashra.schema_version": str(schema_version()), "doc": spec["doc"]}
    )


def routed_text_fields() -> list[str]:
    return [f.name for f in fields("articles") if f.es == "text_routed"]


def es_mappings() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for f in fields("articles"):
        if f.es == "keyword":
            props[f.name] = {"type": "keyword", "ignore_above": 2048}
        elif f.es == "url":
            props[f.name] = {"type": "keyword", "index": False, "doc_values": False}
        elif f.es == "date":
            props[f.name] = {"type": "date"}
        elif f.es == "integer":
            props[f.name] = {"type": "integer"}
        elif f.es == "float":
            props[f.name] = {"type": "float"}
        elif f.es == "text_routed":
            # The language-neutral field folds case, accents and Arabic letter variants: it serves
            # names and mixed text in any language, and is where a document with an unknown
            # language is still found.
            props[f.name] = {"type": "text", "analyzer": "nashra_folded"}
            for lang in LANGUAGES:
                props[f"{f.name}_{lang}"] = {"type": "text", "analyzer": _ANALYZERS[lang]}
    # dynamic strict: a document with a field the schema does not know is a bug, not data.
    return {"dynamic": "strict", "_meta": {"schema_version": schema_version()}, "properties": props}


def es_settings() -> dict[str, Any]:
    analysis = json.loads((SCHEMA_DIR / "es_analysis.json").read_text(encoding="utf-8"))["analysis"]
    return {"number_of_shards": 1, "number_of_replicas": 0, "analysis": analysis}


def es_index_template(index_pattern: str) -> dict[str, Any]:
    """Body for PUT _index_template/<name>."""
    return {
        "index_patterns": [index_pattern],
        "priority": 200,
        "template": {"settings": es_settings(), "mappings": es_mappings()},
        "_meta": {"schema_version": schema_version(), "source": "schemas/fields.yaml"},
    }
