"""`nashra` command line: the same stage functions the Airflow DAGs call."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape

from nashra.cli.backfill_command import register_backfill
from nashra.cli.common import (
    NothingToDo,
    UsageError,
    add_output_flags,
    console,
    emit_rows,
    for_each,
    outlet_ids,
    print_summary,
    report_table,
    run_with_progress,
    say,
)
from nashra.cli.ops_commands import register_kibana, register_reindex, register_replay, register_report
from nashra.core.config import ConfigError, require_elasticsearch, settings


def cmd_crawl(args: argparse.Namespace) -> int:
    from nashra.stages import tasks

    now = datetime.now(UTC).replace(microsecond=0)
    return report_table(
        for_each(
            outlet_ids(args),
            "crawl",
            lambda o: tasks.crawl(o, now, max_articles=args.max_articles)["archived"],
        ),
        "pages archived",
        args,
    )


def cmd_process(args: argparse.Namespace) -> int:
    from nashra.stages import tasks

    results = for_each(
        outlet_ids(args),
        "process",
        lambda o: [
            {k: r[k] for k in ("batch_id", "stored", "duplicates", "url_duplicates", "quarantined")}
            for r in tasks.process(o, reprocess=args.reprocess)
        ],
    )
    _nothing_to_do(results, "raw batches to process" if not args.reprocess else "raw batches")
    return report_table(results, "batches processed", args)


def cmd_index(args: argparse.Namespace) -> int:
    from nashra.stages import tasks

    results = for_each(
        outlet_ids(args),
        "index",
        lambda o: [r["indexed"] for r in tasks.index(o, reindex=args.reindex)],
    )
    _nothing_to_do(results, "processed batches to index" if not args.reindex else "processed batches")
    results = [(o, sum(v) if v is not None else None, err) for o, v, err in results]
    return report_table(results, "documents indexed", args)


def _nothing_to_do(results: list[tuple[str, Any, str | None]], what: str) -> None:
    """Say so when no outlet had anything to do: an empty table must not look like work done."""
    if results and all(not value and not error for _, value, error in results):
        say(f"nothing to do: no {what} for {len(results)} outlets in the lake {settings().lake_uri}")


def cmd_run(args: argparse.Namespace) -> int:
    """Live crawl of the production registry's enabled outlets."""
    # A production run never starts services of its own: it says what is missing and stops.
    try:
        require_elasticsearch(settings(), "`nashra run`")
    except ConfigError as exc:
        console.print(f"[red]{exc}. (`make demo` runs offline with embedded services.)[/red]")
        return 2
    ids = outlet_ids(args)
    ids, unresolved_hosts = _reachable(ids)
    if not ids:
        return 2
    summary = run_with_progress(ids, datetime.now(UTC).replace(microsecond=0), args.max_articles)
    print_summary(summary)
    if unresolved_hosts:
        return 1
    if len(summary.failed) == len(ids):
        console.print(
            "[red]No outlet could be crawled. Is this machine online? "
            "(`make demo` runs offline on the fixture web.)[/red]"
        )
    return 1 if summary.failed else 0


def _reachable(ids: list[str]) -> tuple[list[str], dict[str, str]]:
    """Resolve every outlet host first (in parallel, seconds): offline, say so before crawling."""
    from nashra.core.registry import load_registry
    from nashra.ops import reachability

    registry = load_registry()
    outlets = [registry.get(i) for i in ids]
    reachable, failed = reachability.check_outlets(outlets, reachability.RESOLVER)
    if failed and not reachable:
        sys.stderr.write(
            f"nashra run: none of the {len(reachability.outlet_hosts(outlets))} outlet hosts resolves "
            f"(e.g. {next(iter(sorted(failed)))}: {failed[sorted(failed)[0]]}). Is this machine online? "
            "(`make demo` runs offline on the fixture web.)\n"
        )
    elif failed:
        listed = ", ".join(sorted(failed)[:10]) + (" …" if len(failed) > 10 else "")
        skipped = sorted(set(ids) - set(reachable))
        sys.stderr.write(
            f"nashra run: {len(failed)} outlet hosts do not resolve ({listed})"
            + (f"; skipping {', '.join(skipped)}" if skipped else "")
            + "\n"
        )
    return reachable, failed


def _when(value: str, *, end_of_day: bool = False, option: str = "--since") -> datetime:
    from nashra.cli.when import WhenError, parse_when

    try:
        return parse_when(value, end_of_day=end_of_day)
    except WhenError as exc:
        raise UsageError(f"{option} {exc}") from None


def _check_search_filters(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    """Filters that can only answer "no match" are mistakes: say which one."""
    from nashra.core.registry import load_registry

    since = _when(args.since) if args.since else None
    until = _when(args.until, end_of_day=True, option="--until") if args.until else None
    if since and until and since > until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    registry = load_registry()
    if args.outlet:
        registry.get(args.outlet)  # RegistryError names the unknown id
    if args.country:
        args.country = args.country.upper()
        countries = sorted({o.country for o in registry.outlets})
        if args.country not in countries:
            raise UsageError(f"--country {args.country}: the registry has outlets in {', '.join(countries)}")
    return since, until


def cmd_search(args: argparse.Namespace) -> int:
    from nashra.ops.search import isolate, search, terminal_highlight
    from nashra.stages.index import es_client

    since, until = _check_search_filters(args)
    cfg = settings()
    hits = search(
        es_client(cfg),
        cfg.index_prefix,
        args.query,
        size=args.size,
        language=args.lang,
        outlet=args.outlet,
        country=args.country,
        since=since,
        until=until,
        exclude_duplicates=args.exclude_duplicates,
    )
    columns = ["rank", "language", "outlet_id", "country", "published_at", "dedup_status", "title", "url"]
    if args.tsv:
        rows = [
            [i, h.language, h.outlet_id, h.country, h.published_at, h.dedup_status, h.title, h.url]
            for i, h in enumerate(hits, 1)
        ]
        return 0 if emit_rows(args, columns, rows) else 1
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


def cmd_lake(args: argparse.Namespace) -> int:
    from nashra.cli.ops_commands import cmd_lake_maintain, cmd_lake_migrate

    actions = {"show": cmd_lake_show, "maintain": cmd_lake_maintain, "migrate": cmd_lake_migrate}
    return actions[args.action](args)


def cmd_lake_show(args: argparse.Namespace) -> int:
    import duckdb

    from nashra.core.lake import open_lake
    from nashra.core.ledger import READABLE_TABLES

    lake = open_lake()
    con = duckdb.connect()
    present = []
    for name in READABLE_TABLES:  # every table, so --sql can join them
        dataset = lake.dataset(name)
        if dataset is not None:
            con.register(name, dataset)
            present.append(name)
    if args.table not in present and not args.sql:
        console.print(f"the lake {lake.uri} has no {args.table} yet (tables: {', '.join(present) or 'none'})")
        return 1
    default_sql = {
        "articles": "SELECT outlet_id, language, strftime(published_at, '%Y-%m-%d %H:%M') AS published_utc, "
        "dedup_status, left(title, 60) AS title FROM articles ORDER BY published_at",
        "quarantine": "SELECT outlet_id, reasons, url FROM quarantine ORDER BY outlet_id, url",
        "url_duplicates": "SELECT outlet_id, url, duplicate_of FROM url_duplicates ORDER BY outlet_id, url",
        "metrics": "SELECT outlet_id, stage, started_at, duration_s, pages_fetched, articles_valid, "
        "quarantined, indexed, failed FROM metrics ORDER BY started_at DESC LIMIT 50",
    }
    sql = args.sql or default_sql[args.table]
    try:
        result = con.sql(sql)
        if args.json or args.tsv:
            emit_rows(args, list(result.columns), [list(row) for row in result.fetchall()])
        elif args.raw:
            console.print(result.fetchall())
        elif sys.stdout.isatty():
            console.print(result)
        else:  # DuckDB's own box drawing, at the width of the rows rather than of a terminal
            result.show(max_width=100_000, max_rows=100_000)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise UsageError(f"--sql: {first} (tables: {', '.join(present) or 'none'})") from None
    return 0


def cmd_registry(args: argparse.Namespace) -> int:
    from nashra.core.registry import RegistryError, load_registry

    try:
        registry = load_registry(args.path)
    except RegistryError as exc:
        console.print(f"[red]{exc}[/red]")
        return 1
    columns = ["id", "country", "languages", "enabled", "schedule", "homepage", "discovery"]
    rows = [
        [
            o.id,
            o.country,
            list(o.languages),
            o.enabled,
            o.schedule,
            o.homepage,
            [d.method for d in o.discovery],
        ]
        for o in registry.outlets
    ]
    if emit_rows(args, columns, rows):
        return 0
    by_country: dict[str, int] = {}
    for o in registry.outlets:
        by_country[o.country] = by_country.get(o.country, 0) + 1
    console.print(f"{registry.path}: {len(registry.outlets)} outlets {by_country}, valid")
    return 0


def _methods(outlet: Any) -> list[str]:
    return [d.method for d in outlet.discovery]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nashra", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def outlets_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("outlets", nargs="*", help="outlet ids (default: every enabled outlet)")

    p = sub.add_parser("crawl", help="crawl outlets into raw WARC batches")
    outlets_arg(p)
    p.add_argument("--max-articles", type=int, default=200)
    add_output_flags(p, "pages archived per outlet")
    p.set_defaults(fn=cmd_crawl)
    p = sub.add_parser("process", help="extract, validate, dedup pending raw batches into the lake")
    outlets_arg(p)
    p.add_argument("--reprocess", action="store_true", help="redo every raw batch (replay, idempotent)")
    add_output_flags(p, "batches processed per outlet")
    p.set_defaults(fn=cmd_process)
    p = sub.add_parser("index", help="index processed batches into Elasticsearch")
    outlets_arg(p)
    p.add_argument("--reindex", action="store_true", help="re-index every processed batch")
    add_output_flags(p, "documents indexed per outlet")
    p.set_defaults(fn=cmd_index)
    p = sub.add_parser("run", help="crawl -> process -> index the live outlets")
    outlets_arg(p)
    p.add_argument("--max-articles", type=int, default=50)
    p.set_defaults(fn=cmd_run)
    p = sub.add_parser("search", help="full-text search in Elasticsearch")
    p.add_argument("query")
    p.add_argument("--lang", choices=["ar", "fr", "en"])
    p.add_argument("--outlet")
    p.add_argument("--country", help="ISO code of the outlet's country: MA, QA")
    p.add_argument(
        "--since", help="published on or after: ISO date or time (UTC if naive), today, yesterday, 7d, 12h"
    )
    p.add_argument("--until", help="published on or before (a date, today or yesterday includes that day)")
    p.add_argument("--exclude-duplicates", action="store_true")
    p.add_argument("--size", type=int, default=10)
    add_output_flags(p, "hits (JSON: with highlights marked <em>…</em>)")
    p.set_defaults(fn=cmd_search)
    register_reindex(sub)
    register_kibana(sub)
    p = sub.add_parser("lake", help="look at the lake with DuckDB, maintain it, migrate it to Delta")
    p.add_argument("action", choices=["show", "maintain", "migrate"])
    p.add_argument(
        "--table", default="articles", choices=["articles", "quarantine", "url_duplicates", "metrics"]
    )
    p.add_argument("--sql", help="SQL over the tables (articles, quarantine, url_duplicates, metrics)")
    p.add_argument("--raw", action="store_true")
    add_output_flags(p, "show: the rows")
    p.add_argument("--tables", nargs="+", metavar="TABLE", help="maintain: only these tables")
    p.add_argument("--light", action="store_true", help="maintain: the hourly run (bin small files only)")
    p.add_argument("--to", metavar="URI", help="migrate: write the Delta tables to this lake instead")
    p.set_defaults(fn=cmd_lake)
    register_replay(sub)
    register_backfill(sub)
    register_report(sub)
    p = sub.add_parser("registry", help="validate an outlet registry file (and list its outlets)")
    p.add_argument("path", nargs="?")
    add_output_flags(p, "the outlets")
    p.set_defaults(fn=cmd_registry)
    return parser


def quiet_logs() -> None:
    """The terminal gets the progress bars, the notices and the summary; per-stage log lines
    (metrics, HTTP) are for Airflow's task logs, and a client's retry warnings ("Node has failed
    ... putting on timeout") repeat what the command reports once. NASHRA_LOG_LEVEL=INFO shows
    them all here too."""
    import logging

    chosen = os.environ.get("NASHRA_LOG_LEVEL", "").upper()
    logging.getLogger("nashra").setLevel(chosen or "WARNING")
    libraries = (
        "elastic_transport",
        "elasticsearch",
        "urllib3",
        "great_expectations",
        "trafilatura",
        "htmldate",
        "botocore",
        "boto3",
        "s3transfer",
    )
    for name in libraries:
        logging.getLogger(name).setLevel(chosen or "ERROR")


# Errors a user can cause and fix (a setting, a file, a service that is down): one line and exit 2.
def _expected_errors() -> tuple[type[BaseException], ...]:
    from deltalake.exceptions import DeltaError
    from elasticsearch import ApiError, TransportError

    from nashra.core.config import ConfigError
    from nashra.core.lake import LakeError
    from nashra.core.registry import RegistryError
    from nashra.core.tables import TableError
    from nashra.ops.migrate import MigrationError

    return (
        ConfigError,
        LakeError,
        TableError,
        DeltaError,  # a table log that cannot be read (corrupt, or S3 refusing)
        MigrationError,
        RegistryError,
        UsageError,
        TransportError,
        ApiError,
        OSError,
    )


def _one_line(exc: BaseException, sources: list[Any]) -> str:
    """The error as the one line a user reads: what is wrong and which file, key or setting."""
    from elasticsearch import ApiError, TransportError

    from nashra.cli.where import es_unreachable
    from nashra.core.registry import RegistryError

    unreachable = es_unreachable(exc, sources)
    if unreachable:
        return unreachable

    text = str(exc)
    if isinstance(exc, RegistryError):
        # One line per problem: the first names file, outlet and key; `nashra registry` lists all.
        problems = [line for line in text.splitlines() if line.strip()]
        more = f" (and {len(problems) - 1} more: `nashra registry` lists them)" if len(problems) > 1 else ""
        return f"{problems[0] if problems else type(exc).__name__}{more}"
    message = " ".join(text.split()) or type(exc).__name__
    if isinstance(exc, ConfigError):  # written for the user already: no class name
        return message[:600]
    if isinstance(exc, (TransportError, ApiError)):
        message = f"{message[:300]} (Elasticsearch {settings().es_url}: ES_URL)"
    return f"{type(exc).__name__}: {message[:400]}"


def main(argv: list[str] | None = None) -> int:
    from nashra.cli import where

    quiet_logs()
    parser = build_parser()
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere, also after the command's own arguments
    args = parser.parse_args([a for a in argv if a != "--debug"])
    args.debug = debug
    sources: list[where.Source] = []
    try:
        sources = where.resolve(args)
        line = where.using_line(args, sources)
        if line:  # stderr: `--json`/`--tsv` output and pipes stay clean
            sys.stderr.write(line + "\n")
        where.check(args, sources)
        return int(args.fn(args) or 0)
    except NothingToDo as exc:
        say(f"nothing to do: {exc}")
        return 0
    except BrokenPipeError:
        # The reader stopped reading (`| head`): not an error. Point stdout at /dev/null so the
        # interpreter's final flush does not raise again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except _expected_errors() as exc:
        if args.debug:
            raise
        sys.stderr.write(f"nashra {args.command}: {_one_line(exc, sources)} (--debug for details)\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
