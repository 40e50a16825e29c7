"""`nashra` command line: the same stage functions the Airflow DAGs call."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nashra import bench, eval_dedup, eval_extraction, kibana, load, reindex, relevance, replay, report
from nashra.config import REPO_ROOT, settings

console = Console()
FIXTURE_REGISTRY = REPO_ROOT / "infra" / "fixture_web" / "outlets.yaml"


def _outlet_ids(args: argparse.Namespace) -> list[str]:
    from spiders.registry import load_registry

    registry = load_registry()
    if args.outlets:
        return [registry.get(o).id for o in args.outlets]
    return [o.id for o in registry.enabled()]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _for_each(ids: list[str], label: str, fn: Any) -> list[tuple[str, Any, str | None]]:
    results = []
    with _progress() as progress:
        task = progress.add_task(label, total=len(ids))
        for outlet_id in ids:
            progress.update(task, description=f"{label} {outlet_id}")
            try:
                results.append((outlet_id, fn(outlet_id), None))
            except Exception as exc:  # noqa: BLE001 - reported in the summary; exit code says it
                results.append((outlet_id, None, f"{type(exc).__name__}: {exc}"))
            progress.advance(task)
    return results


def _report(results: list[tuple[str, Any, str | None]], title: str) -> int:
    table = Table(title=title)
    table.add_column("outlet")
    table.add_column("result")
    for outlet_id, value, error in results:
        table.add_row(outlet_id, f"[red]{error}[/red]" if error else json.dumps(value, default=str)[:120])
    console.print(table)
    failed = [r for r in results if r[2]]
    console.print(f"{len(results) - len(failed)} outlets ok, {len(failed)} failed")
    return 1 if failed else 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from nashra import stages

    now = datetime.now(UTC).replace(microsecond=0)
    return _report(
        _for_each(
            _outlet_ids(args),
            "crawl",
            lambda o: stages.crawl(o, now, max_articles=args.max_articles)["archived"],
        ),
        "pages archived",
    )


def cmd_process(args: argparse.Namespace) -> int:
    from nashra import stages

    return _report(
        _for_each(
            _outlet_ids(args),
            "process",
            lambda o: [
                {k: r[k] for k in ("batch_id", "stored", "duplicates", "url_duplicates", "quarantined")}
                for r in stages.process(o, reprocess=args.reprocess)
            ],
        ),
        "batches processed",
    )


def cmd_index(args: argparse.Namespace) -> int:
    from nashra import stages

    return _report(
        _for_each(
            _outlet_ids(args),
            "index",
            lambda o: sum(r["indexed"] for r in stages.index(o, reindex=args.reindex)),
        ),
        "documents indexed",
    )


def _pipeline(ids: list[str], run_time: datetime, max_articles: int) -> Any:
    from nashra.pipeline import run_pipeline

    with _progress() as progress:
        task = progress.add_task("pipeline", total=len(ids))

        def advance(outcome: Any) -> None:
            mark = "[red]✗[/red]" if outcome.error else "[green]✓[/green]"
            progress.console.print(
                f"{mark} {outcome.outlet_id}: {outcome.pages_fetched} pages, "
                f"{outcome.stored} stored, {outcome.duplicates} dup, "
                f"{outcome.quarantined} quarantined" + (f" — {outcome.error}" if outcome.error else "")
            )
            progress.advance(task)

        return run_pipeline(ids, run_time, max_articles=max_articles, on_outlet=advance)


def _lake_totals() -> dict[str, int]:
    from nashra.lake import open_lake

    lake = open_lake()
    totals = {}
    for table in ("articles", "quarantine", "url_duplicates"):
        dataset = lake.dataset(table)
        totals[table] = dataset.count_rows() if dataset is not None else 0
    dataset = lake.dataset("articles")
    if dataset is not None:
        import pyarrow.compute as pc

        status = dataset.to_table(columns=["dedup_status"]).column("dedup_status")
        totals["duplicates"] = int(pc.sum(pc.equal(status, "duplicate")).as_py() or 0)
    return totals


def _es_count() -> int | str:
    from nashra.index import es_client

    try:
        es = es_client()
        return int(es.count(index=settings().index_prefix)["count"])
    except Exception as exc:  # noqa: BLE001 - a summary line, not a failure
        return f"unavailable ({type(exc).__name__})"


def _print_summary(summary: Any) -> None:
    totals = _lake_totals()
    cfg = settings()
    table = Table(title="nashra summary")
    table.add_column("what")
    table.add_column("this run", justify="right")
    table.add_column("lake total", justify="right")
    table.add_row("pages fetched", str(summary.total("pages_fetched")), "")
    table.add_row(
        "articles valid (canonical)",
        str(summary.total("stored")),
        str(totals.get("articles", 0) - totals.get("duplicates", 0)),
    )
    table.add_row(
        "articles duplicate (wire copies)", str(summary.total("duplicates")), str(totals.get("duplicates", 0))
    )
    table.add_row(
        "pages duplicate by URL", str(summary.total("url_duplicates")), str(totals.get("url_duplicates", 0))
    )
    table.add_row("pages quarantined", str(summary.total("quarantined")), str(totals.get("quarantine", 0)))
    table.add_row("documents indexed", str(summary.total("indexed")), str(_es_count()))
    console.print(table)
    console.print(f"Parquet lake: {cfg.lake_uri}/articles  (Hive partitions outlet=/date=)")
    console.print(f"Elasticsearch: {cfg.es_url}  index alias {cfg.index_prefix}")
    for failed in summary.failed:
        console.print(f"[red]outlet {failed.outlet_id} failed:[/red] {failed.error}")


def cmd_run(args: argparse.Namespace) -> int:
    """Live crawl of the production registry's enabled outlets."""
    if not os.environ.get("ES_URL"):
        from nashra.services import ensure_services

        console.print("ES_URL is not set: starting the embedded Elasticsearch and SeaweedFS (var/services).")
        os.environ.update(ensure_services())
    ids = _outlet_ids(args)
    summary = _pipeline(ids, datetime.now(UTC).replace(microsecond=0), args.max_articles)
    _print_summary(summary)
    if len(summary.failed) == len(ids):
        console.print(
            "[red]No outlet could be crawled. Is this machine online? "
            "(`make demo` runs offline on the fixture web.)[/red]"
        )
    return 1 if summary.failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Whole pipeline on the offline fixture web with the embedded services."""
    from infra.fixture_web import start_fixture_web
    from infra.fixture_web.truth import REFERENCE_NOW
    from nashra.services import ensure_services, remember

    console.print("Starting the embedded services (SeaweedFS S3, Elasticsearch node) ...")
    try:
        os.environ.update(ensure_services())
    except Exception as exc:  # noqa: BLE001 - turn a missing JDK/Maven into advice, not a trace
        console.print(f"[red]Could not start the embedded services:[/red] {exc}")
        return 2
    lake_uri = os.environ.setdefault("NASHRA_LAKE_URI", "s3://nashra-demo/lake")
    remember(lake_uri=lake_uri)
    with start_fixture_web() as web:
        os.environ.update(
            {
                "NASHRA_FIXTURE_PROXY": web.proxy_url,
                "NASHRA_ALLOW_LOOPBACK": "1",
                "NASHRA_REGISTRY": str(FIXTURE_REGISTRY),
            }
        )
        from spiders.registry import load_registry

        ids = [o.id for o in load_registry(FIXTURE_REGISTRY).enabled()]
        # The fixture web is a frozen news day; crawl it as of that day so its dated sitemaps apply.
        summary = _pipeline(ids, REFERENCE_NOW, args.max_articles)
    _print_summary(summary)
    console.print('\nTry:  .venv/bin/nashra search "السغروشني"   |   .venv/bin/nashra search Seghrouchni')
    console.print("      .venv/bin/nashra lake show        |   .venv/bin/nashra services stop")
    return 1 if summary.failed else 0


def _when(value: str, *, end_of_day: bool = False) -> datetime:
    """An ISO date or time; a naive one is UTC, a bare date covers its whole day."""
    when = datetime.fromisoformat(value)
    if end_of_day and len(value) == 10:
        when = when.replace(hour=23, minute=59, second=59)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def cmd_search(args: argparse.Namespace) -> int:
    from nashra.index import es_client
    from nashra.search import isolate, search, terminal_highlight
    from nashra.services import apply_running_services

    apply_running_services()
    cfg = settings()
    hits = search(
        es_client(cfg),
        cfg.index_prefix,
        args.query,
        size=args.size,
        language=args.lang,
        outlet=args.outlet,
        country=args.country,
        since=_when(args.since) if args.since else None,
        until=_when(args.until, end_of_day=True) if args.until else None,
        exclude_duplicates=args.exclude_duplicates,
    )
    if args.json:
        print(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=1))
        return 0
    if not hits:
        console.print("no match")
    for i, h in enumerate(hits, 1):
        # Metadata and text on separate lines, text in Unicode isolates: a bidi-capable terminal
        # then lays an Arabic title out right-to-left without dragging the LTR metadata along.
        dup = " [yellow](duplicate)[/yellow]" if h.dedup_status == "duplicate" else ""
        meta = f"{escape(f'[{h.language}]')} {h.outlet_id} {h.country} {h.published_at[:16]}"
        console.print(f"[bold]{i}.[/bold] {meta}{dup}")
        # soft_wrap: the terminal wraps the text itself, so a bidi terminal sees one paragraph.
        title = isolate(terminal_highlight(h.title_highlight) or escape(h.title))
        console.print(f"   [bold]{title}[/bold]", soft_wrap=True)
        for fragment in h.highlight:
            console.print(f"   … {isolate(terminal_highlight(fragment))} …", soft_wrap=True)
        console.print(f"   [dim]{escape(h.url)}[/dim]")
    return 0


def cmd_lake_show(args: argparse.Namespace) -> int:
    import duckdb

    from nashra.lake import open_lake
    from nashra.services import apply_running_services

    apply_running_services()
    dataset = open_lake().dataset(args.table)
    if dataset is None:
        console.print(f"the lake has no {args.table} yet")
        return 1
    con = duckdb.connect()
    con.register(args.table, dataset)
    default_sql = {
        "articles": "SELECT outlet_id, language, strftime(published_at, '%Y-%m-%d %H:%M') AS published_utc, "
        "dedup_status, left(title, 60) AS title FROM articles ORDER BY published_at",
        "quarantine": "SELECT outlet_id, reasons, url FROM quarantine ORDER BY outlet_id, url",
        "url_duplicates": "SELECT outlet_id, url, duplicate_of FROM url_duplicates ORDER BY outlet_id, url",
    }
    sql = args.sql or default_sql[args.table]
    console.print(con.sql(sql).fetchall() if args.raw else con.sql(sql))
    return 0


def cmd_services(args: argparse.Namespace) -> int:
    from nashra.services import read_state, stop_services

    if args.action == "stop":
        console.print(f"stopped: {', '.join(stop_services()) or 'nothing was running'}")
    else:
        console.print_json(
            json.dumps(
                {
                    k: {kk: vv for kk, vv in v.items() if kk != "env"} if isinstance(v, dict) else v
                    for k, v in read_state().items()
                }
            )
        )
    return 0


def cmd_registry(args: argparse.Namespace) -> int:
    from spiders.registry import RegistryError, load_registry

    try:
        registry = load_registry(args.path)
    except RegistryError as exc:
        console.print(f"[red]{exc}[/red]")
        return 1
    by_country: dict[str, int] = {}
    for o in registry.outlets:
        by_country[o.country] = by_country.get(o.country, 0) + 1
    console.print(f"{registry.path}: {len(registry.outlets)} outlets {by_country}, valid")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nashra", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def outlets_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("outlets", nargs="*", help="outlet ids (default: every enabled outlet)")

    p = sub.add_parser("crawl", help="crawl outlets into raw WARC batches")
    outlets_arg(p)
    p.add_argument("--max-articles", type=int, default=200)
    p.set_defaults(fn=cmd_crawl)
    p = sub.add_parser("process", help="extract, validate, dedup pending raw batches into the lake")
    outlets_arg(p)
    p.add_argument("--reprocess", action="store_true", help="redo every raw batch (replay, idempotent)")
    p.set_defaults(fn=cmd_process)
    p = sub.add_parser("index", help="index processed batches into Elasticsearch")
    outlets_arg(p)
    p.add_argument("--reindex", action="store_true", help="re-index every processed batch")
    p.set_defaults(fn=cmd_index)
    p = sub.add_parser("run", help="crawl -> process -> index the live outlets")
    outlets_arg(p)
    p.add_argument("--max-articles", type=int, default=50)
    p.set_defaults(fn=cmd_run)
    p = sub.add_parser("demo", help="the whole pipeline on the offline fixture web")
    p.add_argument("--max-articles", type=int, default=200)
    p.set_defaults(fn=cmd_demo)
    p = sub.add_parser("search", help="full-text search in Elasticsearch")
    p.add_argument("query")
    p.add_argument("--lang", choices=["ar", "fr", "en"])
    p.add_argument("--outlet")
    p.add_argument("--country", help="ISO code of the outlet's country: MA, QA")
    p.add_argument("--since", help="published on or after (ISO date or time, UTC if naive)")
    p.add_argument("--until", help="published on or before (a bare date includes that day)")
    p.add_argument("--exclude-duplicates", action="store_true")
    p.add_argument("--size", type=int, default=10)
    p.add_argument("--json", action="store_true", help="hits as JSON (highlights marked <em>…</em>)")
    p.set_defaults(fn=cmd_search)
    relevance.register(sub)
    reindex.register(sub)
    kibana.register(sub)
    p = sub.add_parser("lake", help="look at the lake with DuckDB")
    p.add_argument("action", choices=["show"])
    p.add_argument("--table", default="articles", choices=["articles", "quarantine", "url_duplicates"])
    p.add_argument("--sql", help="SQL over the table (registered under its own name)")
    p.add_argument("--raw", action="store_true")
    p.set_defaults(fn=cmd_lake_show)
    p = sub.add_parser("services", help="the embedded services started by demo/run")
    p.add_argument("action", choices=["status", "stop"])
    p.set_defaults(fn=cmd_services)
    replay.register(sub)
    load.register(sub)
    evaluate = sub.add_parser("eval", help="evaluate pipeline quality on the labelled sets")
    eval_sub = evaluate.add_subparsers(dest="what", required=True)
    eval_dedup.register(eval_sub)
    eval_extraction.register(eval_sub)
    report.register(sub)
    bench.register(sub)
    p = sub.add_parser("registry", help="validate an outlet registry file")
    p.add_argument("path", nargs="?")
    p.set_defaults(fn=cmd_registry)
    return parser


def main(argv: list[str] | None = None) -> int:
    import logging

    # The terminal gets the progress bars and the summary; per-stage log lines (metrics, HTTP) are
    # for Airflow's task logs. NASHRA_LOG_LEVEL=INFO shows them here too.
    level = os.environ.get("NASHRA_LOG_LEVEL", "WARNING").upper()
    quiet = (
        "nashra",
        "elastic_transport",
        "elasticsearch",
        "great_expectations",
        "trafilatura",
        "htmldate",
        "botocore",
    )
    for name in quiet:
        logging.getLogger(name).setLevel(level)
    args = build_parser().parse_args(argv)
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
