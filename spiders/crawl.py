"""Crawl one outlet into one raw batch: every discovery family of the outlet, one after the other.

Twisted's reactor cannot be restarted inside one interpreter, so `crawl_outlet` (called by the
Airflow task and the CLI) runs the crawl in a fresh `python -m spiders.crawl` process, argv only —
no shell string is built from registry values. The families run sequentially in that process so
the outlet's politeness limits hold across them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nashra.core.config import Settings, settings
from nashra.core.ledger import batch_day
from nashra.core.raw_archive import LakeRawSink
from nashra.core.registry import Outlet, load_registry
from spiders.settings import static_settings


class CrawlError(RuntimeError):
    pass


@dataclass
class FamilyReport:
    archived: int = 0
    fetch_failed: int = 0
    robots_forbidden: int = 0
    offsite_filtered: int = 0
    skipped_already_archived: int = 0
    ssrf_blocked: int = 0
    discovery_failures: list[str] = field(default_factory=list)
    discovery_ok: int = 0
    bytes_fetched: int = 0
    # Scrapy's own counters by kind: "http_503", "DNSLookupError", "TimeoutError" ...
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class CrawlReport:
    outlet_id: str
    batch_id: str
    families: dict[str, FamilyReport]

    @property
    def archived(self) -> int:
        return sum(f.archived for f in self.families.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet_id": self.outlet_id,
            "batch_id": self.batch_id,
            "families": {k: asdict(v) for k, v in self.families.items()},
            "archived": self.archived,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> CrawlReport:
        return cls(
            doc["outlet_id"], doc["batch_id"], {k: FamilyReport(**v) for k, v in doc["families"].items()}
        )


def scrapy_settings(outlet: Outlet, cfg: Settings, batch_id: str, seen: set[str]) -> dict[str, Any]:
    """spiders.settings plus what depends on the outlet, the run and the environment."""
    delay = outlet.politeness.download_delay
    return {
        **static_settings(),
        "CONCURRENT_REQUESTS": max(2, outlet.politeness.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": outlet.politeness.concurrency,
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": delay > 0,
        "AUTOTHROTTLE_ENABLED": delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(outlet.politeness.concurrency),
        "DOWNLOAD_TIMEOUT": int(os.environ.get("NASHRA_DOWNLOAD_TIMEOUT", "20")),
        "CLOSESPIDER_TIMEOUT": int(os.environ.get("NASHRA_CRAWL_TIMEOUT", "1800")),
        "NASHRA_BACKOFF_BASE": 2.0 if not cfg.test_mode else 0.05,
        "NASHRA_ALLOW_LOOPBACK": cfg.allow_loopback,
        "NASHRA_TEST_HOSTS": cfg.test_hosts,
        "NASHRA_FIXTURE_PROXY": cfg.fixture_proxy,
        "NASHRA_SEEN_URLS": seen,
        "NASHRA_RAW_SINK": LakeRawSink(cfg.lake_uri, batch_day(batch_id)),
        # Children of a sitemap index followed per crawl (the newest); the load test lists 50.
        "NASHRA_MAX_CHILD_SITEMAPS": int(os.environ.get("NASHRA_MAX_CHILD_SITEMAPS", "10")),
        "LOG_LEVEL": os.environ.get("NASHRA_SCRAPY_LOG_LEVEL", "WARNING"),
    }


def _errors_by_kind(stats: dict[str, Any]) -> dict[str, int]:
    errors: dict[str, int] = {}
    for key, count in stats.items():
        if key.startswith("downloader/exception_type_count/"):
            errors[key.rsplit(".", 1)[-1].rsplit("/", 1)[-1]] = count
        elif key.startswith("downloader/response_status_count/") and int(key.rsplit("/", 1)[1]) >= 400:
            errors[f"http_{key.rsplit('/', 1)[1]}"] = count
    return errors


def seen_urls(lake_uri: str, outlet_id: str, batch_id: str) -> set[str]:
    """URLs of this outlet already archived by other batches with an answer worth keeping (not a
    5xx/429/network error, which the next crawl retries). The batch's own earlier attempt is not
    counted: a retried batch must fetch its pages again, or it would overwrite its WARC with less."""
    import pyarrow.compute as pc

    from nashra.core.lake import open_lake

    fetched = open_lake(lake_uri).dataset("fetched")
    if fetched is None:
        return set()
    status = pc.field("status")
    keep = (status > 0) & (status < 500) & (status != 429)
    wanted = (pc.field("outlet_id") == outlet_id) & (pc.field("batch_id") != batch_id) & keep
    table = fetched.to_table(columns=["url", "final_url"], filter=wanted)
    return {v for column in ("url", "final_url") for v in table.column(column).to_pylist() if v}


def run_in_process(
    outlet_id: str, batch_id: str, registry_path: str | None, today: str, max_articles: int
) -> CrawlReport:
    """The crawl itself; only ever call this in a fresh process (see module doc)."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    from spiders.families import SPIDERS

    cfg = settings()
    outlet = load_registry(registry_path).get(outlet_id)
    report = CrawlReport(outlet_id, batch_id, {})
    process = CrawlerProcess(
        scrapy_settings(outlet, cfg, batch_id, seen_urls(cfg.lake_uri, outlet_id, batch_id)),
        install_root_handler=cfg.test_mode is False,
    )

    @defer.inlineCallbacks
    def chain() -> Any:
        for family in outlet.families():
            crawler = process.create_crawler(SPIDERS[family])
            yield process.crawl(
                crawler,
                outlet_id=outlet_id,
                batch_id=batch_id,
                registry_path=registry_path,
                today=today,
                max_articles=max_articles,
            )
            stats = crawler.stats.get_stats()
            report.families[family] = FamilyReport(
                archived=stats.get("nashra/archived", 0),
                fetch_failed=stats.get("nashra/fetch_failed", 0),
                robots_forbidden=stats.get("robotstxt/forbidden", 0),
                offsite_filtered=stats.get("offsite/filtered", 0),
                skipped_already_archived=stats.get("nashra/skipped_already_archived", 0),
                ssrf_blocked=stats.get("nashra/ssrf_blocked", 0),
                discovery_failures=list(crawler.spider.discovery_failures),
                discovery_ok=stats.get("nashra/discovery_ok", 0),
                bytes_fetched=stats.get("downloader/response_bytes", 0),
                errors=_errors_by_kind(stats),
            )

    def stop(result: Any) -> Any:
        from twisted.internet import reactor

        reactor.stop()  # type: ignore[attr-defined]
        return result

    failures: list[Any] = []
    chain().addErrback(failures.append).addBoth(stop)
    process.start(stop_after_crawl=False)
    if failures:
        failures[0].raiseException()
    return report


def crawl_outlet(
    outlet_id: str,
    batch_id: str,
    *,
    registry_path: str | None = None,
    today: str | None = None,
    max_articles: int = 200,
    timeout: float = 3600,
) -> CrawlReport:
    """Crawl one outlet into raw batch `batch_id` in a child process; raise CrawlError when the
    outlet could not be reached at all (every discovery endpoint failed)."""
    today = today or datetime.now(UTC).date().isoformat()
    with tempfile.TemporaryDirectory(prefix="nashra-crawl-") as tmp:
        report_path = Path(tmp) / "report.json"
        argv = [
            sys.executable,
            "-m",
            "spiders.crawl",
            "--outlet",
            outlet_id,
            "--batch",
            batch_id,
            "--today",
            today,
            "--max-articles",
            str(max_articles),
            "--report",
            str(report_path),
        ]
        if registry_path:
            argv += ["--registry", str(registry_path)]
        try:
            # The child opens the same lake: credentials resolved here (maybe from an Airflow
            # connection it cannot read) travel in its environment, never on its command line.
            env = {**os.environ, **settings().lake_env()}
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False, env=env)
        except subprocess.TimeoutExpired as exc:
            raise CrawlError(f"outlet {outlet_id}: crawl did not finish in {timeout:.0f}s") from exc
        if proc.returncode != 0 or not report_path.exists():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise CrawlError(f"outlet {outlet_id}: crawl process failed (exit {proc.returncode}):\n{tail}")
        report = CrawlReport.from_json(json.loads(report_path.read_text()))
    discovered = sum(f.discovery_ok for f in report.families.values())
    if discovered == 0:
        problems = (
            "; ".join(p for f in report.families.values() for p in f.discovery_failures) or "no response"
        )
        raise CrawlError(f"outlet {outlet_id}: every discovery endpoint failed: {problems}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.crawl")
    parser.add_argument("--outlet", required=True)
    parser.add_argument("--batch", required=True)
    parser.add_argument("--registry")
    parser.add_argument("--today", required=True)
    parser.add_argument("--max-articles", type=int, default=200)
    parser.add_argument("--report", type=Path, required=True)
    args = parser.parse_args(argv)
    report = run_in_process(args.outlet, args.batch, args.registry, args.today, args.max_articles)
    args.report.write_text(json.dumps(report.to_json()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
