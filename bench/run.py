"""`python -m devkit bench [--quick] [--out PATH]`: every figure side by side with its baseline, in one run.

Benchmarks, not timed tests: nothing here fails on a slow figure; each is printed as a ratio with
its absolute numbers and peak memory, and written to a JSON file (bench/README.md describes it).
The full run starts its own services (an ES node, SeaweedFS, the fixture web) and stops them;
`--quick` runs the service-free sections on a handful of inputs (the smoke test uses it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.util import environ as _env
from nashra.core.config import REPO_ROOT

LARGE_BATCH_REPS = 100  # 63 pages x 100 under their own URLs: 300 pages per outlet batch
# Backfill-sized batches: 3 outlets (one per language, three page templates) x 3 pages x 334 copies.
BACKFILL_OUTLETS = ("arc_ar", "jsonld_story_fr", "wordpress_en")
BACKFILL_REPS = 334
SECTIONS = ("process", "lake", "es", "neardup", "freshness", "history", "backfill")
QUICK_SECTIONS = ("process", "lake", "neardup", "history")  # history: a small "year" (3,700 batches)
NEWS_PLEASE_VENV = REPO_ROOT / "var" / "bench" / "news-please-venv"
TARGETS = {
    "process": 0.8,
    "news_please": 5.0,
    "es": 0.9,
    "lake": 0.9,
    "neardup_docs_per_s": 2000,
    "neardup_rss_mib_1m": 2048,
    "freshness_s": 120,
    "history_time": 1.5,
    "backfill_read": 0.8,  # records/s against bare warcio iteration over the same CC-NEWS-shaped file
    "backfill_rss_mib": 300,  # a mapped task's peak RSS
}


# --- services ------------------------------------------------------------------------------


@contextmanager
def _services(work: Path) -> Iterator[dict[str, Any]]:
    from devkit.es_node import start_node
    from devkit.fixture_web import start_fixture_web
    from devkit.seaweed import start_seaweed

    with ExitStack() as stack:
        s3 = start_seaweed(work / "s3")
        stack.callback(s3.stop)
        node = start_node(work / "es")
        stack.callback(node.stop)
        web = stack.enter_context(start_fixture_web())
        yield {"s3_env": s3.env(), "es_url": node.url, "proxy_url": web.proxy_url}


# --- sections ------------------------------------------------------------------------------


def _news_please(bodies: list[bytes], venv: Path, rounds: int) -> dict[str, Any]:
    """news-please in its own venv (created on first use), on the very same page bytes."""
    python = venv / "bin" / "python"
    if not python.exists():
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            # pip 23's resolver fails on news-please's lxml[html-clean] extra: a current pip is needed.
            [str(python), "-m", "pip", "install", "-q", "-U", "pip"],
            [str(python), "-m", "pip", "install", "-q", "news-please"],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
            if done.returncode:
                return {"installed": False, "reason": (done.stderr or done.stdout).strip()[-600:]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        urls = [f"http://bench.test/{i}" for i in range(len(bodies))]
        json.dump([{"url": u, "html": b.decode("utf-8")} for u, b in zip(urls, bodies, strict=True)], f)
    try:
        worker = Path(__file__).with_name("newsplease_worker.py")
        done = subprocess.run(
            [str(python), str(worker), f.name, str(rounds)],
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    finally:
        os.unlink(f.name)
    if done.returncode:
        return {"installed": True, "reason": done.stderr.strip()[-600:]}
    return {"installed": True, **json.loads(done.stdout.strip().splitlines()[-1])}


def _neardup(sizes: list[int], datasketch_sizes: list[int]) -> list[dict[str, Any]]:
    runs = [(n, "numpy") for n in sizes] + [(n, "datasketch") for n in datasketch_sizes]
    out = []
    for n, impl in runs:  # a process per size: peak RSS is then that size's own
        done = subprocess.run(
            [sys.executable, "-m", "bench.neardup", str(n), impl],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=3600,
            check=False,
        )
        if done.returncode:
            out.append({"impl": impl, "docs": n, "error": done.stderr.strip()[-400:]})
        else:
            out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def _run_sections(args: argparse.Namespace, wanted: tuple[str, ...], work: Path) -> dict[str, Any]:
    from bench.process import bench_process
    from bench.sinks import bench_es, bench_lake, synthetic_rows
    from nashra.core.lake import ensure_bucket, open_lake

    quick = args.quick
    results: dict[str, Any] = {}
    if "process" in wanted:
        print("process stage ...", flush=True)
        proc = bench_process(
            reps=1 if quick else 10, rounds=1 if quick else 2, max_pages=6 if quick else None
        )
        bodies = proc.pop("_bodies")
        if not quick:
            # The stage pays GX's fixed cost per batch (three suites, ~0.3 s whatever the row
            # count): the same pages in batches ten times larger show the per-page cost alone.
            print("process stage, large batches ...", flush=True)
            large = bench_process(reps=LARGE_BATCH_REPS, rounds=1, detail=False)
            large.pop("_bodies", None)
            proc["large_batches"] = large
            print("process stage, backfill-sized batches ...", flush=True)
            backfill = bench_process(reps=BACKFILL_REPS, rounds=1, detail=False, outlets=BACKFILL_OUTLETS)
            backfill.pop("_bodies", None)
            proc["backfill_batches"] = backfill
            print("news-please ...", flush=True)
            proc["news_please"] = _news_please(bodies, Path(args.news_please_venv), rounds=1)
        results["process"] = proc
    rows = synthetic_rows(200 if quick else 20_000)
    needs_services = {"es", "freshness", "history"} & set(wanted) or ("lake" in wanted and not quick)
    with ExitStack() as stack:
        services = stack.enter_context(_services(work)) if needs_services else None
        if "lake" in wanted:
            print("lake write ...", flush=True)
            rounds = 1 if quick else 3
            results["lake"] = {"local": bench_lake(open_lake(str(work / "lake")), rows, rounds)}
            if services:
                with _env(services["s3_env"]):
                    uri = "s3://nashra-bench-lake/lake"
                    ensure_bucket(uri)
                    results["lake"]["s3"] = bench_lake(open_lake(uri), rows, rounds)
        if "es" in wanted and services:
            from elasticsearch import Elasticsearch

            print("ES indexing ...", flush=True)
            es = Elasticsearch(services["es_url"], request_timeout=120)
            results["es"] = bench_es(es, rows[: 200 if quick else 10_000], rounds=1 if quick else 5)
        if "freshness" in wanted and services:
            from bench.fresh import bench_freshness, fixture_env

            print("freshness ...", flush=True)
            env = fixture_env(services["proxy_url"], services["s3_env"], services["es_url"])
            results["freshness"] = bench_freshness(env, "hespress_ar", max_articles=200)
        if "history" in wanted and services:
            from bench.history import bench_history

            print("history (a simulated year) ...", flush=True)
            results["history"] = bench_history(
                services["s3_env"],
                services["es_url"],
                quick=quick,
                progress=lambda m: print(f"  {m}", flush=True),
            )
    if "backfill" in wanted:
        from bench import warc_readers

        print("backfill: reading and filtering a CC-NEWS-shaped file ...", flush=True)
        results["backfill"] = warc_readers.section(2_000 if quick else 16_000, work)
    if "neardup" in wanted:
        print("near-dup index ...", flush=True)
        sizes = [2_000] if quick else [10_000, 100_000, 1_000_000]
        results["neardup"] = _neardup(sizes, [2_000] if quick else [10_000, 100_000])
    return results


# --- report --------------------------------------------------------------------------------


def _row(measure: str, ours: str, base: str, ratio: float | None, target: str, met: bool | None) -> dict:
    return {
        "measure": measure,
        "nashra": ours,
        "baseline": base,
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "met": met,
    }


def _with_rss(name: str, m: dict[str, Any], key: str) -> str:
    return f"{name} {m[key]} ({m['peak_rss_mib']} MiB)"


def summary_table(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure of issue 5: ours, the baseline, the ratio, the target and the verdict."""
    rows = []
    if proc := results.get("process"):
        stage = proc["stage"]
        for run in (proc, proc.get("large_batches"), proc.get("backfill_batches")):
            if not run:
                continue
            rows.append(
                _row(
                    f"process stage, pages/s ({run['pages']} pages, {run['batches']} batches "
                    f"of {run['pages_per_batch']:.0f}; {run.get('extract_processes', 1)} extracting "
                    "process(es))",
                    f"{run['stage']['pages_per_s']} ({run['stage']['peak_rss_mib']} MiB)",
                    f"trafilatura.extract {run['bare_trafilatura']['pages_per_s']} "
                    f"({run['bare_trafilatura']['peak_rss_mib']} MiB)",
                    run["ratio"],
                    f">= {TARGETS['process']}x",
                    run["ratio"] >= TARGETS["process"],
                )
            )
        rows.append(
            _row(
                "  extraction cascade only (process_page), pages/s",
                str(proc["cascade_only"]["pages_per_s"]),
                f"trafilatura.extract {proc['cascade_bare_trafilatura']['pages_per_s']}",
                proc["cascade_ratio"],
                "(diagnostic)",
                None,
            )
        )
        np_ = proc.get("news_please") or {}
        if "pages_per_s" in np_:
            ratio = stage["pages_per_s"] / max(np_["pages_per_s"], 1e-9)
            rows.append(
                _row(
                    "process stage vs news-please, pages/s",
                    str(stage["pages_per_s"]),
                    f"news-please {np_['pages_per_s']} ({np_['peak_rss_mib']} MiB; "
                    f"{np_.get('failed', 0)} of {np_['pages']} pages raised)",
                    ratio,
                    f">= {TARGETS['news_please']}x",
                    ratio >= TARGETS["news_please"],
                )
            )
        elif np_:
            rows.append(_row("process stage vs news-please", "-", np_.get("reason", "")[:80], None, "", None))
    for where, lake in (results.get("lake") or {}).items():
        rows.append(
            _row(
                f"lake write ({where}), rows/s ({lake['rows']} rows)",
                f"{lake['nashra']['rows_per_s']} ({lake['nashra']['peak_rss_mib']} MiB)",
                _with_rss("write_dataset", lake["write_dataset"], "rows_per_s"),
                lake["ratio"],
                f">= {TARGETS['lake']}x",
                lake["ratio"] >= TARGETS["lake"],
            )
        )
    if es := results.get("es"):
        rows.append(
            _row(
                f"ES indexing, docs/s ({es['docs']} docs)",
                f"{es['nashra']['docs_per_s']} ({es['nashra']['peak_rss_mib']} MiB)",
                _with_rss("streaming_bulk", es["streaming_bulk"], "docs_per_s"),
                es["ratio"],
                f">= {TARGETS['es']}x",
                es["ratio"] >= TARGETS["es"],
            )
        )
    nd = results.get("neardup") or []
    old = {r["docs"]: r for r in nd if r.get("impl") == "datasketch" and "docs_per_s" in r}
    for r in (r for r in nd if r.get("impl") == "numpy"):
        if "docs_per_s" not in r:
            rows.append(
                _row(f"near-dup index {r['docs']:,} docs", "error", r.get("error", "")[:80], None, "", False)
            )
            continue
        base = old.get(r["docs"])
        met = r["docs_per_s"] >= TARGETS["neardup_docs_per_s"] and (
            r["docs"] < 1_000_000 or r["peak_rss_mib"] < TARGETS["neardup_rss_mib_1m"]
        )
        rows.append(
            _row(
                f"near-dup insert+query {r['docs']:,} docs, docs/s (peak RSS)",
                f"{r['docs_per_s']} ({r['peak_rss_mib']} MiB, index "
                f"+{r['peak_rss_mib'] - r['rss_before_index_mib']:.0f})",
                f"datasketch {base['docs_per_s']} ({base['peak_rss_mib']} MiB, index "
                f"+{base['peak_rss_mib'] - base['rss_before_index_mib']:.0f})"
                if base
                else "-",
                r["docs_per_s"] / base["docs_per_s"] if base else None,
                ">= 2000/s, < 2 GB at 1M, linear",
                met,
            )
        )
    if fr := results.get("freshness"):
        seconds = fr.get("all_searchable_s")
        rows.append(
            _row(
                f"freshness, feed -> searchable, s ({fr['outlet']}, {fr['articles_indexed']} items)",
                f"first {fr.get('first_searchable_s')} / all {seconds}",
                f"crawl {fr.get('crawled_s')}, process {fr.get('processed_s')}, index {fr.get('indexed_s')}",
                None,
                f"<= {TARGETS['freshness_s']} s",
                seconds is not None and seconds <= TARGETS["freshness_s"],
            )
        )
    if hi := results.get("history"):
        year, month, empty, full = hi["year_lake"], hi["month_lake"], hi["empty_lake"], hi["year"]
        rows.append(
            _row(
                f"history: process + index of one {hi['pages_per_batch']}-page batch, s "
                f"(lake of {full['batches']:,} batches, {full['rows']['articles']:,} articles)",
                f"year {year['seconds']}",
                f"empty lake {empty['seconds']}",
                hi["time_ratio"],
                f"<= {TARGETS['history_time']}x",
                hi["time_ratio"] <= TARGETS["history_time"],
            )
        )
        rows.append(
            _row(
                "history: S3 requests of that batch (all clients, counted at a proxy), year / month",
                f"year {year['requests']} {year['by_method']}",
                f"month {month['requests']}; empty lake {empty['requests']}",
                hi["request_ratio"],
                "independent of history (<= 1.1x)",
                hi["request_ratio"] <= 1.1,
            )
        )
        rows.append(
            _row(
                "history: maintenance per day on the year's lake (23 hourly + 1 daily run), s",
                f"{hi['maintenance_per_day_s']} "
                f"(hourly {hi['maintenance_hourly_s']}, daily {hi['maintenance_daily_s']})",
                f"year generated in {full['generate_s']} s, its first daily run {full['maintain_s']} s",
                None,
                "(measured)",
                None,
            )
        )
    if bf := results.get("backfill"):
        rows.append(
            _row(
                f"backfill: read + filter a CC-NEWS-shaped file, records/s ({bf['records']:,} records, "
                f"{bf['mb']} MB)",
                str(bf["filter_records_per_s"]),
                f"bare warcio iteration {bf['warcio_records_per_s']}",
                bf["ratio"],
                f">= {TARGETS['backfill_read']}x",
                bf["ratio"] >= TARGETS["backfill_read"],
            )
        )
        rows.append(
            _row(
                "backfill: that file into a lake in a child process (a mapped task), peak RSS MiB",
                f"{bf['backfill_peak_rss_mib']} ({bf['backfill_mb_per_s']} MB/s)",
                "",
                None,
                f"< {TARGETS['backfill_rss_mib']} MiB",
                bf["backfill_peak_rss_mib"] < TARGETS["backfill_rss_mib"],
            )
        )
    return rows


def _print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="python -m devkit bench (ratio = nashra / baseline, same input, same run)")
    for column in ("measure", "nashra", "baseline", "ratio", "target", "met"):
        table.add_column(column)
    for r in rows:
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        table.add_row(r["measure"], r["nashra"], r["baseline"], ratio, r["target"], met)
    Console(width=200).print(table)


def run(args: argparse.Namespace) -> int:
    wanted = tuple(args.only.split(",")) if args.only else (QUICK_SECTIONS if args.quick else SECTIONS)
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        print(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nashra-bench-") as work:
        results = _run_sections(args, wanted, Path(work))
    table = summary_table(results)
    report = {
        "command": "python -m devkit bench"
        + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else ""),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_s": round(time.perf_counter() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "quick": args.quick,
        "targets": TARGETS,
        "table": table,
        "results": results,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    _print_table(table)
    print(f"written: {out}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench", help="benchmarks side by side with their baselines (JSON + table)"
    )
    parser.add_argument("--quick", action="store_true", help="a handful of inputs, no services")
    parser.add_argument("--out", default=str(REPO_ROOT / "bench" / "results" / "latest.json"))
    parser.add_argument("--only", help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--news-please-venv", default=str(NEWS_PLEASE_VENV), help="created on first use")
    parser.set_defaults(fn=run)
