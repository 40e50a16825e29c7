"""Backfill from Common Crawl's news archive (CC-NEWS): years of an outlet's history on day one.

Each source WARC file is streamed record by record (nashra.core.warc_stream) from a local path,
http(s) or s3://; the records of enabled registry outlets become raw batches of those outlets, one
per outlet and file, named after the file (nashra.ops.backfill_batches), so a second run of the
same file replaces what the first wrote and never adds. How far a file got is kept in the lake
(nashra.ops.backfill_state): a finished file is skipped, a dropped connection resumes with a range
read from the end of the last whole record, and a killed task resumes from its last checkpoint.
One call handles one file, so Airflow maps a month's files over its workers.
"""

from __future__ import annotations

import gzip
import logging
import os
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from nashra.core.byte_source import DROPPED, SourceMissing, SourceUnavailable, open_from, read_all
from nashra.core.cc_news import file_name, file_time, join, listed_files, listing_path, months
from nashra.core.config import Settings, settings
from nashra.core.lake import Lake, ensure_bucket, open_lake
from nashra.core.ledger import Window, new_batch_id
from nashra.core.model import MAX_PAGE_BYTES
from nashra.core.registry import load_registry
from nashra.core.warc_stream import MemberReader, Record
from nashra.ops.backfill_batches import OutletBatch, OutletMatcher, classify, fetched_at, raw_page
from nashra.ops.backfill_state import FileState, load_state, save_state

log = logging.getLogger(__name__)

# The crawl's download cap (DOWNLOAD_MAXSIZE, MAX_PAGE_BYTES): a record above it is too_large.
MAX_RECORD_BYTES = int(os.environ.get("NASHRA_BACKFILL_MAX_RECORD_BYTES", str(MAX_PAGE_BYTES)))
# Source bytes between two checkpoints (batches published, then the state): what a killed task
# reads again, against one `fetched` commit per outlet and checkpoint.
CHECKPOINT_BYTES = int(float(os.environ.get("NASHRA_BACKFILL_CHECKPOINT_MB", "64")) * 1024 * 1024)
# Attempts in a row without a new whole record before a file fails (5xx, resets), and the first
# back-off (doubled each time).
RESUME_ATTEMPTS = int(os.environ.get("NASHRA_BACKFILL_ATTEMPTS", "5"))
RESUME_DELAY_S = float(os.environ.get("NASHRA_BACKFILL_RETRY_DELAY_S", "2"))

Progress = Callable[[FileState, int], None]  # the file's state so far, compressed bytes read


class BackfillError(RuntimeError):
    """A listing or a file that cannot be read: one line, naming it."""


@dataclass
class FileReport:
    uri: str
    status: str  # done | skipped (finished by an earlier run)
    read: int = 0
    kept: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    batches: dict[str, str] = field(default_factory=dict)  # outlet -> batch id
    bytes_read: int = 0  # this run, compressed
    resumes: int = 0  # range reads after a dropped connection
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return file_name(self.uri)


def listed_uris(source: str, since: date, until: date, cfg: Settings | None = None) -> list[str]:
    """The WARC files the monthly CC-NEWS listings under `source` name, for the months given."""
    uris: list[str] = []
    for month in months(since, until):
        uri = join(source, listing_path(month))
        try:
            text = gzip.decompress(read_all(uri, cfg)).decode("utf-8")
        except (SourceMissing, SourceUnavailable) as exc:
            raise BackfillError(f"no CC-NEWS listing for {month:%Y-%m}: {exc}") from None
        except (OSError, EOFError, UnicodeDecodeError):
            raise BackfillError(f"{uri}: not a gzipped list of paths") from None
        uris += [join(source, path) for path in listed_files(text)]
    return uris


def backfill_file(
    uri: str,
    *,
    outlets: list[str] | None = None,
    lake: Lake | None = None,
    on_progress: Progress | None = None,
) -> FileReport:
    """Backfill one WARC file (or skip it when an earlier run finished it)."""
    cfg = settings()
    if lake is None:
        ensure_bucket(cfg.lake_uri, cfg)
        lake = open_lake(cfg.lake_uri, cfg)
    registry = load_registry()
    chosen = [registry.get(o) for o in outlets] if outlets else registry.enabled()
    state = load_state(lake, uri)
    if state.done:
        return _report(state, "skipped")
    run = _FileRun(lake, state, OutletMatcher(chosen), on_progress)
    started = time.monotonic()
    run.read(cfg)
    run.checkpoint(done=True)
    report = _report(state, "done")
    report.bytes_read, report.resumes = run.bytes_read, run.resumes
    report.seconds = round(time.monotonic() - started, 3)
    log.info("backfill %s: %s", report.name, report.__dict__)
    return report


def _report(state: FileState, status: str) -> FileReport:
    counts = state.counts
    batches = {outlet: str(b["batch_id"]) for outlet, b in state.batches.items()}
    return FileReport(state.uri, status, counts.read, dict(counts.kept), dict(counts.skipped), batches)


class _FileRun:
    """One pass over a file from its recorded offset, resuming after dropped connections."""

    def __init__(self, lake: Lake, state: FileState, matcher: OutletMatcher, on_progress: Progress | None):
        self.lake, self.state, self.matcher, self.on_progress = lake, state, matcher, on_progress
        self.batches = {
            outlet_id: OutletBatch.resumed(lake, outlet_id, str(b["batch_id"]), int(b["bytes"]))
            for outlet_id, b in state.batches.items()
        }
        self.checkpointed = state.offset
        self.bytes_read = 0
        self.resumes = 0

    def read(self, cfg: Settings) -> None:
        failures = 0
        while True:
            try:
                opened = open_from(self.state.uri, self.state.offset, cfg)
            except SourceMissing as exc:
                raise BackfillError(str(exc)) from None
            except SourceUnavailable as exc:
                failures = self._failed(failures, exc)
                continue
            self.state.size = opened.size or self.state.size
            reader = MemberReader(opened.stream, self.state.offset, max_record_bytes=MAX_RECORD_BYTES)
            try:
                with closing(opened.stream):
                    for record in reader:
                        self._take(record)
                        failures = 0  # a whole record arrived: the source is alive
                return
            except DROPPED as exc:
                self.resumes += 1
                failures = self._failed(failures, exc)
            finally:
                self.bytes_read += reader.bytes_read

    def _failed(self, failures: int, exc: BaseException) -> int:
        failures += 1
        if failures >= RESUME_ATTEMPTS:
            raise BackfillError(
                f"{self.state.uri}: {exc or type(exc).__name__} ({failures} attempts in a row, "
                f"stopped at byte {self.state.offset})"
            ) from None
        log.warning("%s: %s; reading again from byte %d", self.state.uri, exc, self.state.offset)
        time.sleep(RESUME_DELAY_S * 2 ** (failures - 1))
        return failures

    def _take(self, record: Record) -> None:
        state, counts = self.state, self.state.counts
        if record.offset == 0 and record.problem == "bad_gzip":
            raise BackfillError(f"{state.uri}: not a gzipped WARC file")
        if state.anchor is None:
            when = file_time(state.uri) or fetched_at(record)
            state.anchor = when.isoformat() if when else None
        counts.read += 1
        outlet, why = classify(record, self.matcher)
        page = None
        if outlet is not None and state.anchor is not None:
            batch = self._batch(outlet.id)
            page = raw_page(record, outlet, batch.batch_id, state.name)
            why = "non_http" if page is None else None
        if page is None:
            counts.skipped[why or "bad_date"] += 1
        else:
            counts.kept[page.outlet_id] += 1
            self.batches[page.outlet_id].add(page)
        state.offset = record.end
        if state.offset - self.checkpointed >= CHECKPOINT_BYTES:
            self.checkpoint()
        if self.on_progress is not None and counts.read % 50 == 0:
            self.on_progress(state, state.offset)

    def _batch(self, outlet_id: str) -> OutletBatch:
        if outlet_id not in self.batches:
            anchor = datetime.fromisoformat(str(self.state.anchor))
            batch = OutletBatch(outlet_id, new_batch_id(outlet_id, anchor))
            # Batch ids come from the file's start time: two files started in the same second
            # would replace each other's pages. Refuse rather than lose them.
            owner = batch.source_file(self.lake)
            if owner not in (None, self.state.name):
                raise BackfillError(
                    f"{self.state.uri}: batch {batch.batch_id} already holds pages of {owner} "
                    "(two source files started in the same second)"
                )
            self.batches[outlet_id] = batch
        return self.batches[outlet_id]

    def checkpoint(self, *, done: bool = False) -> None:
        """Publish the batches that changed, then record the state: never the other way round."""
        for outlet_id, batch in sorted(self.batches.items()):
            if batch.dirty and batch.rows:
                batch.publish(self.lake)
            size = batch.warc.tell()
            self.state.batches[outlet_id] = {
                "batch_id": batch.batch_id,
                "bytes": size,
                "pages": len(batch.rows),
            }
        self.state.done = done
        save_state(self.lake, self.state)
        self.checkpointed = self.state.offset
        if self.on_progress is not None:
            self.on_progress(self.state, self.state.offset)


def touched(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{outlet_id, batches}] of the batches the file reports (FileReport as dicts) wrote."""
    by_outlet: dict[str, set[str]] = {}
    for report in reports:
        for outlet_id, batch_id in (report.get("batches") or {}).items():
            by_outlet.setdefault(outlet_id, set()).add(batch_id)
    return [{"outlet_id": o, "batches": sorted(b)} for o, b in sorted(by_outlet.items())]


def settle_outlet(
    outlet_id: str, batches: list[str], *, index: bool = False, run_id: str | None = None
) -> dict[str, Any]:
    """The process stage (and the index stage with `index`) on an outlet's backfilled batches:
    only those, in the days they span (the scheduled runs look at recent days only)."""
    from nashra.core.ledger import batch_time
    from nashra.stages import tasks

    times = sorted(batch_time(b) for b in batches)
    window = Window(times[0], times[-1])
    done: dict[str, Any] = {
        "process": tasks.process(outlet_id, run_id=run_id, window=window, only=set(batches))
    }
    if index:
        done["index"] = tasks.index(outlet_id, run_id=run_id, window=window, only=set(batches))
    return done


def process_backfilled(reports: list[FileReport], run_id: str | None = None) -> dict[str, Any]:
    """The process stage on the batches the reports wrote, outlet by outlet."""
    return {
        item["outlet_id"]: settle_outlet(item["outlet_id"], item["batches"], run_id=run_id)["process"]
        for item in touched([asdict(r) for r in reports])
    }


def backfill_observed(
    uri: str,
    *,
    outlets: list[str] | None = None,
    run_id: str | None = None,
    on_progress: Progress | None = None,
) -> FileReport:
    """`backfill_file` with its counts in the metrics table (stage `backfill`, one row per file):
    what the DAG's mapped tasks and the CLI call."""
    from nashra.stages.tasks import observed

    with observed("*", "backfill", run_id) as metrics:
        report = backfill_file(uri, outlets=outlets, on_progress=on_progress)
        metrics.pages_fetched = sum(report.kept.values())
        metrics.bytes_fetched = report.bytes_read
        metrics.errors = dict(report.skipped)
        metrics.details = {
            "file": report.uri,
            "status": report.status,
            "read": report.read,
            "kept": report.kept,
            "resumes": report.resumes,
        }
    return report
