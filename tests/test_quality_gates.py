"""Batch gates per outlet: a layout change fails the outlet's process task, naming outlet and symptom."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from support import use_fixture_web

from infra.fixture_web import truth
from infra.fixture_web.catalog import catalog
from infra.fixture_web.responses import ok
from infra.fixture_web.server import FixtureWeb
from infra.fixture_web.site import build_site
from nashra.lake import open_lake
from nashra.quality import BatchQualityError, BatchStats, problems, recent_failure_rates

# What a redesign to a client-rendered page looks like to a crawler: the title is still there,
# the text moved into a script the extractor does not run.
REDESIGN = (
    "<!doctype html><html lang='ar'><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body><header><nav>الرئيسية</nav></header><div id='app'></div>"
    '<script>window.__STATE__ = {{"article": {{"id": 1}}}}</script></body></html>'
)


@pytest.fixture
def redesigned_web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    site = build_site()
    for story in catalog().stories:
        if story.outlet_id == "hespress_ar":
            site._add(story.url, ok(REDESIGN.format(title=html.escape(story.title))))
    with FixtureWeb(site=site) as web:
        use_fixture_web(monkeypatch, web, lake_uri=str(tmp_path / "lake"))
        yield web


def test_a_redesigned_outlet_fails_its_process_task_naming_the_outlet(redesigned_web) -> None:
    from nashra import stages

    stages.crawl("hespress_ar", truth.REFERENCE_NOW)
    with pytest.raises(BatchQualityError) as err:
        stages.process("hespress_ar")  # what the Airflow process task runs
    message = str(err.value)
    assert "outlet hespress_ar" in message
    assert "zero articles" in message and "layout" in message
    lake = open_lake()
    # Kept, not dropped: the pages are quarantined with their reason, and the batch stays pending
    # (no manifest), so a retry fails again instead of passing on an empty to-do list.
    reasons = {r for row in lake.dataset("quarantine").to_table().to_pylist() for r in row["reasons"]}
    assert "no_main_text" in reasons
    assert lake.list("_manifests/process/outlet=hespress_ar") == []
    with pytest.raises(BatchQualityError, match="outlet hespress_ar"):
        stages.process("hespress_ar")


def test_an_unchanged_outlet_passes_the_same_gates(redesigned_web) -> None:
    from nashra import stages

    stages.crawl("h24info_fr", truth.REFERENCE_NOW)
    [report] = stages.process("h24info_fr")
    assert report["stored"] == 3


def _stats(failures: int, pages: int = 10, articles: int | None = None) -> BatchStats:
    articles = pages - failures if articles is None else articles
    return BatchStats(
        "le360_fr", "le360_fr-20260202T120000Z", pages, failures, articles, {"no_main_text": failures}
    )


def test_a_jump_over_the_outlets_own_history_fails_below_the_absolute_limit() -> None:
    assert problems(_stats(4), [0.0, 0.1, 0.0, 0.0], max_failure_rate=0.5) == [
        "outlet le360_fr, batch le360_fr-20260202T120000Z: extraction failure rate jumped to 40% from 0% "
        "(median of its last 4 batches; reasons {'no_main_text': 4})"
    ]
    assert problems(_stats(4), [0.3, 0.4, 0.35], max_failure_rate=0.5) == []  # usual for this outlet
    assert problems(_stats(4), [0.0, 0.0], max_failure_rate=0.5) == []  # no baseline yet
    assert problems(_stats(1, pages=2), [0.0] * 5, max_failure_rate=1.0) == []  # too few pages


def test_history_comes_from_earlier_manifests_only(tmp_path: Path) -> None:
    lake = open_lake(str(tmp_path))
    for stamp, rate in (("20260201T000000Z", 0.1), ("20260201T120000Z", 0.2), ("20260203T000000Z", 0.9)):
        lake.write_json(
            f"_manifests/process/outlet=le360_fr/le360_fr-{stamp}.json", {"pages": 5, "failure_rate": rate}
        )
    assert recent_failure_rates(lake, "le360_fr", "le360_fr-20260202T120000Z") == [0.1, 0.2]
