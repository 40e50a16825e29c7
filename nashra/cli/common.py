"""What every command shares: the outlet selection, the progress bar, the closing table."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from nashra.core.config import settings

# Piped or redirected (`| less`, `> file`), rich would wrap at 80 columns: tables cut, URLs split
# mid-word. Off a terminal, lines run as long as their content.
_TTY = sys.stdout.isatty()
console = Console(width=None if _TTY else 1000, soft_wrap=not _TTY)
# Progress goes to stderr, as tqdm's does: stdout carries only the result (a table, JSON or TSV),
# so `nashra process --json > out.json` is valid JSON while the bar still shows.
progress_console = Console(stderr=True)


def say(line: str) -> None:
    """A notice on stderr, unwrapped: a lake URI split over two lines cannot be copied."""
    progress_console.print(line, soft_wrap=True, markup=False, highlight=False)


class UsageError(ValueError):
    """A command's arguments do not make sense together: one line, exit 2."""


class NothingToDo(Exception):
    """The command has nothing to work on: one line saying why, exit 0."""


def outlet_ids(args: argparse.Namespace) -> list[str]:
    from nashra.core.registry import load_registry

    registry = load_registry()
    if args.outlets:
        return [registry.get(o).id for o in args.outlets]
    ids = [o.id for o in registry.enabled()]
    if not ids:
        raise NothingToDo(f"the registry {registry.path} has no enabled outlet")
    return ids


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=progress_console,
        transient=False,
    )


def for_each(ids: list[str], label: str, fn: Any) -> list[tuple[str, Any, str | None]]:
    results = []
    with progress_bar() as progress:
        task = progress.add_task(label, total=len(ids))
        for outlet_id in ids:
            progress.update(task, description=f"{label} {outlet_id}")
            try:
                results.append((outlet_id, fn(outlet_id), None))
            except Exception as exc:  # noqa: BLE001 - reported in the summary; exit code says it
                results.append((outlet_id, None, f"{type(exc).__name__}: {exc}"))
            progress.advance(task)
    return results


def add_output_flags(p: argparse.ArgumentParser, what: str) -> None:
    """--json / --tsv for a listing command: machine-readable rows on stdout, nothing else."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help=f"{what} as a JSON array of objects")
    group.add_argument("--tsv", action="store_true", help=f"{what} as tab-separated values with a header")


def emit_rows(args: argparse.Namespace, columns: list[str], rows: list[list[Any]]) -> bool:
    """Print the rows as JSON or TSV when asked (returns True), else leave it to the table."""
    if getattr(args, "json", False):
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1, default=str) + "\n")
        return True
    if getattr(args, "tsv", False):
        sys.stdout.write("\t".join(columns) + "\n")
        for row in rows:
            sys.stdout.write("\t".join(_tsv_cell(v) for v in row) + "\n")
        return True
    return False


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    # A tab or a line break inside a value would shift every column after it.
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def report_table(
    results: list[tuple[str, Any, str | None]], title: str, args: argparse.Namespace | None = None
) -> int:
    failed = [r for r in results if r[2]]
    rows = [[outlet_id, value, error] for outlet_id, value, error in results]
    if args is not None and emit_rows(args, ["outlet", "result", "error"], rows):
        return 1 if failed else 0
    table = Table(title=title)
    table.add_column("outlet")
    table.add_column("result")
    for outlet_id, value, error in results:
        table.add_row(outlet_id, f"[red]{error}[/red]" if error else json.dumps(value, default=str)[:120])
    console.print(table)
    console.print(f"{len(results) - len(failed)} outlets ok, {len(failed)} failed")
    return 1 if failed else 0


def run_with_progress(ids: list[str], run_time: datetime, max_articles: int) -> Any:
    from nashra.stages.pipeline import run_pipeline

    with progress_bar() as progress:
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
    from nashra.core.lake import open_lake

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
    from nashra.stages.index import es_client

    try:
        es = es_client()
        return int(es.count(index=settings().index_prefix)["count"])
    except Exception as exc:  # noqa: BLE001 - a summary line, not a failure
        return f"unavailable ({type(exc).__name__})"


def print_summary(summary: Any) -> None:
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
    console.print(f"Delta lake: {cfg.lake_uri}/articles  (a Delta table: read it through its log)")
    console.print(f"Elasticsearch: {cfg.es_url}  index alias {cfg.index_prefix}")
    for failed in summary.failed:
        console.print(f"[red]outlet {failed.outlet_id} failed:[/red] {failed.error}")
