"""Kibana saved objects: they parse, name only mapped fields, and import through the _import API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

import schemas
from nashra.ops.kibana import import_objects, load_objects, referenced_fields, with_index_title


def test_saved_objects_reference_only_mapped_fields() -> None:
    objects = load_objects()
    types = {o["type"] for o in objects}
    assert {"index-pattern", "search", "visualization", "dashboard"} <= types
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


def _kibana_error(status: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"statusCode": status, "error": "Bad Request", "message": message}


def _kibana_import(headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    """What Kibana's saved-objects `_import` checks, with its answer shapes: the kbn-xsrf header,
    a multipart `file` part named *.ndjson, one JSON object per line with type, id and attributes,
    and references that resolve (to objects of the same file: the test cluster holds none)."""
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
    errors, known = [], {(o.get("type"), o.get("id")) for o in objects if isinstance(o, dict)}
    for obj in objects:
        if not isinstance(obj, dict) or not {"type", "id", "attributes"} <= set(obj):
            return _kibana_error(400, "object is missing type, id or attributes")
        missing = [r for r in obj.get("references", []) if (r.get("type"), r.get("id")) not in known]
        if missing:
            errors.append(
                {
                    "id": obj["id"],
                    "type": obj["type"],
                    "error": {"type": "missing_references", "references": missing},
                }
            )
    answer = {"success": not errors, "successCount": len(objects) - len(errors)}
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


def test_the_stand_in_refuses_what_kibana_refuses() -> None:
    headers = {"kbn-xsrf": "x", "content-type": "multipart/form-data; boundary=b"}
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="o.ndjson"\r\n\r\n'
    ok_line = b'{"type": "search", "id": "s", "attributes": {}}'
    assert _kibana_import(headers, body + ok_line + b"\r\n--b--\r\n")[1]["success"] is True
    assert _kibana_import({"content-type": headers["content-type"]}, body)[0] == 400  # no kbn-xsrf
    dangling = (
        b'{"type": "search", "id": "s", "attributes": {}, '
        b'"references": [{"type": "index-pattern", "id": "nope"}]}'
    )
    status, answer = _kibana_import(headers, body + dangling + b"\r\n--b--\r\n")
    assert status == 200 and answer["success"] is False
    assert answer["errors"][0]["error"]["type"] == "missing_references"


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
