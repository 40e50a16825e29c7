"""Kibana saved objects: they parse, name only mapped fields, and import through the _import API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

import schemas
from nashra.ops.kibana import (
    CORE_MIGRATION_VERSION,
    MIGRATION_VERSIONS,
    import_objects,
    load_objects,
    referenced_fields,
    with_index_title,
)


def test_saved_objects_reference_only_mapped_fields() -> None:
    objects = load_objects()
    types = {o["type"] for o in objects}
    assert {"index-pattern", "search", "lens", "visualization", "dashboard"} <= types
    (view,) = [o for o in objects if o["type"] == "index-pattern"]
    assert view["attributes"]["title"] == "nashra-articles"
    assert view["attributes"]["timeFieldName"] == "published_at"
    used = referenced_fields(objects)
    assert {"published_at", "outlet_id", "language", "dedup_status"} <= used
    assert used <= set(schemas.es_mappings()["properties"])
    # Every reference points at an object of the file.
    ids = {(o["type"], o["id"]) for o in objects}
    assert all((r["type"], r["id"]) in ids for o in objects for r in o.get("references", []))


def test_field_check_catches_an_unknown_field() -> None:
    vis = {
        "attributes": {
            "visState": json.dumps({"aggs": [{"params": {"field": "no_such_field"}}]}),
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": json.dumps({"query": {"query": "outlet : x", "language": "kuery"}})
            },
        }
    }
    assert referenced_fields([vis]) == {"no_such_field", "outlet"}


def test_objects_are_in_kibana_8_export_format() -> None:
    objects = load_objects()
    for obj in objects:
        assert {"id", "type", "attributes", "references"} <= set(obj), obj.get("id")
        assert obj["coreMigrationVersion"] == CORE_MIGRATION_VERSION, obj["id"]
        assert obj["typeMigrationVersion"] == MIGRATION_VERSIONS[obj["type"]], obj["id"]
        assert obj["managed"] is False, obj["id"]
    # The charts are Lens; only the markdown note is left as an aggregation-based visualization.
    legacy = [json.loads(o["attributes"]["visState"]) for o in objects if o["type"] == "visualization"]
    assert [v["type"] for v in legacy] == ["markdown"]
    lens = {o["attributes"]["visualizationType"] for o in objects if o["type"] == "lens"}
    assert lens == {"lnsXY", "lnsPie"}
    (dashboard,) = [o for o in objects if o["type"] == "dashboard"]
    panel_types = [p["type"] for p in json.loads(dashboard["attributes"]["panelsJSON"])]
    assert panel_types.count("lens") == 5 and panel_types.count("visualization") == 1
    # Every object the stand-in knows how to check passes it (Lens layers, dashboard panels).
    known = {(o["type"], o["id"]) for o in objects}
    assert all((r["type"], r["id"]) in known for o in objects for r in o["references"])
    assert _import_lines([json.dumps(o).encode() for o in objects]) == (
        200,
        {"success": True, "successCount": len(objects)},
    )


def _lens_object(field: str) -> dict[str, Any]:
    (lens,) = [o for o in load_objects() if o["id"] == "nashra-language-split"]
    lens = json.loads(json.dumps(lens))
    for layer in lens["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values():
        for column in layer["columns"].values():
            if column["operationType"] == "terms":
                column["sourceField"] = field
    return lens


def test_field_check_reads_lens_source_fields() -> None:
    assert referenced_fields([_lens_object("language")]) == {"language"}  # not ___records___
    used = referenced_fields([_lens_object("no_such_field")])
    assert used == {"no_such_field"}
    assert not used <= set(schemas.es_mappings()["properties"])


def _kibana_error(status: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"statusCode": status, "error": "Bad Request", "message": message}


# The Kibana the stand-in plays (the compose image's version) and the latest migration it knows per
# saved-object type; a type missing here is one Kibana does not have ("unsupported_type").
STAND_IN_VERSION = "8.19.21"
STAND_IN_TYPE_MIGRATIONS = {
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "visualization": "8.5.0",
    "lens": "8.9.0",
    "dashboard": "8.9.0",
    "tag": "8.0.0",
}
LENS_OPERATIONS = {"count", "date_histogram", "terms", "average", "sum", "min", "max", "unique_count"}


def _version(text: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(n) for n in str(text).split("."))
    except ValueError:
        return None


def _version_refusal(obj: dict[str, Any]) -> str | None:
    """Why Kibana would refuse the object's migration versions, or None."""
    name = f"{obj['type']}:{obj['id']}"
    for key, latest in (
        ("coreMigrationVersion", STAND_IN_VERSION),
        ("typeMigrationVersion", STAND_IN_TYPE_MIGRATIONS[obj["type"]]),
    ):
        # A missing version is not refused: Kibana migrates such an object as one from before 8
        # (our own file is held to the 8.x format by test_objects_are_in_kibana_8_export_format).
        if key not in obj:
            continue
        version = _version(obj[key])
        if version is None:
            return f"[{name}]: {key} [{obj[key]}] is not a version"
        if version > _version(latest):  # type: ignore[operator]
            return (
                f'Document "{obj["id"]}" belongs to a more recent version of Kibana [{obj[key]}] '
                f"when the last known version is [{latest}]."
            )
    return None


def _lens_problems(obj: dict[str, Any]) -> list[str]:
    """A Lens object the editor can render: form-based layers with their data view references,
    columns with an operation and a source field, visualization layers naming existing columns."""
    attributes = obj["attributes"]
    problems: list[str] = []
    if attributes.get("visualizationType") not in ("lnsXY", "lnsPie", "lnsMetric", "lnsDatatable"):
        problems.append(f"visualizationType {attributes.get('visualizationType')!r}")
    state = attributes.get("state") or {}
    layers = ((state.get("datasourceStates") or {}).get("formBased") or {}).get("layers") or {}
    if not layers:
        problems.append("no formBased layers")
    refs = {r.get("name"): r for r in obj["references"]}
    for layer_id, layer in layers.items():
        ref = refs.get(f"indexpattern-datasource-layer-{layer_id}")
        if not ref or ref.get("type") != "index-pattern":
            problems.append(f"layer {layer_id}: no index-pattern reference")
        columns = layer.get("columns") or {}
        if sorted(layer.get("columnOrder") or []) != sorted(columns):
            problems.append(f"layer {layer_id}: columnOrder does not list its columns")
        for column_id, column in columns.items():
            if column.get("operationType") not in LENS_OPERATIONS or not column.get("sourceField"):
                problems.append(f"layer {layer_id} column {column_id}: operationType/sourceField")
    for vis_layer in (state.get("visualization") or {}).get("layers") or []:
        layer = layers.get(vis_layer.get("layerId"))
        if layer is None:
            problems.append(f"visualization layer {vis_layer.get('layerId')}: no such datasource layer")
            continue
        named = [vis_layer.get(k) for k in ("xAccessor", "splitAccessor") if vis_layer.get(k)]
        for key in ("accessors", "primaryGroups", "metrics"):
            named += vis_layer.get(key) or []
        missing = [c for c in named if c not in (layer.get("columns") or {})]
        if missing:
            problems.append(f"visualization layer {vis_layer['layerId']}: unknown columns {missing}")
    if not isinstance(state.get("query"), dict) or not isinstance(state.get("filters"), list):
        problems.append("state has no query/filters")
    return problems


def _dashboard_problems(obj: dict[str, Any]) -> list[str]:
    refs = {r.get("name"): r for r in obj["references"]}
    problems = []
    for panel in json.loads(obj["attributes"].get("panelsJSON") or "[]"):
        ref = refs.get(panel.get("panelRefName"))
        if ref is None or ref.get("type") != panel.get("type"):
            problems.append(f"panel {panel.get('panelIndex')}: panelRefName/type do not match a reference")
    return problems


def _kibana_import(headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    """What Kibana 8's saved-objects `_import` checks, with its answer shapes: the kbn-xsrf header,
    a multipart `file` part named *.ndjson, one JSON object per line with id, type, attributes and
    references, migration versions present and not newer than this Kibana knows, types Kibana has,
    and references that resolve (to objects of the same file: the test cluster holds none).
    Beyond the import itself, Lens layers and dashboard panels are checked as the Lens editor and
    the dashboard would need them to render (Kibana accepts a broken one and fails on display)."""
    if "kbn-xsrf" not in headers:
        return _kibana_error(400, "Request must contain a kbn-xsrf header.")
    content_type = headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data; boundary="):
        return 415, {
            "statusCode": 415,
            "error": "Unsupported Media Type",
            "message": "Unsupported Media Type",
        }
    boundary = content_type.split("boundary=", 1)[1].encode()
    parts = [p for p in body.split(b"--" + boundary) if b'name="file"' in p]
    if len(parts) != 1 or b'filename="' not in parts[0]:
        return _kibana_error(400, "[request body.file]: expected value of type [Stream]")
    filename = parts[0].split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
    if not filename.endswith(".ndjson"):
        return _kibana_error(400, f"Invalid file extension {filename}")
    payload = parts[0].split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[0]
    try:
        objects = [json.loads(line) for line in payload.splitlines() if line.strip()]
    except ValueError as exc:
        return _kibana_error(400, f"Unexpected token in JSON: {exc}")
    errors: list[dict[str, Any]] = []
    known = {(o.get("type"), o.get("id")) for o in objects if isinstance(o, dict)}
    for obj in objects:
        if not isinstance(obj, dict) or not {"id", "type", "attributes", "references"} <= set(obj):
            return _kibana_error(400, "object is missing id, type, attributes or references")
        entry = {"id": obj["id"], "type": obj["type"]}
        if obj["type"] not in STAND_IN_TYPE_MIGRATIONS:
            errors.append({**entry, "error": {"type": "unsupported_type"}})
            continue
        refusal = _version_refusal(obj)
        if refusal:
            return _kibana_error(400, refusal)
        missing = [
            r
            for r in obj["references"]
            if r.get("type") not in STAND_IN_TYPE_MIGRATIONS or (r.get("type"), r.get("id")) not in known
        ]
        if missing:
            errors.append({**entry, "error": {"type": "missing_references", "references": missing}})
            continue
        checks = {"lens": _lens_problems, "dashboard": _dashboard_problems}
        problems = checks[obj["type"]](obj) if obj["type"] in checks else []
        if problems:
            errors.append({**entry, "error": {"type": "unknown", "message": "; ".join(problems)}})
    answer: dict[str, Any] = {"success": not errors, "successCount": len(objects) - len(errors)}
    if errors:
        answer["errors"] = errors
    return 200, answer


class _FakeKibana(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {k.lower(): v for k, v in self.headers.items()}
        _FakeKibana.requests.append({"path": self.path, "headers": headers, "body": body})
        status, answer = (
            _kibana_import(headers, body)
            if self.path.split("?")[0].endswith("/api/saved_objects/_import")
            else (404, {"statusCode": 404, "error": "Not Found", "message": "Not Found"})
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_kibana() -> Iterator[str]:
    _FakeKibana.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeKibana)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_import_posts_multipart_ndjson_with_overwrite(fake_kibana: str) -> None:
    objects = with_index_title(load_objects(), "news-prod")
    answer = import_objects(fake_kibana, objects, space="newsroom", api_key="k3y")
    # The stand-in checked the header, the multipart file and every reference, as Kibana does.
    assert answer == {"success": True, "successCount": len(objects)}
    (request,) = _FakeKibana.requests
    assert request["path"] == "/s/newsroom/api/saved_objects/_import?overwrite=true"
    headers = request["headers"]
    assert headers["kbn-xsrf"] and headers["authorization"] == "ApiKey k3y"
    boundary = headers["content-type"].split("boundary=")[1]
    part = request["body"].split(f"--{boundary}".encode())[1]
    assert b'name="file"; filename="nashra.ndjson"' in part
    lines = part.split(b"\r\n\r\n", 1)[1].strip().splitlines()
    sent = [json.loads(line) for line in lines]
    assert len(sent) == len(objects)
    assert next(o for o in sent if o["type"] == "index-pattern")["attributes"]["title"] == "news-prod"


def test_cli_import_exit_code(fake_kibana: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from nashra.cli.main import main

    monkeypatch.setenv("NASHRA_INDEX_PREFIX", "nashra-articles")
    assert main(["kibana", "import", "--url", fake_kibana]) == 0
    assert _FakeKibana.requests[0]["path"] == "/api/saved_objects/_import?overwrite=true"


_HEADERS = {"kbn-xsrf": "x", "content-type": "multipart/form-data; boundary=b"}
_BODY = b'--b\r\nContent-Disposition: form-data; name="file"; filename="o.ndjson"\r\n\r\n'


def _import_lines(lines: list[bytes]) -> tuple[int, dict[str, Any]]:
    return _kibana_import(_HEADERS, _BODY + b"\n".join(lines) + b"\r\n--b--\r\n")


def _search(**extra: Any) -> dict[str, Any]:
    obj = {"id": "s", "type": "search", "attributes": {}, "references": []}
    obj.update({"coreMigrationVersion": "8.8.0", "typeMigrationVersion": "8.0.0"})
    return {**obj, **extra}


def test_the_stand_in_refuses_what_kibana_refuses() -> None:
    assert _import_lines([json.dumps(_search()).encode()])[1]["success"] is True
    assert _kibana_import({"content-type": _HEADERS["content-type"]}, _BODY)[0] == 400  # no kbn-xsrf
    dangling = _search(references=[{"type": "index-pattern", "id": "nope", "name": "x"}])
    status, answer = _import_lines([json.dumps(dangling).encode()])
    assert status == 200 and answer["success"] is False
    assert answer["errors"][0]["error"]["type"] == "missing_references"
    status, answer = _import_lines([json.dumps(_search(type="no-such-type")).encode()])
    assert status == 200 and answer["errors"][0]["error"] == {"type": "unsupported_type"}


def test_the_stand_in_refuses_newer_migration_versions_and_migrates_missing_ones() -> None:
    unversioned = _search()
    del unversioned["typeMigrationVersion"]
    assert _import_lines([json.dumps(unversioned).encode()])[0] == 200  # migrated, as Kibana does
    status, answer = _import_lines([json.dumps(_search(typeMigrationVersion="10.9.0")).encode()])
    assert status == 400 and answer["statusCode"] == 400 and answer["error"] == "Bad Request"
    assert "more recent version of Kibana [10.9.0]" in answer["message"]
    status, answer = _import_lines([json.dumps(_search(coreMigrationVersion="9.1.0")).encode()])
    assert status == 400 and "[9.1.0]" in answer["message"]
    no_refs = {k: v for k, v in _search().items() if k != "references"}
    assert _import_lines([json.dumps(no_refs).encode()])[0] == 400


def test_the_stand_in_checks_lens_layers() -> None:
    view = next(o for o in load_objects() if o["type"] == "index-pattern")
    lens = _lens_object("language")
    assert _import_lines([json.dumps(view).encode(), json.dumps(lens).encode()])[1]["success"] is True
    unreferenced = {**lens, "references": []}
    status, answer = _import_lines([json.dumps(view).encode(), json.dumps(unreferenced).encode()])
    assert (
        status == 200
        and answer["success"] is False
        and "no index-pattern reference" in answer["errors"][0]["error"]["message"]
    )
    broken = json.loads(json.dumps(lens))
    broken["attributes"]["state"]["visualization"]["layers"][0]["metrics"] = ["gone"]
    status, answer = _import_lines([json.dumps(view).encode(), json.dumps(broken).encode()])
    assert (
        status == 200
        and answer["success"] is False
        and "unknown columns ['gone']" in answer["errors"][0]["error"]["message"]
    )


def test_cli_reports_kibanas_refusal_and_exits_non_zero(
    fake_kibana: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from nashra.cli.main import main

    broken = [o for o in load_objects() if o["type"] != "index-pattern"]  # references now dangle
    path = tmp_path / "broken.ndjson"
    path.write_text("".join(json.dumps(o) + "\n" for o in broken), encoding="utf-8")
    assert main(["kibana", "import", "--url", fake_kibana, "--file", str(path)]) == 1
    assert "missing_references" in capsys.readouterr().out


def test_cli_with_no_kibana_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from nashra.cli.main import main

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["kibana", "import", "--url", f"http://127.0.0.1:{port}"]) == 1
    out = capsys.readouterr().out.strip()
    assert "Traceback" not in out and out.count("\n") <= 1
    assert f"127.0.0.1:{port}" in out
