"""`nashra backfill`: raw batches from Common Crawl's news archive, file by file, resumable."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nashra.cli.common import UsageError, add_output_flags, console, emit_rows, progress_console
from nashra.core.cc_news import DEFAULT_SOURCE, CcNewsError, file_name, parse_month

if TYPE_CHECKING:  # the ops module reads pyarrow and the lake: imported when the command runs
    from nashra.ops.backfill import FileReport

COLUMNS = ["file", "status", "read", "kept", "skipped", "mb_read", "resumes", "seconds", "error"]


def register_backfill(sub: Any) -> None:
    p = sub.add_parser("backfill", help="raw batches of the outlets' pages in Common Crawl's CC-NEWS archive")
    p.add_argument("outlets", nargs="*", help="outlet ids (default: every enabled outlet)")
    p.add_argument("--since", help="first month of CC-NEWS to read, YYYY-MM")
    p.add_argument("--until", help="last month, YYYY-MM (default: --since)")
    p.add_argument(
        "--source", default=DEFAULT_SOURCE, help=f"base URI of the archive (default {DEFAULT_SOURCE})"
    )
    p.add_argument("--warc", nargs="+", default=[], metavar="PATH_OR_URI", help="read these WARC files")
    p.add_argument("--process", action="store_true", help="then run the process stage on the batches written")
    add_output_flags(p, "the files read")
    p.set_defaults(fn=cmd_backfill)


def cmd_backfill(args: argparse.Namespace) -> int:
    from nashra.ops import backfill

    uris = _files(args)
    outlets = _outlets(args.outlets)
    rows: list[list[Any]] = []
    reports: list[FileReport] = []
    with _progress() as progress:
        for number, uri in enumerate(uris, start=1):
            label = f"{number}/{len(uris)} {file_name(uri)}"
            task = progress.add_task(label, total=None, records=0, kept=0)

            def advance(state: Any, offset: int, task: Any = task) -> None:
                progress.update(
                    task,
                    completed=offset,
                    total=state.size,
                    records=state.counts.read,
                    kept=sum(state.counts.kept.values()),
                )

            try:
                report = backfill.backfill_observed(uri, outlets=outlets, on_progress=advance)
            except backfill.BackfillError as exc:
                rows.append([file_name(uri), "failed", 0, {}, {}, 0.0, 0, 0.0, str(exc)])
            else:
                reports.append(report)
                rows.append(_row(report))
            progress.remove_task(task)
    if args.process and reports:
        _process(reports)
    if not emit_rows(args, COLUMNS, rows):
        _table(rows)
    return 1 if any(row[1] == "failed" for row in rows) else 0


def _files(args: argparse.Namespace) -> list[str]:
    from nashra.ops import backfill

    if not args.since and not args.warc:
        raise UsageError("say what to read: --since YYYY-MM [--until YYYY-MM] or --warc PATH_OR_URI ...")
    if args.until and not args.since:
        raise UsageError("--until needs --since")
    uris = list(args.warc)
    if args.since:
        try:
            since = parse_month(args.since)
            until = parse_month(args.until) if args.until else since
            uris += backfill.listed_uris(args.source, since, until)
        except (CcNewsError, backfill.BackfillError) as exc:
            raise UsageError(str(exc)) from None
    return uris


def _outlets(ids: list[str]) -> list[str] | None:
    from nashra.core.registry import load_registry

    registry = load_registry()
    return [registry.get(o).id for o in ids] if ids else None


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[records]} records, {task.fields[kept]} kept"),
        TimeElapsedColumn(),
        console=progress_console,
    )


def _row(report: FileReport) -> list[Any]:
    mb = round(report.bytes_read / 1e6, 2)
    return [
        report.name,
        report.status,
        report.read,
        report.kept,
        report.skipped,
        mb,
        report.resumes,
        report.seconds,
        None,
    ]


def _table(rows: list[list[Any]]) -> None:
    table = Table(title="backfill from CC-NEWS")
    for column in ("file", "status", "records", "kept", "skipped", "MB read", "resumes", "s"):
        table.add_column(column)
    for name, status, read, kept, skipped, mb, resumes, seconds, error in rows:
        if error:
            table.add_row(name, "[red]failed[/red]", "", f"[red]{error}[/red]", "", "", "", "")
            continue
        table.add_row(
            name,
            status,
            str(read),
            _counts(kept),
            _counts(skipped),
            f"{mb:.2f}",
            str(resumes),
            f"{seconds:.2f}",
        )
    console.print(table)
    kept = sum(sum(r[3].values()) for r in rows)
    failed = sum(1 for r in rows if r[1] == "failed")
    console.print(f"{len(rows)} files, {kept} pages kept, {failed} failed")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) or "-"


def _process(reports: list[FileReport]) -> None:
    from nashra.ops import backfill

    with progress_console.status("processing the backfilled batches ..."):
        results = backfill.process_backfilled(reports)
    for outlet_id, batches in results.items():
        stored = sum(b["stored"] for b in batches)
        quarantined = sum(b["quarantined"] for b in batches)
        progress_console.print(
            f"processed {outlet_id}: {len(batches)} batches, {stored} stored, {quarantined} quarantined"
        )
