"""Backfill and replay: re-process raw batches of a date range from the archive (no re-crawl, so
today's extraction rules apply to old pages), then re-index them. Both steps overwrite what the
same batches wrote before, so a replay can be run again and again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from nashra.core.ledger import batch_day


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
    from nashra.core.config import settings
    from nashra.core.lake import open_lake
    from nashra.core.ledger import Window, raw_batches
    from nashra.core.registry import load_registry
    from nashra.stages.index import ensure_index, es_client, index_batch
    from nashra.stages.process import BatchQualityError, process_batch

    cfg = settings()
    lake = open_lake(cfg.lake_uri, cfg)
    outlet = load_registry().get(outlet_id)
    report = ReplayReport(outlet_id)
    days = Window(datetime.combine(since, time(), UTC), datetime.combine(until, time(), UTC))
    report.batches = batches_in_range(list(raw_batches(lake, outlet_id, days)), since, until)
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
