"""The response record and the few generated bodies that are not HTML pages (404 page, PDF)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
JSON = "application/json; charset=UTF-8"
TEXT = "text/plain; charset=utf-8"
PDF = "application/pdf"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None
    stall_s: float = 0.0  # hostile fixture: send the headers and the first bytes, then wait this long

    def all_headers(self) -> dict[str, str]:
        out = {"Content-Type": self.content_type} if self.content_type else {}
        out.update(self.headers)
        if self.last_modified is not None:
            out["Last-Modified"] = format_datetime(self.last_modified.astimezone(UTC), usegmt=True)
        return out


def ok(
    body: str, content_type: str = HTML, last_modified: datetime | None = None, **headers: str
) -> Response:
    return Response(200, body.encode("utf-8"), content_type, dict(headers), last_modified)


def json_response(data: object, status: int = 200, **headers: str) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON, dict(headers))


def redirect(location: str, status: int = 302) -> Response:
    body = f'<html><body><a href="{location}">moved</a></body></html>'
    return Response(status, body.encode("utf-8"), HTML, {"Location": location})


def not_found(host: str) -> Response:
    body = (
        f"<!DOCTYPE html><html><head><title>404</title></head><body><h1>Page introuvable</h1>"
        f"<p>{host}</p></body></html>"
    )
    return Response(404, body.encode("utf-8"), HTML)


def tiny_pdf(text: str) -> bytes:
    """A minimal but well-formed one-page PDF (xref offsets computed), so PDF sniffers accept it."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
