"""Backfill and replay: re-process raw batches of a date range from the archive (no re-crawl, so
today's extraction rules apply to old pages), then re-index them. Both steps overwrite what the
same batches wrote before, so a replay can be run again and again."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nashra.layout import batch_day


@dataclass
class ReplayReport:
    outlet_id: str
    batches: list[str] = field(default_factory=list)
    stored: int = 0
    quarantined: int = 0
    indexed: int = 0


def batches_in_range(batch_ids: list[str], since: date, until: date) -> list[str]:
    """Batches whose crawl day is within [since, until] (UTC days, inclusive)."""
    return sorted(b for b in batch_ids if since <= date.fromisoformat(batch_day(b)) <= until)


def replay_outlet(outlet_id: str, since: date, until: date, *, reindex: bool = True) -> ReplayReport:
    from nashra.config import settings
    from nashra.index import ensure_index, es_client, index_batch
    from nashra.lake import open_lake
    from nashra.process import BatchQualityError, process_batch, raw_batches
    from spiders.registry import load_registry

    cfg = settings()
    lake = open_lake(cfg.lake_uri, cfg)
    outlet = load_registry().get(outlet_id)
    report = ReplayReport(outlet_id)
    report.batches = batches_in_range(list(raw_batches(lake, outlet_id)), since, until)
    es = es_client(cfg) if reindex and report.batches else None
    if es is not None:
        ensure_index(es, cfg.index_prefix)
    for batch_id in report.batches:
        try:
            result = process_batch(lake, outlet, batch_id, max_failure_rate=cfg.max_failure_rate)
        except BatchQualityError:
            # The rows were written before the gate fired; a replay still re-indexes them, and the
            # gate's verdict is in the batch manifest.
            result = None
        if result is not None:
            report.stored += result.stored
            report.quarantined += result.quarantined
        if es is not None:
            report.indexed += index_batch(lake, es, outlet_id, batch_id, cfg.index_prefix).indexed
    return report


def register(sub: Any) -> None:
    p = sub.add_parser("replay", help="re-process (and re-index) raw batches of a date range, no re-crawl")
    p.add_argument("outlets", nargs="*", help="outlet ids (default: every enabled outlet)")
    p.add_argument("--since", type=date.fromisoformat, required=True, help="first crawl day, YYYY-MM-DD")
    p.add_argument("--until", type=date.fromisoformat, required=True, help="last crawl day, YYYY-MM-DD")
    p.add_argument("--no-index", action="store_true", help="only rewrite the lake")
    p.set_defaults(fn=_cmd)


def _cmd(args: argparse.Namespace) -> int:
    from nashra.cli import _for_each, _outlet_ids, _report

    if args.until < args.since:
        raise SystemExit("--until is before --since")
    results = _for_each(
        _outlet_ids(args),
        "replay",
        lambda o: replay_outlet(o, args.since, args.until, reindex=not args.no_index).__dict__,
    )
    return _report(results, f"replay {args.since} .. {args.until}")
