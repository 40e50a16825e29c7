"""Great Expectations results of a batch, kept next to it in the lake as JSON and static HTML.

    _gx/outlet=<id>/<batch_id>/results.json   every suite of every stage (raw, articles, lake write)
    _gx/outlet=<id>/<batch_id>/index.html     the same, readable in a browser from a file or S3

GX 1.24 can build Data Docs offline (file context + checkpoint + UpdateDataDocsAction), but its
pages load Bootstrap, jQuery and Vega from CDNs and a tracking image from GX's bucket, weigh 4 MB
of assets per site and cost ~4 s per batch to set up: so the HTML is ours, rendered from GX's own
results, one self-contained file with no network access.
"""

from __future__ import annotations

import html
import json
from typing import Any

from nashra.core.lake import Lake
from nashra.core.ledger import gx_docs_dir, gx_page_path

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 2em;width:100%}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
.ok{color:#176b2c}.bad{color:#b00020;font-weight:bold}code{font-size:12px}
"""


def render(outlet_id: str, batch_id: str, suites: list[dict[str, Any]]) -> str:
    esc = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>GX {esc(batch_id)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Great Expectations: {esc(outlet_id)} / {esc(batch_id)}</h1>",
    ]
    for suite in suites:
        verdict = "<span class=ok>passed</span>" if suite["success"] else "<span class=bad>failed</span>"
        stats = suite.get("statistics") or {}
        parts.append(
            f"<h2>{esc(suite['suite'])}: {verdict}</h2><p>{stats.get('successful_expectations', '?')} of "
            f"{stats.get('evaluated_expectations', '?')} expectations met</p>"
        )
        parts.append(
            "<table><tr><th>expectation</th><th>arguments</th><th>result</th><th>rows</th>"
            "<th>unexpected</th><th>observed / sample</th></tr>"
        )
        for row in suite["results"]:
            mark = "<span class=ok>✓</span>" if row["success"] else "<span class=bad>✗</span>"
            shown = row["observed_value"] if row["observed_value"] is not None else row["sample"]
            cells = [
                esc(row["expectation"]),
                f"<code>{esc(json.dumps(row['kwargs'], ensure_ascii=False))}</code>",
                mark,
                "" if row["element_count"] is None else str(row["element_count"]),
                "" if row["unexpected_count"] is None else str(row["unexpected_count"]),
                f"<code>{esc(json.dumps(shown, ensure_ascii=False))}</code>",
            ]
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def write_docs(lake: Lake, outlet_id: str, batch_id: str, suites: list[dict[str, Any]]) -> str:
    folder = gx_docs_dir(outlet_id, batch_id)
    lake.write_json(f"{folder}/results.json", suites)
    page = gx_page_path(outlet_id, batch_id)
    lake.write_bytes(page, render(outlet_id, batch_id, suites).encode("utf-8"))
    return page
