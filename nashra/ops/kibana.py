"""Kibana saved objects (schemas/kibana/*.ndjson, shipped in the wheel) and `nashra kibana import`.

The import goes through Kibana's saved-objects `_import` API (multipart upload, `overwrite=true`,
so re-importing updates in place). The data view's title is set to the read alias of
`NASHRA_INDEX_PREFIX` on the way, so a deployment with another prefix gets a matching data view.

The file is in Kibana 8's export format: every object carries `coreMigrationVersion` ("8.8.0", the
last core migration of 8.x) and the `typeMigrationVersion` of its type as Kibana 8.x exports it
(`MIGRATION_VERSIONS`), plus `managed: false`. Kibana migrates an imported object from that version
up to its own, and refuses one that claims a newer version than it knows. The values were taken from
Kibana's saved-objects export documentation (preserve both fields) and from 8.x exports published
in public repositories (index-pattern/search 8.0.0, visualization 8.5.0, lens/dashboard 8.9.0); they
were not read off a running Kibana 8.19. The charts are Lens objects (`lnsXY`, `lnsPie`, form-based
datasource); the markdown note stays a legacy `visualization` (Lens has no markdown).
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from schemas import SCHEMA_DIR

SAVED_OBJECTS_DIR = SCHEMA_DIR / "kibana"
CORE_MIGRATION_VERSION = "8.8.0"
MIGRATION_VERSIONS = {
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "visualization": "8.5.0",
    "lens": "8.9.0",
    "dashboard": "8.9.0",
}
# Lens's count column names this pseudo-field, not an index field.
_LENS_RECORDS = "___records___"
# JSON-in-a-string attributes Kibana stores serialized; field names hide inside them.
_NESTED_JSON = ("visState", "searchSourceJSON", "panelsJSON", "optionsJSON", "uiStateJSON")
_KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")


def load_objects(path: Path | None = None) -> list[dict[str, Any]]:
    paths = [path] if path else sorted(SAVED_OBJECTS_DIR.glob("*.ndjson"))
    objects = []
    for p in paths:
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    objects.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{p}:{n}: not JSON: {exc}") from exc
    return objects


def _walk(value: Any, fields: set[str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in _NESTED_JSON and isinstance(inner, str):
                _walk(json.loads(inner), fields)
            elif key in ("field", "timeFieldName") and isinstance(inner, str):
                fields.add(inner)
            elif key == "sourceField" and isinstance(inner, str):  # a Lens column
                if inner != _LENS_RECORDS:
                    fields.add(inner)
            elif key == "columns" and isinstance(inner, list):
                fields.update(c for c in inner if isinstance(c, str))
            elif key == "sort" and isinstance(inner, list):
                fields.update(s[0] for s in inner if isinstance(s, list) and s)
            elif key == "query" and isinstance(inner, dict) and inner.get("language") == "kuery":
                fields.update(_KQL_FIELD.findall(inner.get("query", "")))
            else:
                _walk(inner, fields)
    elif isinstance(value, list):
        for inner in value:
            _walk(inner, fields)


def referenced_fields(objects: list[dict[str, Any]]) -> set[str]:
    """Index fields the saved objects name: time field, columns, sort, aggregation fields, Lens
    columns' `sourceField`s, KQL."""
    fields: set[str] = set()
    for obj in objects:
        _walk(obj.get("attributes", {}), fields)
    return fields


def with_index_title(objects: list[dict[str, Any]], title: str) -> list[dict[str, Any]]:
    out = []
    for obj in objects:
        if obj.get("type") == "index-pattern":
            obj = {**obj, "attributes": {**obj["attributes"], "title": title}}
        out.append(obj)
    return out


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = f"nashra-{uuid.uuid4().hex}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def import_objects(
    kibana_url: str,
    objects: list[dict[str, Any]],
    *,
    space: str | None = None,
    api_key: str | None = None,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """POST the objects to Kibana's `_import` API; returns Kibana's answer (success, errors ...)."""
    ndjson = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")
    body, content_type = _multipart("nashra.ndjson", ndjson)
    base = kibana_url.rstrip("/") + (f"/s/{space}" if space else "")
    url = f"{base}/api/saved_objects/_import?overwrite=true"
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - http(s) URL from config
    request.add_header("Content-Type", content_type)
    request.add_header("kbn-xsrf", "nashra")  # Kibana refuses API writes without it
    if api_key:
        request.add_header("Authorization", f"ApiKey {api_key}")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from config
        return json.loads(response.read().decode("utf-8"))


def describe_failure(exc: BaseException) -> str:
    """One line for a failed import: Kibana's own message when it answered, else why not."""
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = json.loads(exc.read().decode("utf-8"))
            message = body.get("message") or body.get("error") or ""
        except (OSError, ValueError, AttributeError):
            message = ""
        return f"HTTP {exc.code} {exc.reason}" + (f": {message}" if message else "")
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason}); is Kibana running there? (--url or KIBANA_URL)"
    return f"{type(exc).__name__}: {exc}"
