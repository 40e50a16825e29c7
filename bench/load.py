"""``python -m devkit load --pages N``: crawl and process an N-page fixture outlet, measuring time,
peak memory and page accounting (``make load`` runs 50,000 pages; tests/integration/test_load.py
a small size).

The outlet is ``http://load.test/`` (devkit/fixture_web/load.py): a sitemap index of
``ceil(N / 1000)`` sitemaps, pages generated from their number. The crawl runs in its own child
process (as in production) and so does the process stage (``nashra process``), so each one's peak
RSS is its own; it is sampled every 0.2 s with psutil. No loss means: every listed URL archived,
and every archived page in exactly one of articles / url_duplicates / quarantine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.util import environ
from nashra.core.config import REPO_ROOT

RUN_TIME = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)  # the fixture world's reference time
SAMPLE_S = 0.2


@dataclass
class LoadReport:
    pages: int
    archived: int
    fetch_failed: int
    stored: int
    url_duplicates: int
    quarantined: int
    crawl_seconds: float
    process_seconds: float
    crawl_peak_rss_mb: float
    process_peak_rss_mb: float
    reasons: dict[str, int]
    crawl_peak_process: str = ""  # the process that reached the crawl's peak

    @property
    def lost(self) -> int:
        """Listed pages that are nowhere: not archived, or archived but in no table."""
        return (self.pages - self.archived) + (
            self.archived - self.stored - self.url_duplicates - self.quarantined
        )


class PeakRss:
    """Samples the resident memory of processes: a pid, or the children this process starts while
    sampling. Children alive before (a test session's Elasticsearch or S3 server) are not the
    crawl's, so they are left out."""

    def __init__(self, pid: int | None = None, command: str | None = None):
        import psutil

        self._psutil = psutil
        self.pid = pid
        # Only new children whose command line holds this (and their children): a test session's
        # other processes (a server restarted by a fixture, a forked helper) are not the crawl.
        self.command = command
        self.peak = 0
        self.peak_process = ""  # which process reached the peak (name and pid): a ceiling's message
        self._before: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def _targets(self) -> list[Any]:
        if self.pid is not None:
            return [self._psutil.Process(self.pid)]
        children = self._psutil.Process(os.getpid()).children(recursive=True)
        fresh = [proc for proc in children if proc.pid not in self._before]
        if self.command is None:
            return fresh
        mine = [proc for proc in fresh if self.command in " ".join(proc.cmdline())]
        return mine + [child for proc in mine for child in proc.children(recursive=True)]

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for proc in self._targets():
                    rss = proc.memory_info().rss
                    if rss > self.peak:
                        self.peak, self.peak_process = rss, f"{' '.join(proc.cmdline()[:4])} (pid {proc.pid})"
            except (self._psutil.NoSuchProcess, self._psutil.AccessDenied, self._psutil.ZombieProcess):
                pass
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> PeakRss:
        if self.pid is None:
            self._before = {p.pid for p in self._psutil.Process(os.getpid()).children(recursive=True)}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def mb(self) -> float:
        return round(self.peak / 2**20, 1)


def write_registry(path: Path, pages: int, concurrency: int) -> Path:
    from devkit.fixture_web import load as fixture

    text = fixture.REGISTRY_PATH.read_text(encoding="utf-8")
    text = text.replace("?pages=50000", f"?pages={pages}").replace(
        "concurrency: 16", f"concurrency: {concurrency}"
    )
    path.write_text(text, encoding="utf-8")
    return path


def run_load(pages: int, lake_uri: str, *, concurrency: int = 16, timeout: float = 7200) -> LoadReport:
    from devkit.fixture_web import load as fixture
    from devkit.fixture_web import start_fixture_web
    from nashra.core.lake import open_lake
    from nashra.core.ledger import manifest_path, new_batch_id
    from spiders.crawl import crawl_outlet

    batch = new_batch_id(fixture.OUTLET_ID, RUN_TIME)
    with tempfile.TemporaryDirectory(prefix="nashra-load-") as tmp, start_fixture_web() as web:
        registry = write_registry(Path(tmp) / "load.yaml", pages, concurrency)
        env = {
            "NASHRA_FIXTURE_PROXY": web.proxy_url,
            "NASHRA_ALLOW_LOOPBACK": "1",
            "NASHRA_REGISTRY": str(registry),
            "NASHRA_LAKE_URI": lake_uri,
            "NASHRA_CRAWL_TIMEOUT": str(int(timeout)),
            "NASHRA_MAX_CHILD_SITEMAPS": str(fixture.sitemap_count(pages) + 1),
        }
        with environ(env):
            began = time.monotonic()
            with PeakRss(command="spiders.crawl") as crawl_rss:
                report = crawl_outlet(
                    fixture.OUTLET_ID,
                    batch,
                    registry_path=str(registry),
                    today=RUN_TIME.date().isoformat(),
                    max_articles=pages,
                    timeout=timeout,
                )
            crawl_seconds = time.monotonic() - began

            began = time.monotonic()
            argv = [sys.executable, "-m", "nashra.cli", "process", fixture.OUTLET_ID]
            child = subprocess.Popen(
                argv, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            with PeakRss(child.pid) as process_rss:
                output, _ = child.communicate(timeout=timeout)
            process_seconds = time.monotonic() - began
            if child.returncode != 0:
                raise RuntimeError(f"process stage failed (exit {child.returncode}):\n{output[-3000:]}")

        manifest = open_lake(lake_uri).read_json(manifest_path("process", fixture.OUTLET_ID, batch))
    families = list(report.families.values())
    return LoadReport(
        pages=pages,
        archived=report.archived,
        fetch_failed=sum(f.fetch_failed for f in families),
        stored=manifest["stored"],
        url_duplicates=manifest["url_duplicates"],
        quarantined=manifest["quarantined"],
        crawl_seconds=round(crawl_seconds, 1),
        process_seconds=round(process_seconds, 1),
        crawl_peak_rss_mb=crawl_rss.mb,
        process_peak_rss_mb=process_rss.mb,
        reasons=manifest.get("reasons", {}),
        crawl_peak_process=crawl_rss.peak_process,
    )


def register(sub: Any) -> None:
    p = sub.add_parser("load", help="load test: crawl + process an N-page fixture outlet, with peak memory")
    p.add_argument("--pages", type=int, default=50_000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--lake", help="lake URI (default: a fresh temporary directory, removed after)")
    p.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "load" / "report.json")
    p.set_defaults(fn=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    if args.lake:
        result = run_load(args.pages, args.lake, concurrency=args.concurrency)
    else:
        with tempfile.TemporaryDirectory(prefix="nashra-load-lake-") as lake:
            result = run_load(args.pages, lake, concurrency=args.concurrency)
    doc = {**asdict(result), "lost": result.lost}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1))
    print(json.dumps(doc, indent=1))
    print(f"report: {args.out}")
    return 0 if result.lost == 0 else 1
