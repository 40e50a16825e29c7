"""Process-stage benchmark: the whole stage (WARC -> extract, clean, langid, dates, GX, dedup,
Parquet) against bare ``trafilatura.extract`` on the same page bytes, in the same run.

Input: the committed ar/fr/en evaluation pages (tests/eval/extraction), one batch per fixture
outlet, each page repeated under its own URL so batches have a realistic size (copies of a body
under another URL are wire copies: exact dedup marks them, as it would in production).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import trafilatura

from bench.util import rate, side_by_side
from nashra.core.lake import Lake, open_lake
from nashra.core.ledger import new_batch_id, raw_warc_path
from nashra.core.model import RawPage
from nashra.core.warc import write_pages
from nashra.stages import page_pool
from nashra.stages.process import process_batch
from transforms.article import process_page

# Where the stage's time goes: (label, function) pairs read from one profiled round.
_BREAKDOWN = {
    "extraction cascade (transforms.article.process_page)": ("article.py", "process_page"),
    "Great Expectations (3 suites per batch)": ("validate.py", "_run"),
    "near-dup + story linking": ("dedup.py", "link_batch"),
    # computed once per article when exact dedup makes its record; linking and the lake reuse them
    "story keys (dedup.stored_article)": ("dedup.py", "stored_article"),
    "Delta commits": ("tables.py", "commit_batch"),
    "WARC read": ("warc.py", "read_pages"),
    "lake reads (dedup index, window)": ("process.py", "load_lake_index"),
}


@dataclass(frozen=True)
class Batch:
    outlet: Any  # an EvalOutlet: what process_batch needs of a registry outlet
    batch_id: str
    pages: tuple[RawPage, ...]


def _copy_url(url: str, rep: int) -> str:
    if rep == 0:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/r{rep}{parts.path}"))


def make_batches(
    reps: int, max_pages: int | None = None, outlets: tuple[str, ...] | None = None
) -> tuple[list[Batch], datetime]:
    from tests.eval.extraction import score as eval_extraction
    from tests.eval.extraction.pages import NOW

    pages = eval_extraction._committed_pages()  # the very pages the eval scores

    if outlets:
        pages = [p for p in pages if p.outlet.id in outlets]
    if max_pages:
        pages = pages[:max_pages]
    by_outlet: dict[str, tuple[Any, list[RawPage]]] = {}
    for page in pages:
        batch_id = new_batch_id(page.outlet.id, NOW)
        group = by_outlet.setdefault(page.outlet.id, (page.outlet, []))[1]
        for rep in range(reps):
            url = _copy_url(page.url, rep)
            html = page.html.replace(page.url, url).encode("utf-8")
            headers = {"content-type": "text/html; charset=utf-8"}
            group.append(RawPage(page.outlet.id, url, url, 200, headers, html, NOW, batch_id, "feed"))
    batches = [Batch(o, new_batch_id(oid, NOW), tuple(ps)) for oid, (o, ps) in by_outlet.items()]
    return batches, NOW


def _lake_with(batches: list[Batch], now: datetime) -> Lake:
    lake = open_lake(tempfile.mkdtemp(prefix="nashra-bench-lake-"))
    for b in batches:
        sink = io.BytesIO()
        write_pages(sink, b.pages)
        day = now.strftime("%Y-%m-%d")
        lake.write_bytes(raw_warc_path(b.outlet.id, day, b.batch_id, "feed"), sink.getvalue())
    return lake


def _run_stage(lakes: list[Lake], batches: list[Batch]) -> Callable[[], None]:
    def run() -> None:
        lake = lakes.pop()  # a fresh lake per round: nothing stored yet, every page is new
        for b in batches:
            process_batch(lake, b.outlet, b.batch_id)

    return run


def _breakdown(root: Any) -> dict[str, float]:
    """Share of the profiled time per labelled part, from pyinstrument's call tree.

    A sampling profiler, not cProfile: cProfile's per-call cost inflated the parts made of many
    small Python calls (GX's metric graph, the story keys) and shrank C-heavy ones (trafilatura's
    lxml work). A labelled frame's time is counted once, not again for labelled frames below it.
    """
    found: dict[str, float] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        label = next(
            (
                label
                for label, (file_end, func) in _BREAKDOWN.items()
                if frame.function == func and (frame.file_path or "").endswith(file_end)
            ),
            None,
        )
        if label:
            found[label] = found.get(label, 0.0) + frame.time
        else:
            stack.extend(frame.children)
    total = root.time or 1.0
    return {label: round(seconds / total, 3) for label, seconds in found.items()}


def bench_process(
    reps: int,
    rounds: int,
    max_pages: int | None = None,
    *,
    detail: bool = True,
    outlets: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The stage vs bare trafilatura; with ``detail`` also the cascade alone and a profile."""
    batches, now = make_batches(reps, max_pages, outlets)
    pages = [p for b in batches for p in b.pages]
    bodies = [p.body for p in pages]
    lakes = [_lake_with(batches, now) for _ in range(rounds + 2)]

    def bare() -> None:
        for body in bodies:
            trafilatura.extract(body)

    stage, bare_m = side_by_side(_run_stage(lakes, batches), bare, rounds)
    n = len(pages) * rounds
    figures: dict[str, Any] = {
        "pages": len(pages),
        "batches": len(batches),
        "pages_per_batch": round(len(pages) / max(len(batches), 1), 1),
        "rounds": rounds,
        # processes extracting a batch's pages (nashra.stages.page_pool); bare trafilatura uses one
        "extract_processes": page_pool.workers()
        if max(len(b.pages) for b in batches) >= page_pool.MIN_POOL_PAGES
        else 1,
        "stage": {**stage.as_dict(), "pages_per_s": round(rate(n, stage), 1)},
        "bare_trafilatura": {**bare_m.as_dict(), "pages_per_s": round(rate(n, bare_m), 1)},
        "ratio": round(rate(n, stage) / max(rate(n, bare_m), 1e-9), 3),
    }
    if not detail:
        return figures

    def cascade() -> None:
        for b in batches:
            for p in b.pages:
                process_page(p, b.outlet, now=now)

    cascade_m, bare2 = side_by_side(cascade, bare, rounds)

    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    _run_stage(lakes, batches)()
    profiler.stop()
    return {
        **figures,
        "cascade_only": {**cascade_m.as_dict(), "pages_per_s": round(rate(n, cascade_m), 1)},
        "cascade_bare_trafilatura": {**bare2.as_dict(), "pages_per_s": round(rate(n, bare2), 1)},
        "cascade_ratio": round(rate(n, cascade_m) / max(rate(n, bare2), 1e-9), 3),
        "profile_share": _breakdown(profiler.last_session.root_frame()),
        "_bodies": bodies,  # for the news-please run; dropped before the JSON is written
    }
