"""Batch gates per outlet: the signs that a site changed its layout, named in the task's failure.

Three symptoms, checked after a batch is stored (its rows and quarantine are kept either way):
- zero articles: the crawl archived HTML pages but not one became an article;
- failure rate above the absolute limit (NASHRA_MAX_FAILURE_RATE);
- failure rate jump: well above the outlet's own recent batches (read from their manifests), which
  catches a layout change on an outlet whose pages usually all extract.
Crawl noise (404s, PDFs, off-site pages) is not counted: it says nothing about the layout.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from nashra.core.lake import Lake
from nashra.core.ledger import Window, batch_time, done_batches, read_manifest

HISTORY = 10  # recent batches that make the baseline
MIN_HISTORY = 3  # fewer batches than this: no baseline yet, only the absolute limit applies
MIN_PAGES = 5  # a jump on fewer pages than this is noise
JUMP = 0.3  # absolute rise of the failure rate over the baseline that fails the batch
# Reasons that describe the crawl, not the extraction: they do not count towards the failure rate
# (a sitemap listing a PDF or a dead link is not a sign the outlet's layout changed). The process
# stage's gate and `nashra report` both use them.
CRAWL_NOISE = frozenset({"http_status", "not_html", "off_domain", "fetch_error", "too_large"})


class BatchQualityError(RuntimeError):
    """The batch was stored, but its pages look like a changed layout. Names outlet and symptom."""


@dataclass(frozen=True)
class BatchStats:
    outlet_id: str
    batch_id: str
    html_pages: int  # pages that are not crawl noise
    extraction_failures: int
    articles: int  # stored + url duplicates: pages that did become articles
    reasons: dict[str, int]

    @property
    def failure_rate(self) -> float:
        return self.extraction_failures / self.html_pages if self.html_pages else 0.0


def recent_failure_rates(lake: Lake, outlet_id: str, before_batch: str, limit: int = HISTORY) -> list[float]:
    """Failure rates of the outlet's latest processed batches before this one (manifests)."""
    # The last two weeks hold HISTORY batches of any outlet crawled at least daily; an older
    # history would cost a listing per day of the lake's age for each batch.
    until = batch_time(before_batch)
    window = Window(until - timedelta(days=14), until)
    earlier = [b for b in done_batches(lake, "process", outlet_id, window) if b < before_batch]
    rates = []
    for batch_id in earlier[-limit:]:
        report = read_manifest(lake, "process", outlet_id, batch_id) or {}
        if report.get("pages"):
            rates.append(float(report.get("failure_rate", 0.0)))
    return rates


def problems(stats: BatchStats, history: list[float], max_failure_rate: float) -> list[str]:
    """Human sentences, each naming the outlet and the symptom; empty when the batch is healthy."""
    where = f"outlet {stats.outlet_id}, batch {stats.batch_id}"
    found = []
    if stats.html_pages and not stats.articles:
        found.append(
            f"{where}: zero articles from {stats.html_pages} archived HTML pages (reasons {stats.reasons})"
        )
    if stats.failure_rate > max_failure_rate:
        found.append(
            f"{where}: {stats.extraction_failures} of {stats.html_pages} pages failed extraction or "
            f"validation ({stats.failure_rate:.0%} > {max_failure_rate:.0%}; reasons {stats.reasons})"
        )
    if len(history) >= MIN_HISTORY and stats.html_pages >= MIN_PAGES:
        baseline = statistics.median(history)
        if stats.failure_rate - baseline >= JUMP:
            found.append(
                f"{where}: extraction failure rate jumped to {stats.failure_rate:.0%} from "
                f"{baseline:.0%} (median of its last {len(history)} batches; reasons {stats.reasons})"
            )
    return found


def gate(lake: Lake, stats: BatchStats, max_failure_rate: float) -> dict[str, Any]:
    """The gate's verdict for the manifest; raises BatchQualityError when the batch fails it."""
    history = recent_failure_rates(lake, stats.outlet_id, stats.batch_id)
    found = problems(stats, history, max_failure_rate)
    if found:
        raise BatchQualityError(
            "; ".join(found) + ". The outlet's page layout may have changed: its rows are stored and "
            "quarantined, and the batch stays pending until it is reprocessed."
        )
    return {"history": history, "failure_rate": stats.failure_rate}
