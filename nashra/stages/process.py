"""Process stage: raw WARC batch -> articles / quarantine / url_duplicates tables in the lake.

Per outlet and per batch, so Airflow can map it over workers with no shared local state: every
input comes from the lake and every output goes to it. Re-running a batch rewrites the same files
(deterministic names) and deletes any file of that batch the new run did not write.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

import schemas
from nashra.core.lake import Lake
from nashra.core.ledger import (
    Window,
    batch_time,
    claim,
    gx_result_path,
    is_pending,
    pending_batches,
    raw_fingerprint,
    raw_sizes_by_batch,
    release,
    write_manifest,
)
from nashra.core.model import MAX_PAGE_BYTES, Article, RawPage, Rejection, StoredArticle
from nashra.core.registry import Outlet
from nashra.core.tables import commit_batch, table_version
from nashra.core.warc import read_pages
from nashra.stages.dedup_keys import load_lake_index, write_keys
from nashra.stages.dedup_state import committed_after, concurrent_copies, load_window, write_signatures
from nashra.stages.gx_docs import write_docs
from nashra.stages.page_pool import page_results
from nashra.stages.quality import CRAWL_NOISE, BatchQualityError, BatchStats, gate
from transforms.dedup import (
    StoryKeys,
    WindowState,
    link_batch,
    mark_content_duplicates,
    signature_rows,
    split_url_duplicates,
)
from transforms.neardup import Signature
from transforms.validate import ValidationOutcome, run_suite, validate_articles

log = logging.getLogger(__name__)
# Stores of one batch when concurrent batches keep committing copies of its articles first.
STORE_ATTEMPTS = 3

__all__ = ["BatchQualityError", "ProcessReport", "process_batch", "process_outlet"]


@dataclass
class ProcessReport:
    outlet_id: str
    batch_id: str
    pages: int = 0
    stored: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    stories_linked: int = 0  # canonical articles that joined a story another article started
    url_duplicates: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    failure_rate: float = 0.0

    def accounted(self) -> bool:
        """Every page is in exactly one place: stored (canonical or duplicate), url duplicate, quarantine."""
        return self.pages == self.stored + self.url_duplicates + self.quarantined


def _commit(
    lake: Lake, name: str, outlet_id: str, batch_id: str, rows: list[dict[str, Any]], replace: bool
) -> None:
    table = pa.Table.from_pylist(rows, schema=schemas.parquet_schema(name))
    commit_batch(lake, name, table, outlet_id=outlet_id, batch_id=batch_id, replace=replace)


def process_batch(
    lake: Lake, outlet: Outlet, batch_id: str, *, max_failure_rate: float = 0.5, replace: bool = True
) -> ProcessReport:
    """Process one raw batch into the tables. `replace=False` (the batch was never worked on, its
    claim says so) appends; otherwise each table's commit swaps the batch's earlier rows."""
    now = batch_time(batch_id)
    report = ProcessReport(outlet.id, batch_id)
    articles: list[Article] = []
    rejections: list[Rejection] = []
    raw_rows: list[dict[str, Any]] = []
    raw = raw_fingerprint(lake, outlet.id, batch_id)  # what this run reads, as its manifest records
    # The story window depends only on the batch's time: it is read from the lake while the pages
    # are extracted and validated (Python; the read is I/O and Arrow, which let go of the GIL).
    read_version = table_version(lake, "dedup_keys")  # what concurrent batches commit after this
    keys: dict[str, StoryKeys] = {}
    signatures: dict[str, Signature] = {}
    with ThreadPoolExecutor(max_workers=4) as workers:
        window = workers.submit(load_window, lake, now, exclude_batch=batch_id)

        def pages() -> Iterator[tuple[RawPage, str | None]]:
            for rel in sorted(raw):
                for page, error in read_pages(io.BytesIO(lake.read_bytes(rel))):
                    report.pages += 1
                    raw_rows.append(
                        {
                            "url": page.url,
                            "status": page.status,
                            "content_type": page.headers.get("content-type", ""),
                            "body_bytes": len(page.body),
                        }
                    )
                    yield page, error

        for done in page_results(pages(), outlet, now):
            if isinstance(done.result, Article):
                articles.append(done.result)
                if done.story_keys is not None and done.signature is not None:
                    keys[done.result.article_id] = done.story_keys
                    signatures[done.result.article_id] = done.signature
            else:
                rejections.append(done.result)

        work = _BatchWork(lake, outlet, batch_id, articles, rejections, workers, keys, signatures)
        kept = _store_settled(work, window, replace, read_version)
    stored, url_dups, outcome, rows = kept.stored, kept.url_dups, kept.outcome, kept.rows
    rejections = kept.rejections

    report.stored = len(stored)
    report.duplicates = sum(a.dedup_status == "duplicate" for a in stored)
    report.near_duplicates = sum(a.dedup_method == "minhash" for a in stored)
    report.stories_linked = sum(
        a.dedup_status == "canonical" and a.story_id != a.article.article_id for a in stored
    )
    report.url_duplicates = len(url_dups)
    report.quarantined = len(rejections)
    report.reasons = dict(Counter(reason for r in rejections for reason in r.reasons))
    extraction_failures = sum(1 for r in rejections if not set(r.reasons) & CRAWL_NOISE)
    considered = report.pages - sum(1 for r in rejections if set(r.reasons) & CRAWL_NOISE)
    report.failure_rate = extraction_failures / considered if considered else 0.0
    if not report.accounted():
        raise RuntimeError(f"{outlet.id}/{batch_id}: page accounting is off: {report}")

    lake.write_json(gx_result_path(outlet.id, batch_id), outcome.summary)
    suites = _stage_suites(raw_rows, outcome.details, rows)
    write_docs(lake, outlet.id, batch_id, suites)
    if not suites[-1]["success"]:
        raise RuntimeError(f"outlet {outlet.id}, batch {batch_id}: the lake write suite failed: {suites[-1]}")
    stats = BatchStats(
        outlet.id, batch_id, considered, extraction_failures, len(rows) + len(url_dups), report.reasons
    )
    # No manifest when the gate fails: the batch stays pending, so an Airflow retry fails again
    # instead of finding nothing to do, and the index stage does not pick it up.
    verdict = gate(lake, stats, max_failure_rate)
    write_manifest(
        lake,
        "process",
        outlet.id,
        batch_id,
        {**report.__dict__, "gate": verdict, "raw": raw},
    )
    return report


@dataclass(frozen=True)
class _BatchWork:
    """What storing one batch works on: its extracted articles and the pages already rejected."""

    lake: Lake
    outlet: Outlet
    batch_id: str
    articles: list[Article]
    rejected: list[Rejection]
    workers: ThreadPoolExecutor
    story_keys: dict[str, StoryKeys]  # by article_id, computed with the page (page_pool)
    signatures: dict[str, Signature]  # by article_id, likewise


def _store_settled(
    work: _BatchWork, window: Future[WindowState], replace: bool, read_version: int
) -> _Stored:
    """_store, then again while a concurrent batch turns out to have committed a copy of one of
    this batch's canonical articles first (nashra.stages.dedup_state.concurrent_copies)."""
    lake, batch_id, workers = work.lake, work.batch_id, work.workers
    now = batch_time(batch_id)
    hidden: frozenset[str] = frozenset()
    first_keys: int | None = None
    for attempt in range(1, STORE_ATTEMPTS + 1):
        kept = _store(work, window, replace, hidden)
        first_keys = kept.keys_version if first_keys is None else first_keys
        rivalry = concurrent_copies(lake, batch_id, read_version, first_keys, kept.stored, kept.signatures)
        if not rivalry.copies or first_keys is None:
            return kept
        if attempt == STORE_ATTEMPTS:
            log.warning("%s: %d articles canonical beside a concurrent copy", batch_id, len(rivalry.copies))
            return kept
        # Store again, seeing the lake as it was at this batch's first commit, with only the
        # first of the concurrent copies of each article.
        log.info("%s: %d articles copy a concurrent batch's; storing again", batch_id, len(rivalry.copies))
        hidden = hidden | rivalry.hidden | committed_after(lake, batch_id, first_keys)
        window, replace = workers.submit(load_window, lake, now, exclude_batch=batch_id, hidden=hidden), True
    return kept


@dataclass
class _Stored:
    stored: list[StoredArticle]
    rejections: list[Rejection]
    url_dups: list[dict[str, Any]]
    outcome: ValidationOutcome
    rows: list[dict[str, Any]]
    signatures: dict[str, Any]
    keys_version: int | None


def _store(work: _BatchWork, window: Future[WindowState], replace: bool, hidden: frozenset[str]) -> _Stored:
    """Dedup, validation and the commits of one batch's extracted articles (`window`: the story
    window, still being read)."""
    lake, outlet, batch_id, articles = work.lake, work.outlet, work.batch_id, work.articles
    now = batch_time(batch_id)
    hashes = [a.content_hash for a in articles if a.content_hash]
    index = load_lake_index(lake, batch_id, [a.article_id for a in articles], hashes, hidden)
    unique, url_dups = split_url_duplicates(articles, index)
    outcome = validate_articles(unique, outlet.allowed_domains, now)
    rejections = work.rejected + outcome.rejected
    stored = mark_content_duplicates(outcome.valid, index, work.story_keys)
    signatures = link_batch(stored, window.result(), work.signatures)  # window: read meanwhile
    rows = [a.to_row() for a in stored]  # as the articles table and the lake write suite get them
    tables = {"articles": rows, "quarantine": [r.to_row() for r in rejections], "url_duplicates": url_dups}
    version = _commit_all(work, stored, tables, signature_rows(stored, signatures), replace)
    return _Stored(stored, rejections, url_dups, outcome, rows, signatures, version)


def _commit_all(
    work: _BatchWork,
    stored: list[StoredArticle],
    tables: dict[str, list[dict[str, Any]]],
    signatures: list[dict[str, Any]],
    replace: bool,
) -> int | None:
    """One commit per table. The keys go first: a batch whose articles commit then fails is re-run
    with replace, and its keys (excluded from its own lookup) are swapped with the rest. Articles,
    quarantine and URL duplicates are independent of each other: committed side by side (each
    commit is a few S3 round trips), all waited for before an error is raised. The signatures go
    last: other batches' story windows see an article only once it is stored. The manifest,
    written after them all, says the batch is done. Returns the keys commit's version."""
    lake, outlet_id, batch_id = work.lake, work.outlet.id, work.batch_id
    keys_version = write_keys(lake, outlet_id, batch_id, stored, replace=replace)
    commits = [
        work.workers.submit(_commit, lake, name, outlet_id, batch_id, rows, replace)
        for name, rows in tables.items()
    ]
    wait(commits)
    for commit in commits:
        commit.result()
    write_signatures(lake, outlet_id, batch_id, signatures, replace=replace)
    return keys_version


def _stage_suites(
    raw_rows: list[dict[str, Any]], articles: dict[str, Any] | None, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """GX results per stage: raw pages, articles before dedup (already run), rows as written."""
    suites = []
    if raw_rows:
        suites.append(run_suite("raw_batch", raw_rows, {"${max_body_bytes}": MAX_PAGE_BYTES}))
    if articles:
        suites.append(articles)
    columns = ["article_id", "dedup_status", "dedup_method", "similarity", "story_id"]
    written = [{k: r.get(k) for k in columns} for r in rows]
    suites.append(run_suite("lake_write", written, {"${stored}": len(rows)}, columns=columns))
    return suites


def process_outlet(
    lake: Lake,
    outlet: Outlet,
    *,
    max_failure_rate: float = 0.5,
    reprocess: bool = False,
    run_id: str | None = None,
    window: Window | None = None,
    only: set[str] | None = None,
) -> list[ProcessReport]:
    """Process the outlet's pending batches of the window (all history if None; every raw batch
    with `reprocess`; of those, the batches in `only` when given), one claim each: a batch
    another worker holds is left to it."""
    sizes = raw_sizes_by_batch(lake, outlet.id, window)  # listed once, for the re-check under each claim
    batches = sorted(sizes) if reprocess else pending_batches(lake, outlet.id, "process", window)
    batches = [b for b in batches if only is None or b in only]
    reports, failures = [], []
    for batch in batches:  # a failing batch does not hold back the later ones
        held = claim(lake, "process", outlet.id, batch, run_id=run_id)
        if held is None:
            log.info("outlet %s, batch %s: claimed by another worker, skipped", outlet.id, batch)
            continue
        try:
            # Done by another worker between our listing and our claim: nothing left to do.
            if reprocess or is_pending(lake, outlet.id, "process", batch, raw=sizes.get(batch, {})):
                reports.append(
                    process_batch(
                        lake, outlet, batch, max_failure_rate=max_failure_rate, replace=not held.first
                    )
                )
        except BatchQualityError as err:
            log.error("%s", err)
            failures.append(str(err))
        finally:
            release(lake, held)
    if failures:
        raise BatchQualityError(" | ".join(failures))
    return reports
