"""The data contract with downstream readers of the lake (pyarrow, DuckDB, Spark, Athena).

`schemas/contract/<table>.json` is the published schema of each table. A change to fields.yaml is
compatible when readers of the published schema keep working: fields may be added as nullable;
a field may not disappear, change type, or become required. A breaking change needs a new major
`version` in fields.yaml and a new published contract (and a migration note for readers).
"""

from __future__ import annotations

import json
from typing import Any

from schemas import SCHEMA_DIR, fields, schema_version, tables

CONTRACT_DIR = SCHEMA_DIR / "contract"


def current(table: str) -> dict[str, Any]:
    return {
        "table": table,
        "version": schema_version(),
        "fields": [{"name": f.name, "type": f.type, "required": f.required} for f in fields(table)],
    }


def published(table: str) -> dict[str, Any]:
    return json.loads((CONTRACT_DIR / f"{table}.json").read_text(encoding="utf-8"))


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a reader of `old` would trip over in `new` (empty when compatible)."""
    if new["version"] > old["version"]:
        return []  # a declared major version: readers were told
    before = {f["name"]: f for f in old["fields"]}
    after = {f["name"]: f for f in new["fields"]}
    problems = []
    for name, field in before.items():
        if name not in after:
            problems.append(f"{old['table']}.{name} was removed")
            continue
        if after[name]["type"] != field["type"]:
            problems.append(f"{old['table']}.{name} changed type {field['type']} -> {after[name]['type']}")
        if after[name]["required"] and not field["required"]:
            problems.append(f"{old['table']}.{name} became required")
    for name, field in after.items():
        if name not in before and field["required"]:
            problems.append(f"{new['table']}.{name} was added as required (old files lack it)")
    return problems


def publish() -> None:
    """Write the current schemas as the published contract (after a reviewed, compatible change)."""
    CONTRACT_DIR.mkdir(exist_ok=True)
    for table in tables():
        path = CONTRACT_DIR / f"{table}.json"
        path.write_text(json.dumps(current(table), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    publish()
