"""`nashra report`: the page an on-call engineer opens, one self-contained HTML file.

`collect` reads the lake into plain data (ReportData); `render` turns that into HTML and is pure.
Sources, each the one that counts a thing once:
- the metrics table (one row per stage run): last successful crawl and process, the last failure,
  pages fetched and fetch errors by kind (crawl runs);
- the articles, url_duplicates and quarantine tables, per batch: stored, duplicates, quarantined.
  Not the process manifests: a batch that fails the quality gate has none, and it is the batch
  on-call needs to see. A re-run replaces its batch's rows, so nothing is counted twice;
- the GX pages of the batches (nashra.core.ledger.gx_pages).
Charts by matplotlib (nashra.ops.report_charts), inlined as SVG: no script, no CDN.
"""

from __future__ import annotations

import heapq
import html
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nashra.core.lake import Lake
from nashra.core.ledger import batch_time, gx_pages
from nashra.ops import report_charts as charts
from nashra.stages.quality import CRAWL_NOISE

# Above this share of duplicates (content or URL) among an outlet's articles, the page marks it:
# a crawl that mostly refetches what it has wastes the outlet's crawl budget and ours.
DUPLICATE_RATE_LIMIT = 0.5
HEADLINES = 5  # latest headlines shown per outlet
RECENT_BATCHES = 10  # batches listed per outlet with their GX page
# A last successful crawl older than this (before the page's time) is marked: the outlets crawl
# hourly to daily, so two days without one means its DAG is paused, failing or not scheduled.
STALE_AFTER = timedelta(days=2)
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
MEASURES = {"fetched": "pages fetched", "stored": "articles stored", "quarantined": "pages quarantined"}
TITLE = "nashra: outlet health"

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:left;vertical-align:top}td.n{text-align:right}.over{background:#fdecea;color:#b00020;
font-weight:bold}.failed{color:#b00020}svg{max-width:100%;height:auto}code{font-size:12px}
li{margin:.15em 0}.meta{color:#666;font-size:12px}
"""


class EmptyLakeError(RuntimeError):
    """The lake has no articles and no metrics: there is nothing to report, and a page saying so
    must not replace a good one (services stopped, or NASHRA_LAKE_URI points elsewhere)."""


@dataclass
class Run:
    started_at: datetime
    failed: str | None = None


@dataclass
class Batch:
    batch_id: str
    stored: int = 0
    duplicates: int = 0  # stored rows marked duplicate (exact or near)
    url_duplicates: int = 0
    quarantined: int = 0
    noise: int = 0  # quarantined for crawl reasons (404, PDF...): not extraction failures
    gx_page: str | None = None  # lake-relative path of its GX page

    @property
    def pages(self) -> int:  # every processed page is in exactly one of the three tables
        return self.stored + self.url_duplicates + self.quarantined


@dataclass
class Headline:
    title: str
    url: str
    language: str
    published_at: datetime


@dataclass
class OutletHealth:
    outlet_id: str
    last_crawl: datetime | None = None  # last crawl run that did not fail
    last_process: datetime | None = None
    last_failure: tuple[str, datetime, str] | None = None  # stage, when, error
    pages_fetched: int = 0
    fetch_errors: Counter[str] = field(default_factory=Counter)
    batches: dict[str, Batch] = field(default_factory=dict)
    headlines: list[Headline] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(b, name) for b in self.batches.values())

    def failure_rate(self) -> float:
        """The quality gate's measure over all batches: extraction/validation failures among the
        pages that are not crawl noise."""
        considered = self.total("pages") - self.total("noise")
        failures = self.total("quarantined") - self.total("noise")
        return failures / considered if considered else 0.0

    def duplicate_rate(self) -> float:
        """Content and URL duplicates among the pages that became articles."""
        articles = self.total("stored") + self.total("url_duplicates")
        return (self.total("duplicates") + self.total("url_duplicates")) / articles if articles else 0.0


@dataclass
class ReportData:
    lake_uri: str
    lake_local: bool
    generated_at: datetime
    max_failure_rate: float
    outlets: dict[str, OutletHealth] = field(default_factory=dict)
    # measure -> outlet -> day -> count
    daily: dict[str, dict[str, Counter[date]]] = field(default_factory=dict)
    articles: int = 0
    metric_rows: int = 0

    @property
    def empty(self) -> bool:
        return not self.articles and not self.metric_rows

    def outlet(self, outlet_id: str) -> OutletHealth:
        if outlet_id not in self.outlets:
            self.outlets[outlet_id] = OutletHealth(outlet_id)
        return self.outlets[outlet_id]

    def count(self, measure: str, outlet_id: str, day: date, n: int) -> None:
        self.daily.setdefault(measure, {}).setdefault(outlet_id, Counter())[day] += n


# -- collect: the lake into plain data ---------------------------------------------------------
def collect(lake: Lake, max_failure_rate: float, now: datetime | None = None) -> ReportData:
    data = ReportData(lake.uri, lake.is_local, now or datetime.now(UTC), max_failure_rate)
    _collect_metrics(lake, data)
    _collect_articles(lake, data)
    _collect_rejections(lake, data)
    for outlet_id, health in data.outlets.items():
        for batch_id, rel in gx_pages(lake, outlet_id).items():
            health.batches.setdefault(batch_id, Batch(batch_id)).gx_page = rel
    return data


def _rows(lake: Lake, table: str, columns: list[str]) -> list[dict[str, Any]]:
    dataset = lake.dataset(table)
    if dataset is None:
        return []
    names = set(dataset.schema.names)
    return dataset.to_table(columns=[c for c in columns if c in names]).to_pylist()


def _collect_metrics(lake: Lake, data: ReportData) -> None:
    columns = ["outlet_id", "stage", "run_id", "started_at", "pages_fetched", "errors", "failed"]
    rows = _rows(lake, "metrics", columns)
    data.metric_rows = len(rows)
    # A retried task writes a row per attempt under one run id (and a broken connection may write
    # one twice): the latest row of a run is the run.
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["started_at"]):
        latest[(row["outlet_id"], row["stage"], row["run_id"])] = row
    for row in latest.values():
        _add_run(data.outlet(row["outlet_id"]), row, data)


def _add_run(health: OutletHealth, row: dict[str, Any], data: ReportData) -> None:
    when = row["started_at"].astimezone(UTC)
    stage = row["stage"]
    if row.get("failed"):
        if health.last_failure is None or when > health.last_failure[1]:
            health.last_failure = (stage, when, row["failed"])
    elif stage == "crawl":
        health.last_crawl = max(filter(None, (health.last_crawl, when)))
    elif stage == "process":
        health.last_process = max(filter(None, (health.last_process, when)))
    if stage == "crawl":
        health.pages_fetched += row.get("pages_fetched") or 0
        health.fetch_errors.update(json.loads(row.get("errors") or "{}"))
        data.count("fetched", health.outlet_id, when.date(), row.get("pages_fetched") or 0)


def _batch_day(batch_id: str) -> date:
    return batch_time(batch_id).date()  # the crawl's day: when the pages were fetched


def _batch(data: ReportData, outlet_id: str, batch_id: str) -> Batch:
    batches = data.outlet(outlet_id).batches
    return batches.setdefault(batch_id, Batch(batch_id))


def _collect_articles(lake: Lake, data: ReportData) -> None:
    columns = ["outlet_id", "batch_id", "dedup_status", "title", "url", "language", "published_at"]
    rows = _rows(lake, "articles", columns)
    data.articles = len(rows)
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        batch = _batch(data, row["outlet_id"], row["batch_id"])
        batch.stored += 1
        batch.duplicates += row.get("dedup_status") == "duplicate"
        data.count("stored", row["outlet_id"], _batch_day(row["batch_id"]), 1)
        # Headlines of canonical articles only: a duplicate repeats one already listed or older.
        if row.get("published_at") and row.get("title") and row.get("dedup_status") != "duplicate":
            by_outlet[row["outlet_id"]].append(row)
    for outlet_id, candidates in by_outlet.items():
        latest = heapq.nlargest(HEADLINES, candidates, key=lambda r: r["published_at"])
        data.outlet(outlet_id).headlines = [
            Headline(
                r["title"], r.get("url") or "", r.get("language") or "", r["published_at"].astimezone(UTC)
            )
            for r in latest
        ]


def _collect_rejections(lake: Lake, data: ReportData) -> None:
    for row in _rows(lake, "url_duplicates", ["outlet_id", "batch_id"]):
        _batch(data, row["outlet_id"], row["batch_id"]).url_duplicates += 1
    for row in _rows(lake, "quarantine", ["outlet_id", "batch_id", "reasons"]):
        batch = _batch(data, row["outlet_id"], row["batch_id"])
        batch.quarantined += 1
        batch.noise += bool(set(row.get("reasons") or ()) & CRAWL_NOISE)
        data.count("quarantined", row["outlet_id"], _batch_day(row["batch_id"]), 1)


# -- render: plain data into the page ----------------------------------------------------------
def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _when(value: datetime | None) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if value else "never"


def render(data: ReportData, out_dir: Path) -> str:
    """The page; `out_dir` is where it will be written, so local GX links can be relative."""
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{_esc(TITLE)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{_esc(TITLE)}</h1>",
            f"<p>Lake <code>{_esc(data.lake_uri)}</code>, generated {_when(data.generated_at)}. "
            f"Limits: failure rate {data.max_failure_rate:.0%} (NASHRA_MAX_FAILURE_RATE, the "
            f"process stage's gate), duplicate rate {DUPLICATE_RATE_LIMIT:.0%} "
            "(DUPLICATE_RATE_LIMIT in nashra/ops/report.py). A rate over its limit, or a last "
            f"successful crawl more than {STALE_AFTER.days} days old, is marked "
            "<span class='over'>like this ▲</span>.</p>",
            _outlet_table(data),
            _daily_charts(data),
            _rates_chart(data),
            _headlines(data),
            _batches(data, out_dir),
            "</body></html>",
        ]
    )


def _rate_cell(rate: float, limit: float, what: str) -> str:
    if rate > limit:
        return f"<td class='n over' title='{what} over the {limit:.0%} limit'>{rate:.0%} ▲</td>"
    return f"<td class='n'>{rate:.0%}</td>"


def _crawl_cell(health: OutletHealth, now: datetime) -> str:
    if health.last_crawl and now - health.last_crawl <= STALE_AFTER:
        return f"<td>{_when(health.last_crawl)}</td>"
    why = f"no successful crawl in the {STALE_AFTER.days} days before this page"
    return f"<td class='over' title='{why}'>{_when(health.last_crawl)} ▲</td>"


def _outlet_row(health: OutletHealth, max_failure_rate: float, now: datetime) -> str:
    errors = ", ".join(f"{_esc(kind)} ×{n}" for kind, n in health.fetch_errors.most_common())
    failure = ""
    if health.last_failure:
        stage, when, error = health.last_failure
        failure = f"<span class='failed'>{_esc(stage)} {_when(when)}: {_esc(error[:200])}</span>"
    counts = (health.total(name) for name in ("stored", "duplicates", "url_duplicates", "quarantined"))
    return (
        f"<tr><th>{_esc(health.outlet_id)}</th>{_crawl_cell(health, now)}"
        f"<td>{_when(health.last_process)}</td><td class='n'>{len(health.batches)}</td>"
        f"<td class='n'>{health.pages_fetched}</td>"
        + "".join(f"<td class='n'>{n}</td>" for n in counts)
        + _rate_cell(health.failure_rate(), max_failure_rate, "failure rate")
        + _rate_cell(health.duplicate_rate(), DUPLICATE_RATE_LIMIT, "duplicate rate")
        + f"<td>{errors or '-'}</td><td>{failure or '-'}</td></tr>"
    )


def _outlet_table(data: ReportData) -> str:
    heads = [
        "outlet", "last successful crawl", "last successful process", "batches", "pages fetched",
        "stored", "of which duplicates", "URL duplicates", "quarantined", "failure rate",
        "duplicate rate", "fetch errors by kind", "last failed run",
    ]  # fmt: skip
    rows = "".join(
        _outlet_row(data.outlets[o], data.max_failure_rate, data.generated_at) for o in sorted(data.outlets)
    )
    return "<h2>Outlets</h2><table><tr>" + "".join(f"<th>{h}</th>" for h in heads) + f"</tr>{rows}</table>"


def _days(data: ReportData) -> list[date]:
    """Every day from the first to the last with data: a quiet day is a 0 at its real place."""
    seen = [day for per_outlet in data.daily.values() for points in per_outlet.values() for day in points]
    if not seen:
        return []
    first, last = min(seen), max(seen)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _daily_charts(data: ReportData) -> str:
    days = _days(data)
    parts = ["<h2>Per day (UTC; stored and quarantined by crawl day of their batch)</h2>"]
    for measure, label in MEASURES.items():
        series = {o: dict(points) for o, points in data.daily.get(measure, {}).items()}
        parts.append(f"<h3>{_esc(label)}</h3>")
        if not series or not days:
            parts.append("<p>no data</p>")
            continue
        parts.append(charts.to_svg(charts.daily_figure(series, days, label), f"daily-{measure}"))
    return "".join(parts)


def _rates_chart(data: ReportData) -> str:
    rates = {o: (h.failure_rate(), h.duplicate_rate()) for o, h in data.outlets.items() if h.total("pages")}
    if not rates:
        return "<h2>Rates</h2><p>no processed batch</p>"
    fig = charts.rates_figure(rates, (data.max_failure_rate, DUPLICATE_RATE_LIMIT))
    return "<h2>Failure and duplicate rates per outlet</h2>" + charts.to_svg(fig, "rates")


def _headline(item: Headline) -> str:
    lang = item.language or "und"
    direction = "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"
    title = _esc(item.title)
    # Only web links become links: a stored URL is data from the web, not trusted markup.
    if item.url.startswith(("https://", "http://")):
        title = f"<a href='{_esc(item.url)}'>{title}</a>"
    return (
        f"<li lang='{_esc(lang)}' dir='{direction}'>{title} "
        f"<span class='meta' dir='ltr'>{_when(item.published_at)} · {_esc(item.url)}</span></li>"
    )


def _headlines(data: ReportData) -> str:
    parts = [f"<h2>Latest headlines (by publication time, {HEADLINES} per outlet)</h2>"]
    for outlet_id in sorted(data.outlets):
        items = data.outlets[outlet_id].headlines
        if items:
            parts.append(f"<h3>{_esc(outlet_id)}</h3><ul>{''.join(_headline(i) for i in items)}</ul>")
    return "".join(parts)


def gx_link(data: ReportData, rel: str, out_dir: Path) -> str:
    """A local lake's GX page as a link relative to the report; an S3 one as its URI in text
    (a browser cannot open s3://, and a presigned URL would expire)."""
    if not data.lake_local:
        return f"<code>{_esc(data.lake_uri.rstrip('/') + '/' + rel)}</code>"
    target = os.path.relpath(Path(data.lake_uri) / rel, out_dir)
    return f"<a href='{_esc(quote(Path(target).as_posix(), safe='/='))}'>GX results</a>"


def _batches(data: ReportData, out_dir: Path) -> str:
    parts = [f"<h2>Recent batches (last {RECENT_BATCHES} per outlet) and their GX results</h2><table>"]
    parts.append("<tr><th>outlet</th><th>batch</th><th>pages</th><th>stored</th><th>quarantined</th>")
    parts.append("<th>GX</th></tr>")
    for outlet_id in sorted(data.outlets):
        batches = sorted(data.outlets[outlet_id].batches.values(), key=lambda b: b.batch_id)
        for batch in reversed(batches[-RECENT_BATCHES:]):
            gx = gx_link(data, batch.gx_page, out_dir) if batch.gx_page else "none"
            parts.append(
                f"<tr><td>{_esc(outlet_id)}</td><td><code>{_esc(batch.batch_id)}</code></td>"
                f"<td class='n'>{batch.pages}</td><td class='n'>{batch.stored}</td>"
                f"<td class='n'>{batch.quarantined}</td><td>{gx}</td></tr>"
            )
    parts.append("</table>")
    return "".join(parts)


def write_report(lake: Lake, out: Path, max_failure_rate: float) -> Path:
    """Write the page, replacing the previous one in one rename; EmptyLakeError (and the previous
    page untouched) when the lake has nothing to report."""
    data = collect(lake, max_failure_rate)
    if data.empty:
        raise EmptyLakeError(f"no articles and no metrics in the lake {lake.uri}: {out} left as it was")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(render(data, out.parent), encoding="utf-8")
    partial.replace(out)  # a reader never sees half a page, and a failed run leaves the last one
    return out
