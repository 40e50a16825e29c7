"""Commands over the operational tools: replay, reindex, Kibana objects, the health report."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from nashra.cli.common import UsageError, add_output_flags, for_each, outlet_ids, report_table, say
from nashra.ops import kibana, reindex, replay, report


# -- kibana --------------------------------------------------------------------------------
def cmd_kibana_import(args: argparse.Namespace) -> int:
    from rich.console import Console

    from nashra.core.config import settings

    console = Console()
    objects = kibana.with_index_title(kibana.load_objects(args.file), settings().index_prefix)
    try:
        answer = kibana.import_objects(
            args.url, objects, space=args.space, api_key=os.environ.get("KIBANA_API_KEY")
        )
    except (OSError, ValueError) as exc:  # no Kibana there, a refusal (HTTPError), not JSON
        console.print(f"[red]Kibana {args.url}: {kibana.describe_failure(exc)}[/red]", soft_wrap=True)
        return 1
    console.print(f"Kibana {args.url}: imported {answer.get('successCount', 0)} of {len(objects)} objects")
    for error in answer.get("errors") or []:
        console.print(f"[red]{error.get('type')} {error.get('id')}: {error.get('error')}[/red]")
    return 0 if answer.get("success") else 1


def register_kibana(subparsers: Any) -> None:
    p = subparsers.add_parser("kibana", help="Kibana saved objects (data view, search, dashboard)")
    p.add_argument("action", choices=["import"])
    p.add_argument("--url", default=os.environ.get("KIBANA_URL", "http://127.0.0.1:5601"))
    p.add_argument("--space", help="Kibana space id (default space when omitted)")
    p.add_argument("--file", type=Path, help="one NDJSON file (default: every schemas/kibana/*.ndjson)")
    p.set_defaults(fn=cmd_kibana_import)


# -- reindex --------------------------------------------------------------------------------
def cmd_reindex(args: argparse.Namespace) -> int:
    from rich.console import Console

    from nashra.core.config import settings
    from nashra.stages.index import es_client

    cfg = settings()
    es = es_client(cfg)
    rows = None
    if args.source == "lake":
        from nashra.core.lake import open_lake

        rows = reindex.rows_from_lake(open_lake())
    result = reindex.reindex(es, cfg.index_prefix, rows=rows, delete_old=args.delete_old)
    Console().print(
        f"{cfg.index_prefix}: {', '.join(result.old_indices) or '(none)'} -> {result.new_index}; "
        f"{result.copied} copied, {result.caught_up} caught up"
        + (f", deleted {', '.join(result.deleted)}" if result.deleted else ", old versions kept")
    )
    return 0


def register_reindex(subparsers: Any) -> None:
    p = subparsers.add_parser("reindex", help="build the next index version and switch the aliases to it")
    p.add_argument("--from", dest="source", choices=["index", "lake"], default="index")
    p.add_argument("--delete-old", action="store_true", help="delete the previous version after the switch")
    p.set_defaults(fn=cmd_reindex)


# -- report --------------------------------------------------------------------------------
def cmd_report(args: argparse.Namespace) -> int:
    from nashra.core.config import settings
    from nashra.core.lake import open_lake

    cfg = settings()
    lake = open_lake(cfg.lake_uri, cfg)
    try:
        path = report.write_report(lake, Path(args.out), cfg.max_failure_rate)
    except report.EmptyLakeError as exc:  # services stopped or the wrong lake: keep the last page
        print(f"nashra report: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} from the lake {lake.uri}")
    return 0


def register_report(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="per-outlet health report (static HTML with charts)")
    p.add_argument("--out", default="var/report/health.html", help="where to write the HTML page")
    p.set_defaults(fn=cmd_report)


# -- replay --------------------------------------------------------------------------------
def register_replay(sub: Any) -> None:
    p = sub.add_parser("replay", help="re-process (and re-index) raw batches of a date range, no re-crawl")
    p.add_argument("outlets", nargs="*", help="outlet ids (default: every enabled outlet)")
    p.add_argument("--since", type=date.fromisoformat, required=True, help="first crawl day, YYYY-MM-DD")
    p.add_argument("--until", type=date.fromisoformat, required=True, help="last crawl day, YYYY-MM-DD")
    p.add_argument("--no-index", action="store_true", help="only rewrite the lake")
    add_output_flags(p, "the replay per outlet")
    p.set_defaults(fn=cmd_replay)


def cmd_replay(args: argparse.Namespace) -> int:
    if args.until < args.since:
        raise SystemExit("--until is before --since")
    results = for_each(
        outlet_ids(args),
        "replay",
        lambda o: replay.replay_outlet(o, args.since, args.until, reindex=not args.no_index).__dict__,
    )
    if results and all(not error and not value["batches"] for _, value, error in results):
        say(f"nothing to do: no raw batches crawled {args.since} .. {args.until} for {len(results)} outlets")
    return report_table(results, f"replay {args.since} .. {args.until}", args)


# -- lake maintain / migrate ---------------------------------------------------------------
def cmd_lake_maintain(args: argparse.Namespace) -> int:
    from rich.table import Table

    from nashra.cli.common import console, progress_bar
    from nashra.core.config import settings
    from nashra.core.lake import open_lake
    from nashra.core.tables import SPECS
    from nashra.ops.maintenance import maintain_table
    from nashra.stages.tasks import observed

    names = args.tables or list(SPECS)
    unknown = sorted(set(names) - set(SPECS))
    if unknown:
        raise UsageError(f"unknown table(s) {', '.join(unknown)}: one of {', '.join(SPECS)}")
    lake = open_lake(settings().lake_uri)
    reports = []
    with observed("*", "maintain", None) as metrics, progress_bar() as progress:
        task = progress.add_task("maintain", total=len(names))
        for name in names:
            progress.update(task, description=f"maintain {name}")
            reports.append(maintain_table(lake, name, full=not args.light))
            progress.advance(task)
        from nashra.ops.maintenance import as_details

        metrics.details = as_details(reports)
    table = Table(title=f"maintenance of {lake.uri}")
    for column in ("table", "version", "files before", "files after", "rewritten", "vacuumed", "seconds"):
        table.add_column(column)
    for r in reports:
        if r.skipped:
            table.add_row(r.table, "-", "-", "-", "-", "-", r.skipped)
            continue
        table.add_row(
            r.table,
            f"{r.version_before} -> {r.version_after}",
            str(r.files_before),
            str(r.files_after),
            str(r.files_rewritten),
            str(r.files_vacuumed),
            f"{r.seconds:.2f}",
        )
    console.print(table)
    done = [r for r in reports if not r.skipped]
    console.print(f"{len(done)} tables maintained, {len(reports) - len(done)} not created yet")
    return 0


def cmd_lake_migrate(args: argparse.Namespace) -> int:
    from rich.table import Table

    from nashra.cli.common import console
    from nashra.core.config import settings
    from nashra.core.lake import ensure_bucket, open_lake
    from nashra.ops.migrate import migrate

    cfg = settings()
    source = open_lake(cfg.lake_uri, cfg)
    target = None
    if args.to:
        ensure_bucket(args.to, cfg)
        target = open_lake(args.to, cfg)
    with console.status(f"migrating {source.uri} ..."):
        report = migrate(source, target)
    table = Table(title=f"{report.source} -> {report.target}")
    for column in ("table", "legacy files", "legacy rows", "delta rows", "state"):
        table.add_column(column)
    for t in report.tables:
        table.add_row(t.table, str(t.legacy_files), str(t.legacy_rows), str(t.delta_rows), t.state)
    console.print(table)
    moved = sum(t.delta_rows for t in report.tables if t.state == "migrated")
    console.print(
        f"{moved} rows migrated, row counts equal per table"
        + (f"; {report.objects_copied} objects of the raw archive and the ledger copied" if args.to else "")
        + (f"; {report.manifests_moved} manifests moved to dated folders" if report.manifests_moved else "")
    )
    return 0
