"""`nashra report`: the on-call page, read from a small local lake written by the real table code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import pyarrow as pa
import pytest
from matplotlib.dates import date2num

from nashra.cli.main import main
from nashra.core.lake import Lake, open_lake
from nashra.core.ledger import gx_page_path
from nashra.core.tables import commit_batch
from nashra.ops import report_charts
from nashra.ops.report import DUPLICATE_RATE_LIMIT, STALE_AFTER, EmptyLakeError, collect, render, write_report
from nashra.stages.gx_docs import write_docs
from nashra.stages.metrics import StageMetrics, record

OLD = "qna_en-20250201T100000Z"  # a year before the others: the time axis must show the gap
QNA = "qna_en-20260201T100000Z"
QNA_BAD = "qna_en-20260202T100000Z"  # most pages fail extraction: over the failure limit
JAZ = "aljazeera_ar-20260201T100000Z"  # mostly duplicates: over the duplicate limit
ARABIC = "أمير قطر يستقبل رئيس الوزراء <و> «الخبر» & المزيد"  # markup characters must stay text
T = datetime(2026, 2, 2, 12, tzinfo=UTC)


def _articles(batch: str, titles: list[tuple[str, str, str]]) -> pa.Table:
    """(title, language, dedup_status) per article, published an hour apart from the batch time."""
    outlet, when = batch.rsplit("-", 1)[0], datetime.strptime(batch[-16:], "%Y%m%dT%H%M%SZ")
    return pa.Table.from_pylist(
        [
            {
                "article_id": f"{batch}-{i}",
                "outlet_id": outlet,
                "batch_id": batch,
                "url": f"https://{outlet}.example/a/{i}",
                "title": title,
                "language": lang,
                "published_at": when.replace(tzinfo=UTC) - timedelta(hours=i),
                "dedup_status": status,
            }
            for i, (title, lang, status) in enumerate(titles)
        ]
    )


def _rows(batch: str, n: int, **extra: Any) -> pa.Table:
    outlet = batch.rsplit("-", 1)[0]
    return pa.Table.from_pylist(
        [{"page_id": f"{batch}-p{i}", "outlet_id": outlet, "batch_id": batch, **extra} for i in range(n)]
    )


def _commit(lake: Lake, table: str, batch: str, rows: pa.Table) -> None:
    commit_batch(lake, table, rows, outlet_id=batch.rsplit("-", 1)[0], batch_id=batch, replace=True)


def _crawl(lake: Lake, outlet: str, run: str, at: datetime, pages: int, **kw: Any) -> None:
    record(lake, StageMetrics(outlet, "crawl", run, at, pages_fetched=pages, **kw))


def _lake(tmp_path: Path) -> Lake:
    lake = open_lake(str(tmp_path / "lake"))
    _commit(lake, "articles", OLD, _articles(OLD, [("Old news", "en", "canonical")]))
    _commit(lake, "articles", QNA, _articles(QNA, [("Emir meets PM", "en", "canonical")] * 2))
    _commit(lake, "articles", QNA_BAD, _articles(QNA_BAD, [("Only one", "en", "canonical")]))
    jaz = [(ARABIC, "ar", "canonical"), ("خبر ثان", "ar", "duplicate"), ("خبر ثالث", "ar", "canonical")]
    _commit(lake, "articles", JAZ, _articles(JAZ, jaz))
    _commit(lake, "url_duplicates", JAZ, _rows(JAZ, 2))
    # qna_en: 5 extraction failures and a 404 (crawl noise) of 10 pages: 5 of 9 failed, over 50%.
    _commit(lake, "quarantine", QNA_BAD, _rows(QNA_BAD, 5, reasons=["no_main_text"]))
    _commit(lake, "quarantine", QNA, _rows(QNA, 1, reasons=["http_status"]))
    _crawl(lake, "qna_en", "r0", datetime(2025, 2, 1, 10, tzinfo=UTC), 1)
    _crawl(lake, "qna_en", "r1", datetime(2026, 2, 1, 10, tzinfo=UTC), 3, errors={"http_503": 2})
    _crawl(lake, "qna_en", "r2", datetime(2026, 2, 2, 10, tzinfo=UTC), 4, errors={"http_503": 1})
    _crawl(lake, "qna_en", "r2", datetime(2026, 2, 2, 10, 5, tzinfo=UTC), 4, errors={"http_503": 1})  # retry
    _crawl(lake, "qna_en", "r3", datetime(2026, 2, 2, 11, tzinfo=UTC), 0, failed="DNSLookupError: qna.org.qa")
    _crawl(lake, "aljazeera_ar", "r1", datetime(2026, 2, 1, 10, tzinfo=UTC), 5, errors={"TimeoutError": 1})
    record(lake, StageMetrics("qna_en", "process", "r2", datetime(2026, 2, 2, 10, 30, tzinfo=UTC)))
    suite = [{"suite": "raw_batch", "success": True, "statistics": {}, "results": []}]
    for batch in (QNA, QNA_BAD, JAZ):
        write_docs(lake, batch.rsplit("-", 1)[0], batch, suite)
    return lake


@pytest.fixture
def page(tmp_path: Path) -> tuple[str, Path]:
    out = write_report(_lake(tmp_path), tmp_path / "out" / "health.html", max_failure_rate=0.5)
    return out.read_text(encoding="utf-8"), out


class Elements(HTMLParser):
    """Every start tag with its attributes and the text inside it, and whether tags balance."""

    VOID: ClassVar[set[str]] = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.closed: list[tuple[str, dict[str, str | None], str]] = []
        self.unbalanced: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self.unbalanced.append(tag)
            return
        name, attrs, text = self.open.pop()
        self.closed.append((name, attrs, "".join(text)))
        if self.open:
            self.open[-1][2].append("".join(text))

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)

    def tags(self, name: str) -> list[tuple[dict[str, str | None], str]]:
        return [(attrs, text) for tag, attrs, text in self.closed if tag == name]


def test_collect_reads_runs_batches_and_rates_per_outlet(tmp_path: Path) -> None:
    data = collect(_lake(tmp_path), max_failure_rate=0.5)
    qna, jaz = data.outlets["qna_en"], data.outlets["aljazeera_ar"]
    assert qna.last_crawl == datetime(2026, 2, 2, 10, 5, tzinfo=UTC)  # the retry, not the failed r3
    assert qna.last_failure is not None and qna.last_failure[0] == "crawl"
    assert "DNSLookupError" in qna.last_failure[2]
    assert qna.last_process == datetime(2026, 2, 2, 10, 30, tzinfo=UTC)
    assert qna.pages_fetched == 8 and qna.fetch_errors == {"http_503": 3}  # r2 once, not twice
    assert sorted(qna.batches) == [OLD, QNA, QNA_BAD]
    assert qna.failure_rate() == pytest.approx(5 / 9)  # 5 failures of 10 pages less the 404
    assert jaz.duplicate_rate() == pytest.approx(3 / 5)  # 1 duplicate + 2 URL dups of 5
    assert jaz.last_crawl == datetime(2026, 2, 1, 10, tzinfo=UTC) and jaz.last_process is None
    assert data.daily["stored"]["qna_en"] == {date(2025, 2, 1): 1, date(2026, 2, 1): 2, date(2026, 2, 2): 1}


def test_the_page_parses_and_every_chart_is_a_well_formed_svg(page: tuple[str, Path]) -> None:
    text, _ = page
    elements = Elements(text)
    assert not elements.unbalanced and not elements.open
    svgs = re.findall(r"<svg\b.*?</svg>", text, flags=re.DOTALL)
    assert len(svgs) == 4  # fetched, stored, quarantined per day; the rates
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find(".//{http://www.w3.org/2000/svg}path") is not None  # something is drawn
    assert "<script" not in text and " src=" not in text  # self-contained: nothing to fetch
    heading = elements.tags("p")[0][1]
    assert str(Path(page[1]).parents[1] / "lake") in heading and "generated 20" in heading


def test_the_time_axis_has_years_and_is_to_scale() -> None:
    days = [date(2025, 2, 1) + timedelta(days=n) for n in range(367)]
    series = {"qna_en": {date(2025, 2, 1): 1, date(2026, 2, 1): 2, date(2026, 2, 2): 1}}
    fig = report_charts.daily_figure(series, days, "articles stored")
    svg = report_charts.to_svg(fig, "t")  # draws: tick labels are set
    (ax,) = fig.axes
    labels = [label.get_text() for label in ax.get_xticklabels() if label.get_text()]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", label) for label in labels)
    assert {"2025", "2026"} <= {label[:4] for label in labels} and labels[0] in svg
    line = ax.lines[0]
    x = {d: float(date2num(d)) for d in line.get_xdata()}
    to_px = ax.transData.transform
    day = to_px((x[date(2025, 2, 2)], 0))[0] - to_px((x[date(2025, 2, 1)], 0))[0]
    year = to_px((x[date(2026, 2, 1)], 0))[0] - to_px((x[date(2025, 2, 1)], 0))[0]
    assert year == pytest.approx(365 * day)
    ydata = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
    assert ydata[date(2025, 6, 1)] == 0  # a day without data is a 0 at its place, not skipped


def test_many_outlets_become_the_top_ones_and_others() -> None:
    series = {f"o{n:02}": {date(2026, 1, 1): n} for n in range(37)}
    top = report_charts.top_series(series)
    assert len(top) == report_charts.TOP_OUTLETS + 1 and "o36" in top and "o00" not in top
    assert top["others: mean of 30 outlets"][date(2026, 1, 1)] == pytest.approx(sum(range(30)) / 30)


def test_arabic_headlines_are_right_to_left_and_escaped(page: tuple[str, Path]) -> None:
    text, _ = page
    items = Elements(text).tags("li")
    arabic = [(attrs, body) for attrs, body in items if attrs.get("lang") == "ar"]
    assert len(arabic) == 2 and all(attrs["dir"] == "rtl" for attrs, _ in arabic)
    assert "خبر ثان" not in text  # a duplicate is no headline of its own
    assert any(body.startswith(ARABIC) for _, body in arabic)  # the text round-trips, markup chars too
    assert "<و>" not in text and "&lt;و&gt;" in text
    english = [attrs for attrs, _ in items if attrs.get("lang") == "en"]
    assert english and all(attrs["dir"] == "ltr" for attrs in english)
    assert any(
        "2026-02-01 10:00 UTC" in body and "https://aljazeera_ar.example/a/0" in body for _, body in arabic
    )


def test_gx_links_of_a_local_lake_point_at_the_batch_pages(page: tuple[str, Path]) -> None:
    text, out = page
    links = [a["href"] for a, body in Elements(text).tags("a") if body == "GX results"]
    assert len(links) == 3
    for href in links:
        assert not href.startswith(("/", "file:"))  # relative: the lake and page move together
        target = (out.parent / unquote(href)).resolve()
        assert target.is_file() and target.name == "index.html" and "Great Expectations" in target.read_text()


def test_gx_pages_of_an_s3_lake_are_shown_as_uris(tmp_path: Path) -> None:
    data = collect(_lake(tmp_path), max_failure_rate=0.5)
    data.lake_uri, data.lake_local = "s3://news/lake", False
    text = render(data, tmp_path)
    assert f"<code>s3://news/lake/{gx_page_path('qna_en', QNA)}</code>" in text
    assert "href='s3:" not in text and 'href="s3:' not in text


def _row(text: str, outlet: str) -> str:
    return re.search(rf"<tr><th>{outlet}</th>.*?</tr>", text).group(0)


def test_rates_over_their_limits_are_marked(page: tuple[str, Path]) -> None:
    text, _ = page
    qna, jaz = _row(text, "qna_en"), _row(text, "aljazeera_ar")
    assert re.search(r"<td class='n over'[^>]*>56% ▲</td>", qna)  # failure rate 5/9
    assert re.search(r"<td class='n over'[^>]*>60% ▲</td>", jaz)
    assert qna.count("class='n over'") == 1 and jaz.count("class='n over'") == 1
    assert f"duplicate rate {DUPLICATE_RATE_LIMIT:.0%}" in text and "failure rate 50%" in text
    assert "limit 50%" in re.findall(r"<svg\b.*?</svg>", text, flags=re.DOTALL)[-1]  # the bars' line


def test_an_outlet_without_a_recent_successful_crawl_is_marked(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    fresh = render(collect(lake, 0.5, now=T), tmp_path)
    assert "<td>2026-02-02 10:05 UTC</td>" in _row(fresh, "qna_en")  # 2 h old: not stale
    late = render(collect(lake, 0.5, now=T + STALE_AFTER), tmp_path)
    assert "<td class='over' title='no successful crawl in the 2 days" in _row(late, "qna_en")
    assert ">never ▲</td>" not in late  # both outlets did crawl once
    assert ">2026-02-01 10:00 UTC ▲</td>" in _row(late, "aljazeera_ar")


def test_the_cli_writes_the_page_and_names_the_lake(tmp_path: Path, monkeypatch, capsys) -> None:
    lake = _lake(tmp_path)
    monkeypatch.setenv("NASHRA_LAKE_URI", lake.uri)
    out = tmp_path / "r" / "health.html"
    assert main(["report", "--out", str(out)]) == 0
    assert lake.uri in capsys.readouterr().out and lake.uri in out.read_text(encoding="utf-8")


def test_an_empty_lake_never_replaces_a_report(tmp_path: Path, monkeypatch, capsys) -> None:
    empty = open_lake(str(tmp_path / "stopped"))
    monkeypatch.setenv("NASHRA_LAKE_URI", empty.uri)
    out = tmp_path / "health.html"
    previous = "<!doctype html><p>last good report, ٢٠٢٦</p>".encode()
    out.write_bytes(previous)
    assert main(["report", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert empty.uri in line and str(out) in line and not captured.out
    assert out.read_bytes() == previous
    with pytest.raises(EmptyLakeError):
        write_report(empty, tmp_path / "new.html", max_failure_rate=0.5)
    assert not (tmp_path / "new.html").exists()
