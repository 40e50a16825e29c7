"""The ledger: where each thing lives in the lake, and what each stage has done per batch.

The one owner of lake paths and batch state. Every path is built here and every "what is pending /
done for stage S" question is answered here; no other module spells `raw/`, `_manifests/`,
`signatures/`, `_metrics/` or `_gx/` (tests/unit/test_layout.py checks it).

    raw/outlet=<id>/date=<fetch day>/<batch>.<family>.warc.gz         raw archive (WARC, replayable)
    raw_index/ (Delta, partition outlet_id)                            URLs fetched (incremental crawls)
    articles/, quarantine/, url_duplicates/                           Delta tables (partition outlet_id)
    signatures/ (partition month), dedup_keys/, _metrics/            Delta tables (nashra.core.tables)
    _manifests/<stage>/outlet=<id>/<batch>.json                       written last: "stage done"
    _claims/<stage>/outlet=<id>/<batch>.json                          "a worker is on it" (a lease)
    _gx/outlet=<id>/<batch>.json, _gx/outlet=<id>/<batch>/            GX results and their HTML page
    _backfill/<listing month>/<WARC file name>.json                   how far a backfill got in a file

Date prefixes spread the raw archive's keys over S3 prefixes (rate limits apply per prefix). File
names carry the batch id, so a re-run overwrites its own files; in the Delta tables a re-run
replaces its batch's rows in one commit. Lakes written before the tables moved to Delta keep
`<table>/outlet=<id>/date=<day>/part-<batch>.parquet` files: `nashra lake migrate` converts them.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nashra.core.local_services import pid_alive

if TYPE_CHECKING:  # the DAG files import the ledger's names; pyarrow stays out of parse time
    from nashra.core.lake import Lake

BATCH_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
# How long a claim holds without its worker finishing: longer than any batch takes, short enough
# that a batch whose worker died is picked up by the next scheduled run.
CLAIM_LEASE_S = int(os.environ.get("NASHRA_CLAIM_LEASE_S", "900"))
STAGES = ("process", "index")  # stages that write a manifest per batch

# An object key of the raw archive, as an S3 event notification names it.
RAW_KEY = re.compile(
    r"(?:^|/)raw/outlet=(?P<outlet>[a-z][a-z0-9_]*)/date=\d{4}-\d{2}-\d{2}/(?P<batch>[^/.]+)\.[a-z_]+\.warc\.gz$"
)


# -- batch ids ---------------------------------------------------------------------------------
def new_batch_id(outlet_id: str, when: datetime) -> str:
    """`<outlet>-<UTC time>`: readable, sortable, and deterministic for an Airflow run's logical date."""
    return f"{outlet_id}-{when.astimezone(UTC).strftime(BATCH_TIME_FORMAT)}"


def batch_time(batch_id: str) -> datetime:
    return datetime.strptime(batch_id.rsplit("-", 1)[1], BATCH_TIME_FORMAT).replace(tzinfo=UTC)


def batch_day(batch_id: str) -> str:
    return batch_time(batch_id).strftime("%Y-%m-%d")


# -- paths -------------------------------------------------------------------------------------
def raw_warc_path(outlet_id: str, day: str, batch_id: str, family: str) -> str:
    return f"raw/outlet={outlet_id}/date={day}/{batch_id}.{family}.warc.gz"


# Where each Delta table lives (nashra.core.tables). Metrics keep an underscore:
# they describe runs, not news.
TABLE_DIRS = {
    "articles": "articles",
    "quarantine": "quarantine",
    "url_duplicates": "url_duplicates",
    "signatures": "signatures",
    "dedup_keys": "dedup_keys",
    "metrics": "_metrics",
    "fetched": "raw_index",  # part of the raw archive: what the next crawl may skip
}


def table_dir(name: str) -> str:
    return TABLE_DIRS[name]


# -- where lineage says the data is -----------------------------------------------------------------
def raw_location(outlet_id: str | None = None) -> str:
    """The raw archive (of one outlet): what a crawl writes and an S3 notification watches."""
    return f"raw/outlet={outlet_id}" if outlet_id else "raw"


def articles_location(outlet_id: str) -> str:
    """One outlet's partition of the articles table: what the process stage writes."""
    return f"{TABLE_DIRS['articles']}/outlet_id={outlet_id}"


def storage_uri(lake_uri: str, rel: str) -> str:
    """The absolute URI of a lake path, as lineage tools name datasets: `s3://bucket/prefix/rel`,
    or `file:///abs/path/rel` for a local lake (spelled out: as_uri() would escape the `=`)."""
    if lake_uri.startswith("s3://"):
        return f"{lake_uri.rstrip('/')}/{rel}"
    path = Path(lake_uri.removeprefix("file://")).expanduser().absolute()
    return f"file://{path.as_posix().rstrip('/')}/{rel}"


def legacy_table_path(table: str, outlet_id: str, day: str, batch_id: str, family: str | None = None) -> str:
    """A table file of the layout before Delta (what `nashra lake migrate` reads)."""
    name = f"{batch_id}.{family}.parquet" if table == "fetched" else f"part-{batch_id}.parquet"
    return f"{TABLE_DIRS[table]}/outlet={outlet_id}/date={day}/{name}"


def legacy_table_files(lake: Lake, table: str) -> list[str]:
    """The pre-Delta Parquet files of a table (none once migrated)."""
    return [f for f in lake.list(TABLE_DIRS[table], ".parquet") if _legacy(f)]


def _legacy(rel: str) -> bool:
    # Delta's data files are part-<n>-<uuid>-c000.<codec>.parquet under key=value folders of its
    # own partition columns; the old layout put the batch id in the name: part-<batch>.parquet.
    return "/outlet=" in rel


def manifest_path(stage: str, outlet_id: str, batch_id: str) -> str:
    return f"{_manifest_dir(stage, outlet_id, batch_day(batch_id))}/{batch_id}.json"


def _manifest_dir(stage: str, outlet_id: str, day: str) -> str:
    return f"_manifests/{stage}/outlet={outlet_id}/date={day}"


def legacy_manifests(lake: Lake) -> Iterator[tuple[str, tuple[str, str, str]]]:
    """(rel, (stage, outlet, batch)) of each manifest in the layout before dated folders."""
    for rel in lake.list("_manifests", ".json"):
        match = re.fullmatch(r"_manifests/(\w+)/outlet=([a-z][a-z0-9_]*)/([^/]+)\.json", rel)
        if match:
            yield rel, (match[1], match[2], match[3])


# What is not a table: it moves as bytes when a lake moves to a new URI (`nashra lake migrate --to`).
OBJECT_PREFIXES = ("raw", "raw_index", "_manifests", "_claims", "_gx", "_backfill")


def backfill_state_path(month: str, file_name: str) -> str:
    """Where a backfill records how far it got in one source WARC file (nashra.ops.backfill)."""
    return f"_backfill/{month}/{file_name}.json"


def gx_result_path(outlet_id: str, batch_id: str) -> str:
    return f"_gx/outlet={outlet_id}/{batch_id}.json"


def gx_docs_dir(outlet_id: str, batch_id: str) -> str:
    return f"_gx/outlet={outlet_id}/{batch_id}"


def gx_page_path(outlet_id: str, batch_id: str) -> str:
    """The batch's readable GX page (nashra.stages.gx_docs writes it)."""
    return f"{gx_docs_dir(outlet_id, batch_id)}/index.html"


def gx_pages(lake: Lake, outlet_id: str) -> dict[str, str]:
    """batch id -> its GX page, for every batch of the outlet that has one (one listing)."""
    base = f"_gx/outlet={outlet_id}"
    pages = {}
    for rel in lake.list(base, "index.html"):
        batch_id, _, name = rel[len(base) + 1 :].partition("/")
        if name == "index.html":
            pages[batch_id] = rel
    return pages


# The lake's tables as readers query them: the run metrics are one of them.
READABLE_TABLES = ("articles", "quarantine", "url_duplicates", "metrics")


def raw_key_batch(key: str) -> tuple[str, str] | None:
    """(outlet id, batch id) of a raw archive object key, None for any other key."""
    match = RAW_KEY.search(key)
    return (match["outlet"], match["batch"]) if match else None


def _batch_of_file(rel: str) -> str:
    # <batch>.<family>.warc.gz, <batch>.<family>.parquet, <batch>.json
    return rel.rsplit("/", 1)[1].split(".", 1)[0]


# -- time windows -------------------------------------------------------------------------------
# What is pending is looked for among the batches of a window of days, so the cost of the question
# follows the open batches, not the lake's history: each day is one listing of the raw archive and
# one of each stage's manifests (dated folders), and no manifest is read unless its listing leaves
# a doubt. A batch that fell out of the window unprocessed (an outage longer than LOOKBACK) is
# picked up by the daily reconciliation of nashra_maintenance, which asks over all history.
LOOKBACK = timedelta(hours=int(os.environ.get("NASHRA_PENDING_LOOKBACK_HOURS", "48")))


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime

    def days(self) -> list[str]:
        day, last, out = self.since.date(), self.until.date(), []
        while day <= last:
            out.append(day.isoformat())
            day += timedelta(days=1)
        return out


def recent(anchor: datetime | None = None) -> Window:
    """LOOKBACK before `anchor` (an Airflow run's logical date; now by default) up to a day after."""
    anchor = (anchor or datetime.now(UTC)).astimezone(UTC)
    return Window(anchor - LOOKBACK, anchor + timedelta(days=1))


def windows_around(anchors: Iterable[datetime]) -> list[Window]:
    """The recent windows of these times (a run's date, the times of the batches its events
    name), one per distinct list of days, oldest first: windows over the same days list the same."""
    by_days = {tuple(w.days()): w for w in (recent(a) for a in anchors)}
    return [by_days[d] for d in sorted(by_days)]


def _listed(lake: Lake, base: str, window: Window | None, suffix: str) -> dict[str, tuple[int, float]]:
    """rel -> (size, mtime) under `base`/date=<day> for the window's days (every day if None)."""
    if window is None:
        return lake.stats(base, suffix)
    out: dict[str, tuple[int, float]] = {}
    for day in window.days():
        out.update(lake.stats(f"{base}/date={day}", suffix))
    return out


def _by_batch(listing: dict[str, tuple[int, float]]) -> dict[str, dict[str, tuple[int, float]]]:
    out: dict[str, dict[str, tuple[int, float]]] = {}
    for rel, stat in listing.items():
        out.setdefault(_batch_of_file(rel), {})[rel] = stat
    return out


# -- files of a batch ----------------------------------------------------------------------------
def raw_batches(lake: Lake, outlet_id: str, window: Window | None = None) -> dict[str, list[str]]:
    """batch_id -> its WARC files (one per discovery family), in the window (all if None)."""
    listing = _by_batch(_listed(lake, f"raw/outlet={outlet_id}", window, ".warc.gz"))
    return {batch: sorted(files) for batch, files in sorted(listing.items())}


def raw_sizes_by_batch(lake: Lake, outlet_id: str, window: Window | None = None) -> dict[str, dict[str, int]]:
    """batch_id -> its WARC files with their sizes: one listing for a whole run of the stage."""
    listing = _by_batch(_listed(lake, f"raw/outlet={outlet_id}", window, ".warc.gz"))
    return {batch: {rel: size for rel, (size, _) in files.items()} for batch, files in listing.items()}


def raw_fingerprint(lake: Lake, outlet_id: str, batch_id: str) -> dict[str, int]:
    """The batch's WARC files with their sizes (one listing of its day), as its manifest records them."""
    day = lake.sizes(f"raw/outlet={outlet_id}/date={batch_day(batch_id)}", ".warc.gz")
    return {rel: size for rel, size in day.items() if _batch_of_file(rel) == batch_id}


# -- stage state ---------------------------------------------------------------------------------
def write_manifest(lake: Lake, stage: str, outlet_id: str, batch_id: str, doc: dict[str, Any]) -> None:
    """Written last, after every file of the batch: the stage is done for this batch."""
    lake.write_json(manifest_path(stage, outlet_id, batch_id), doc)


def read_manifest(lake: Lake, stage: str, outlet_id: str, batch_id: str) -> dict[str, Any] | None:
    try:  # one request: no existence check first
        return lake.read_json(manifest_path(stage, outlet_id, batch_id))
    except FileNotFoundError:
        return None


def _manifest_times(lake: Lake, stage: str, outlet_id: str, window: Window | None) -> dict[str, float]:
    listing = _listed(lake, f"_manifests/{stage}/outlet={outlet_id}", window, ".json")
    return {_batch_of_file(rel): mtime for rel, (_, mtime) in listing.items()}


def done_batches(lake: Lake, stage: str, outlet_id: str, window: Window | None = None) -> list[str]:
    """Batches with a manifest of this stage, sorted (batch ids sort by time)."""
    return sorted(_manifest_times(lake, stage, outlet_id, window))


def manifests(lake: Lake, stage: str, outlet_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every manifest of a stage (of one outlet, or of all), in batch order per outlet."""
    prefix = f"_manifests/{stage}" + (f"/outlet={outlet_id}" if outlet_id else "")
    for rel in lake.list(prefix, ".json"):
        yield lake.read_json(rel)


def pending_batches(lake: Lake, outlet_id: str, stage: str, window: Window | None = None) -> list[str]:
    """Batches of the window (all history if None) whose previous stage is done and this one is not.

    A raw batch whose WARC files changed since it was processed (a re-crawl of the same run) is
    pending again, so the lake never lags behind its own raw archive; a batch processed again
    after such a re-crawl is pending for the index too, so search drops the rows the lake replaced.
    The listings' modification times settle almost every batch; a manifest is read only when its
    input is not older than it (the same second on S3), to compare the recorded fingerprint.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: one of {STAGES}")
    if stage == "process":
        raw = _by_batch(_listed(lake, f"raw/outlet={outlet_id}", window, ".warc.gz"))
        done = _manifest_times(lake, "process", outlet_id, window)
        pending = []
        for batch_id, files in sorted(raw.items()):
            if batch_id not in done:  # the listing says there is no manifest: nothing to read
                pending.append(batch_id)
                continue
            if max(mtime for _, mtime in files.values()) < done[batch_id]:
                continue
            sizes = {rel: size for rel, (size, _) in files.items()}
            if is_pending(lake, outlet_id, "process", batch_id, raw=sizes):
                pending.append(batch_id)
        return pending
    processed = _manifest_times(lake, "process", outlet_id, window)
    indexed = _manifest_times(lake, stage, outlet_id, window)
    return [
        batch_id
        for batch_id, mtime in sorted(processed.items())
        if batch_id not in indexed
        or (mtime >= indexed[batch_id] and is_pending(lake, outlet_id, stage, batch_id))
    ]


def is_pending(
    lake: Lake, outlet_id: str, stage: str, batch_id: str, *, raw: dict[str, int] | None = None
) -> bool:
    """One batch's answer of `pending_batches` (checked again once a worker holds its claim).
    `raw` is the batch's fingerprint when the caller listed it already (no second listing)."""
    if stage == "process" and raw is None:
        raw = raw_fingerprint(lake, outlet_id, batch_id)
    done = read_manifest(lake, stage, outlet_id, batch_id)
    if stage == "process":
        return bool(raw) and (done is None or done.get("raw", raw) != raw)
    processed = read_manifest(lake, "process", outlet_id, batch_id)
    if processed is None:
        return False
    return done is None or done.get("raw", processed.get("raw")) != processed.get("raw")


# -- claims: one worker per batch and stage ------------------------------------------------------
# Two orchestrators (the per-outlet asset chain and inbox/sweep), or a retry racing a slow try,
# may pick the same pending batch. Before working on one, a worker claims it with a conditional
# write (create-if-absent); a second claimant skips the batch. A claim is a lease: when it expires,
# or its worker is visibly gone (same host, dead pid), or the claimant is a retry of the same
# Airflow run, it is taken over with a compare-and-swap, so one taker wins. A released claim stays
# as a tombstone: a claim created fresh tells the worker that no one ever worked on the batch, so
# its table commits can be plain appends (no batch rows to replace, no scan of older files).


def claim_path(stage: str, outlet_id: str, batch_id: str) -> str:
    return f"_claims/{stage}/outlet={outlet_id}/{batch_id}.json"


@dataclass(frozen=True)
class Claim:
    stage: str
    outlet_id: str
    batch_id: str
    owner: dict[str, Any]
    first: bool = False  # no worker ever claimed this batch and stage before


def worker(run_id: str | None = None) -> dict[str, Any]:
    """Who is claiming: the Airflow run (a retry of it is the same worker), host and process."""
    return {"run": run_id, "host": socket.gethostname(), "pid": os.getpid()}


def _may_take_over(held: dict[str, Any], me: dict[str, Any], now: datetime) -> bool:
    if held.get("released"):
        return True
    try:
        if datetime.fromisoformat(str(held["lease_until"])) <= now:
            return True
    except (KeyError, ValueError):
        return True  # not a claim we can read: treat as lapsed
    if held.get("host") == me["host"] and isinstance(held.get("pid"), int) and held["pid"] != me["pid"]:
        return not pid_alive(held["pid"])
    return bool(me.get("run")) and held.get("run") == me["run"] and not str(me["run"]).startswith("cli-")


def claim(
    lake: Lake,
    stage: str,
    outlet_id: str,
    batch_id: str,
    *,
    run_id: str | None = None,
    lease_s: int | None = None,
    now: datetime | None = None,
) -> Claim | None:
    """Claim the batch for this worker, or None when another worker holds a live claim."""
    now = now or datetime.now(UTC)
    me = worker(run_id)
    doc = {**me, "lease_until": (now + timedelta(seconds=lease_s or CLAIM_LEASE_S)).isoformat()}
    data = json.dumps(doc).encode()
    rel = claim_path(stage, outlet_id, batch_id)
    for _ in range(3):  # a claim released or replaced between our two requests: look again
        if lake.create_exclusive(rel, data):
            return Claim(stage, outlet_id, batch_id, me, first=True)
        current = lake.read_versioned(rel)
        if current is None:
            continue
        held, version = current
        try:
            holder = json.loads(held)
        except ValueError:
            holder = {}
        if not _may_take_over(holder, me, now):
            return None
        if lake.replace_if(rel, data, version):
            return Claim(stage, outlet_id, batch_id, me)
    return None


def release(lake: Lake, held: Claim) -> None:
    """Give the claim up after the stage's manifest is written (or the work failed): it stays as a
    released tombstone, so the next worker on the batch knows to replace, not append."""
    rel = claim_path(held.stage, held.outlet_id, held.batch_id)
    current = lake.read_versioned(rel)
    if current is None:
        return
    try:
        owner = json.loads(current[0])
    except ValueError:
        owner = {}
    if {k: owner.get(k) for k in ("run", "host", "pid")} == held.owner:
        released = {**held.owner, "released": True, "lease_until": datetime.now(UTC).isoformat()}
        # Compare-and-swap: a taker that slipped in keeps its claim.
        lake.replace_if(rel, json.dumps(released).encode(), current[1])


def is_held(lake: Lake, stage: str, outlet_id: str, batch_id: str) -> bool:
    """A live (unreleased) claim exists on the batch."""
    current = lake.read_versioned(claim_path(stage, outlet_id, batch_id))
    if current is None:
        return False
    try:
        return not json.loads(current[0]).get("released")
    except ValueError:
        return True
