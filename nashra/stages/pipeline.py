"""Run crawl -> process -> index over several outlets (CLI `run`/`demo`; Airflow runs the stages
as separate DAGs). One outlet's failure is recorded and the others go on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nashra.core.ledger import recent
from nashra.stages import tasks


@dataclass
class OutletOutcome:
    outlet_id: str
    pages_fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    url_duplicates: int = 0
    quarantined: int = 0
    indexed: int = 0
    error: str | None = None


@dataclass
class PipelineSummary:
    outlets: list[OutletOutcome] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(o, name) for o in self.outlets)

    @property
    def failed(self) -> list[OutletOutcome]:
        return [o for o in self.outlets if o.error]


def run_outlet(outlet_id: str, run_time: datetime, max_articles: int) -> OutletOutcome:
    outcome = OutletOutcome(outlet_id)
    try:
        crawl: dict[str, Any] = tasks.crawl(outlet_id, run_time, max_articles=max_articles)
        outcome.pages_fetched = crawl["archived"]
        for report in tasks.process(outlet_id, window=recent(run_time)):
            outcome.stored += report["stored"] - report["duplicates"]
            outcome.duplicates += report["duplicates"]
            outcome.url_duplicates += report["url_duplicates"]
            outcome.quarantined += report["quarantined"]
        outcome.indexed = sum(r["indexed"] for r in tasks.index(outlet_id, window=recent(run_time)))
    except Exception as exc:  # noqa: BLE001 - one outlet must not stop the others; reported below
        outcome.error = f"{type(exc).__name__}: {exc}"
    return outcome


def run_pipeline(
    outlet_ids: list[str],
    run_time: datetime,
    *,
    max_articles: int = 200,
    on_outlet: Callable[[OutletOutcome], None] | None = None,
) -> PipelineSummary:
    summary = PipelineSummary()
    for outlet_id in outlet_ids:
        outcome = run_outlet(outlet_id, run_time, max_articles)
        summary.outlets.append(outcome)
        if on_outlet:
            on_outlet(outcome)
    return summary
