"""`nashra report`: per-outlet health as one self-contained HTML page with inline SVG charts.

Read from the lake only (articles, quarantine, process manifests), so it works on a laptop
against S3 or a local lake. No plotting library, no CDN, no server: the SVG is drawn here.
Charts: articles per day per outlet, extraction and validation failure rates, duplicate rates
(exact and near), languages.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nashra.core.lake import Lake
from nashra.core.ledger import manifests

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
_CSS = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}svg{display:block}"
_ARTICLE_COLUMNS = ["outlet_id", "published_at", "language", "dedup_status", "dedup_method"]


def _esc(value: Any) -> str:
    return html.escape(str(value))


def line_chart(series: dict[str, dict[str, int]], width: int = 900, height: int = 260) -> str:
    """One line per series over the union of x labels (days), with a legend."""
    days = sorted({d for points in series.values() for d in points})
    if not days:
        return "<p>no data</p>"
    top = max(max(points.values()) for points in series.values()) or 1
    left, bottom, plot_w, plot_h = 40, 40, width - 200, height - 60
    step = plot_w / max(len(days) - 1, 1)
    parts = [f"<svg width='{width}' height='{height}' role='img' xmlns='http://www.w3.org/2000/svg'>"]
    parts.append(
        f"<line x1='{left}' y1='{10 + plot_h}' x2='{left + plot_w}' y2='{10 + plot_h}' stroke='#999'/>"
    )
    parts.append(
        f"<text x='4' y='16' font-size='11'>{top}</text><text x='4' y='{10 + plot_h}' font-size='11'>0</text>"
    )
    for i, day in enumerate(days):
        if len(days) <= 12 or i % max(len(days) // 12, 1) == 0:
            parts.append(
                f"<text x='{left + i * step:.1f}' y='{height - bottom + 24}' font-size='10'>{day[5:]}</text>"
            )
    for n, (name, points) in enumerate(sorted(series.items())):
        color = PALETTE[n % len(PALETTE)]
        coords = [
            (left + days.index(d) * step, 10 + plot_h - plot_h * v / top) for d, v in sorted(points.items())
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f"<polyline fill='none' stroke='{color}' stroke-width='2' points='{path}'/>")
        parts += [f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{color}'/>" for x, y in coords]
        parts.append(
            f"<rect x='{left + plot_w + 20}' y='{14 + n * 18}' width='10' height='10' fill='{color}'/>"
        )
        parts.append(f"<text x='{left + plot_w + 36}' y='{23 + n * 18}' font-size='12'>{_esc(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(rows: dict[str, dict[str, float]], percent: bool = True, width: int = 900) -> str:
    """Horizontal stacked bars: one bar per outlet, one segment per key (rates or counts)."""
    keys = sorted({k for values in rows.values() for k in values})
    if not rows:
        return "<p>no data</p>"
    top = 1.0 if percent else max(sum(v.values()) for v in rows.values()) or 1
    label_w, bar_w, h = 140, width - 320, 22
    height = 30 + h * len(rows) + 18 * len(keys)
    parts = [f"<svg width='{width}' height='{height}' role='img' xmlns='http://www.w3.org/2000/svg'>"]
    for i, (name, values) in enumerate(sorted(rows.items())):
        y = 10 + i * h
        parts.append(f"<text x='0' y='{y + 14}' font-size='12'>{_esc(name)}</text>")
        x = label_w
        for n, key in enumerate(keys):
            value = values.get(key, 0.0)
            w = bar_w * value / top
            parts.append(
                f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{h - 6}' fill='{PALETTE[n % 8]}'/>"
            )
            x += w
        text = " · ".join(
            f"{k} {values.get(k, 0):.0%}" if percent else f"{k} {values.get(k, 0):g}" for k in keys
        )
        parts.append(f"<text x='{label_w + bar_w + 8}' y='{y + 14}' font-size='11'>{_esc(text)}</text>")
    for n, key in enumerate(keys):
        y = 20 + h * len(rows) + n * 18
        parts.append(f"<rect x='{label_w}' y='{y - 10}' width='10' height='10' fill='{PALETTE[n % 8]}'/>")
        parts.append(f"<text x='{label_w + 16}' y='{y}' font-size='12'>{_esc(key)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def collect(lake: Lake) -> dict[str, Any]:
    """The numbers behind the charts, per outlet."""
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    languages: dict[str, Counter[str]] = defaultdict(Counter)
    dedup: dict[str, Counter[str]] = defaultdict(Counter)
    articles = lake.dataset("articles")
    if articles is not None:
        names = set(articles.schema.names)
        table = articles.to_table(columns=[c for c in _ARTICLE_COLUMNS if c in names])
        for row in table.to_pylist():
            outlet = row["outlet_id"]
            if row["published_at"]:
                per_day[outlet][row["published_at"].astimezone(UTC).date().isoformat()] += 1
            languages[outlet][row["language"] or "unknown"] += 1
            method = row.get("dedup_method") or "content_hash"
            dedup[outlet]["total"] += 1
            if row["dedup_status"] == "duplicate":
                dedup[outlet][method] += 1
    failures: dict[str, Counter[str]] = defaultdict(Counter)
    quarantine = lake.dataset("quarantine")
    if quarantine is not None:
        for row in quarantine.to_table(columns=["outlet_id", "stage"]).to_pylist():
            failures[row["outlet_id"]][row["stage"]] += 1
    pages: Counter[str] = Counter()
    batches: Counter[str] = Counter()
    for report in manifests(lake, "process"):
        pages[report["outlet_id"]] += report.get("pages", 0)
        batches[report["outlet_id"]] += 1
    return {
        "per_day": per_day,
        "languages": languages,
        "dedup": dedup,
        "failures": failures,
        "pages": pages,
        "batches": batches,
    }


def render(data: dict[str, Any], title: str) -> str:
    outlets = sorted(set(data["pages"]) | set(data["per_day"]) | set(data["failures"]))
    rates = {
        o: {
            "extraction": data["failures"][o]["extract"] / data["pages"][o] if data["pages"][o] else 0.0,
            "validation": data["failures"][o]["validate"] / data["pages"][o] if data["pages"][o] else 0.0,
        }
        for o in outlets
    }
    dup_rates = {
        o: {
            "exact": data["dedup"][o]["content_hash"] / data["dedup"][o]["total"],
            "near": data["dedup"][o]["minhash"] / data["dedup"][o]["total"],
        }
        for o in outlets
        if data["dedup"][o]["total"]
    }
    langs = {
        o: {k: float(v) for k, v in data["languages"][o].items()} for o in outlets if data["languages"][o]
    }
    table = "".join(
        f"<tr><td>{_esc(o)}</td><td>{data['batches'][o]}</td><td>{data['pages'][o]}</td>"
        f"<td>{sum(data['per_day'][o].values())}</td><td>{sum(data['failures'][o].values())}</td></tr>"
        for o in outlets
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_esc(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{_esc(title)}</h1>"
        f"<p>Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the lake.</p>"
        "<table border='1' cellpadding='4'><tr><th>outlet</th><th>batches</th><th>pages</th>"
        f"<th>articles</th><th>quarantined</th></tr>{table}</table>"
        f"<h2>Articles per day (published, UTC)</h2>{line_chart(data['per_day'])}"
        "<h2>Failure rates (share of pages quarantined at extraction / validation)</h2>"
        f"{bar_chart(rates)}"
        f"<h2>Duplicate rates (of stored articles)</h2>{bar_chart(dup_rates)}"
        f"<h2>Languages (articles)</h2>{bar_chart(langs, percent=False)}"
        "</body></html>"
    )


def write_report(lake: Lake, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(collect(lake), "nashra: outlet health"), encoding="utf-8")
    return out
