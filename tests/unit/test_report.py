"""`nashra report`: a self-contained HTML page with inline SVG charts, computed from the lake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from nashra.cli.main import main
from nashra.core.lake import open_lake
from nashra.core.tables import append
from nashra.ops.report import collect, write_report

T0 = datetime(2026, 2, 1, 10, tzinfo=UTC)


def _article(i: int, outlet: str, lang: str, status: str = "canonical", method: str | None = None) -> dict:
    return {
        "article_id": f"{outlet}-{i}",
        "outlet_id": outlet,
        "language": lang,
        "published_at": T0 + timedelta(days=i % 2),
        "dedup_status": status,
        "dedup_method": method,
        "duplicate_of": f"{outlet}-0" if status == "duplicate" else None,
    }


def _lake(tmp_path: Path):
    lake = open_lake(str(tmp_path / "lake"))
    rows = [_article(0, "qna_en", "en"), _article(1, "qna_en", "en"), _article(2, "qna_en", "ar")]
    rows += [_article(3, "peninsula_en", "en", "duplicate", "content_hash")]
    rows += [_article(4, "peninsula_en", "en", "duplicate", "minhash"), _article(5, "peninsula_en", "en")]
    # Only the columns the report reads: it must not depend on the rest of the schema.
    append(lake, "articles", pa.Table.from_pylist(rows))
    quarantine = [
        {"page_id": "p", "outlet_id": "qna_en", "url": "u", "batch_id": "b", "fetched_at": T0,
         "reasons": ["no_main_text"], "detail": "d", "stage": "extract"},
    ]  # fmt: skip
    append(lake, "quarantine", pa.Table.from_pylist(quarantine))
    lake.write_json("_manifests/process/outlet=qna_en/b.json", {"outlet_id": "qna_en", "pages": 4})
    lake.write_json(
        "_manifests/process/outlet=peninsula_en/b.json", {"outlet_id": "peninsula_en", "pages": 3}
    )
    return lake


def test_numbers_per_outlet(tmp_path: Path) -> None:
    data = collect(_lake(tmp_path))
    assert data["per_day"]["qna_en"] == {"2026-02-01": 2, "2026-02-02": 1}
    assert data["languages"]["qna_en"] == {"en": 2, "ar": 1}
    assert data["dedup"]["peninsula_en"] == {"total": 3, "content_hash": 1, "minhash": 1}
    assert data["failures"]["qna_en"] == {"extract": 1}
    assert data["pages"] == {"qna_en": 4, "peninsula_en": 3}


def test_the_page_is_self_contained_html_with_svg_charts(tmp_path: Path) -> None:
    out = write_report(_lake(tmp_path), tmp_path / "health.html")
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 4  # per day, failure rates, duplicate rates, languages
    assert "<polyline" in page and "qna_en" in page and "peninsula_en" in page
    assert "extraction 25%" in page  # 1 of qna_en's 4 pages failed extraction
    assert "exact 33%" in page and "near 33%" in page
    assert "<script" not in page and "src=" not in page and "href=" not in page  # nothing to fetch


def test_the_cli_writes_it(tmp_path: Path, monkeypatch) -> None:
    lake = _lake(tmp_path)
    monkeypatch.setenv("NASHRA_LAKE_URI", lake.uri)
    out = tmp_path / "r" / "health.html"
    assert main(["report", "--out", str(out)]) == 0
    assert out.exists()
