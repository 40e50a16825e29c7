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


class _FakeKibana(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _FakeKibana.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        answer = json.dumps({"success": True, "successCount": body.count(b'"type"')}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

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
    assert answer["success"] is True
    (request,) = _FakeKibana.requests
    assert request["path"] == "/s/newsroom/api/saved_objects/_import?overwrite=true"
    headers = {k.lower(): v for k, v in request["headers"].items()}
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
