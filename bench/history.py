"""History: one batch processed and indexed on an empty lake and on a lake holding a simulated year.

Both lakes are on SeaweedFS, reached through a counting proxy (devkit.s3_proxy), so the S3
requests of every client (boto3, pyarrow, delta-rs) are counted alike. The year is generated
directly in the lake's format (nothing is crawled), then maintained as the nashra_maintenance DAG
would, then given a tail of small per-batch commits (what arrives between two maintenance runs):

- articles, quarantine, metrics: `rows` article rows over `batches` batches of 37 outlets, hourly,
  ending at the measured batch; bodies are short (~60 words) to keep the generation quick;
- dedup_keys: an id key per article and a hash key per canonical one, as the process stage writes;
- signatures: one row per article, by month; for the months a batch's story window can read (the
  current and the previous one) random MinHash bytes and real story keys (the dedup evaluation's
  articles', ~66 keys each, renamed per story of 5 articles), zeros and one key for the others;
- the raw archive and the manifests of the measured outlet for the days of the pending window
  (older days are never listed: tests/integration/test_pending_window.py counts it).

The measured batch is real pages (the extraction eval's), the same in both lakes, in rounds with
fresh URLs and a per-round sentence (new content, so every round stores new articles).
"""

from __future__ import annotations

import hashlib
import io
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from bench.util import environ as _env
from nashra.core.lake import Lake
from nashra.core.ledger import batch_day, manifest_path, new_batch_id, raw_warc_path, recent
from nashra.core.model import RawPage
from nashra.core.tables import append, commit_batch
from nashra.core.warc import write_pages
from nashra.stages.dedup_keys import keys_of_articles
from nashra.stages.dedup_state import SCHEMA as SIGNATURES_SCHEMA
from transforms.neardup import SIGNATURE_BYTES

OUTLETS = 37
STORY_SIZE = 5  # articles per generated story
CHUNK_ROWS = 250_000
_PROSE = (
    "الحكومة المغربية أعلنت اليوم عن برنامج جديد للتحول الرقمي Le gouvernement a présenté un plan "
    "numérique pour les administrations The ministry said the programme would train engineers"
)
_WORDS = _PROSE.split()


def _md5(values: np.ndarray, prefix: str) -> pa.Array:
    # md5 hex like the pipeline's ids, so the keys spread as real ones do (not a security use)
    return pa.array([hashlib.md5(f"{prefix}{v}".encode()).hexdigest() for v in values.tolist()])  # noqa: S324


def _article_chunk(start: int, stop: int, rows_per_batch: int, end: datetime, hours: int) -> pa.Table:
    """Article rows [start, stop) of the year, in the articles table's schema."""
    rng = np.random.default_rng(start)
    i = np.arange(start, stop)
    batch = i // rows_per_batch
    outlet = batch % OUTLETS
    hour = batch // OUTLETS
    first = np.datetime64((end - timedelta(hours=hours)).astimezone(UTC).replace(tzinfo=None), "us")
    fetched = first + (hour * 3600 * 10**6).astype("timedelta64[us]")
    outlet_ids = pa.array([f"outlet_{o:02d}" for o in range(OUTLETS)]).take(pa.array(outlet))
    times = [
        datetime.fromtimestamp(int(t) / 1e6, UTC).strftime("%Y%m%dT%H%M%SZ") for t in fetched.astype("int64")
    ]
    batch_ids = pa.array([f"{o}-{t}" for o, t in zip(outlet_ids.to_pylist(), times, strict=True)])
    ids = _md5(i, "a")
    canonical = rng.random(len(i)) < 0.9
    n = len(i)
    when = pa.array(fetched, type=pa.timestamp("us", tz="UTC"))
    columns: dict[str, Any] = {
        "article_id": ids,
        "canonical_url": pa.array([f"https://example.test/{a}" for a in ids.to_pylist()]),
        "outlet_id": outlet_ids,
        "country": pa.array(["MA"] * n),
        "language": pa.array(["fr"] * n),
        "title": pa.array([f"Titre {v}" for v in i.tolist()]),
        "body": pa.array([" ".join(_WORDS[(v % 7) :] * 3) for v in i.tolist()]),
        "published_at": when,
        "fetched_at": when,
        "content_hash": _md5(i, "c"),
        "word_count": pa.array(np.full(n, 60, dtype="int32")),
        "batch_id": batch_ids,
        "page_id": _md5(i, "p"),
        "discovery": pa.array(["feed"] * n),
        "dedup_status": pa.array(np.where(canonical, "canonical", "duplicate")),
    }
    columns["url"] = columns["canonical_url"]
    columns["story_id"] = ids
    schema = schemas.parquet_schema("articles")
    return pa.table(
        [columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in schema], schema=schema
    )


@cache
def _key_pool() -> pa.ListArray:
    """The story keys of the dedup evaluation's real articles (~66 keys, ~460 characters each)."""
    from tests.eval.dedup.score import load_set
    from transforms.story import story_keys

    keys = [sorted(story_keys(d.title, d.body, d.language)[1]) for d in load_set()]
    return pa.array(keys, type=pa.list_(pa.string()))


def _story_keys(rows: np.ndarray, live: np.ndarray) -> pa.ListArray:
    """Real key sets for the rows a story window can read, renamed per group of STORY_SIZE rows (so
    stories are as big as in the news, not the whole window); one short key for the other rows."""
    pool = _key_pool()
    sizes = np.where(live, pc.list_value_length(pool).to_numpy()[rows % len(pool)], 1)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    owner = np.repeat(rows, sizes)
    start = pool.offsets.to_numpy()[rows % len(pool)]
    within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], sizes)
    values = pc.list_flatten(pool).take(pa.array(np.repeat(start, sizes) + within))
    group = pc.cast(pa.array(owner // STORY_SIZE), pa.string())
    renamed = pc.binary_join_element_wise(values, group, "#")
    language = pc.starts_with(values, "~")  # the language marker names a language, not an event
    values = pc.if_else(language, values, renamed)
    values = pc.if_else(pa.array(np.repeat(live, sizes)), values, pa.scalar("^y:2026"))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _signatures(articles: pa.Table, live_months: set[str], first: int) -> pa.Table:
    """Signature rows of `articles` (rows first, first + 1 ... of the generated history)."""
    n = articles.num_rows
    months = pc.strftime(articles.column("published_at"), format="%Y-%m")
    live = np.isin(np.array(months.to_pylist()), list(live_months))
    raw = np.zeros((n, SIGNATURE_BYTES), dtype=np.uint8)
    raw[live] = np.random.default_rng(n).integers(0, 256, (int(live.sum()), SIGNATURE_BYTES), dtype=np.uint8)
    minhash = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(SIGNATURE_BYTES), n, [None, pa.py_buffer(raw.tobytes())]
    )
    words = _story_keys(np.arange(first, first + n), live)
    columns = {
        "article_id": articles.column("article_id"),
        "outlet_id": articles.column("outlet_id"),
        "published_at": articles.column("published_at"),
        "batch_id": articles.column("batch_id"),
        "dedup_status": articles.column("dedup_status"),
        "minhash": minhash,
        "script": pa.array(["latin"] * n),
        "story_keys": words,
        "story_id": articles.column("article_id"),
        "month": months,
    }
    return pa.table([columns[f.name] for f in SIGNATURES_SCHEMA], schema=SIGNATURES_SCHEMA)


def simulate_year(lake: Lake, *, batches: int, rows: int, end: datetime, tail: int, progress: Any) -> dict:
    """Write a year of history into `lake` (see the module's docstring); returns what was written."""
    from nashra.ops.maintenance import maintain

    rows_per_batch = max(1, rows // batches)
    hours = -(-batches // OUTLETS)
    live = {end.strftime("%Y-%m"), (end.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")}
    started = time.monotonic()
    written = Counter()
    for start in range(0, batches * rows_per_batch, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, batches * rows_per_batch)
        articles = _article_chunk(start, stop, rows_per_batch, end, hours)
        append(lake, "articles", articles)
        append(lake, "dedup_keys", keys := keys_of_articles(articles))
        append(lake, "signatures", _signatures(articles, live, start))
        written.update(articles=articles.num_rows, dedup_keys=keys.num_rows, signatures=articles.num_rows)
        progress(f"year: {stop:,} of {batches * rows_per_batch:,} article rows")
    generated_s = time.monotonic() - started
    started = time.monotonic()
    progress("year: the daily maintenance (compaction, key sort, vacuum)")
    maintain(lake, retention_hours=0, as_of=end)
    maintained_s = time.monotonic() - started
    # The day since that run: 23 hours of batches binned by the hourly runs, then the current
    # hour's batches, one commit per table each, as the process stage makes them.
    progress("year: the day since, and the current hour's batches")
    _hours(lake, end - timedelta(hours=23), 23, live)
    maintain(lake, full=False, as_of=end)
    for k in range(tail):
        chunk = _article_chunk(10**9 + k * 30, 10**9 + (k + 1) * 30, 30, end - timedelta(minutes=5), 1)
        batch = f"tail-{k}"
        chunk = chunk.set_column(chunk.schema.get_field_index("batch_id"), "batch_id", pa.array([batch] * 30))
        outlet = chunk.column("outlet_id")[0].as_py()
        for name, rows in (
            ("articles", chunk),
            ("dedup_keys", keys_of_articles(chunk)),
            ("signatures", _signatures(chunk, live, 10**9 + k * 30)),
        ):
            commit_batch(lake, name, rows, outlet_id=outlet, batch_id=batch, replace=False)
    return {
        "batches": batches,
        "rows": dict(written),
        "generate_s": round(generated_s, 1),
        "maintain_s": round(maintained_s, 1),
        "tail_commits": tail,
    }


def write_window_ledger(lake: Lake, outlet_id: str, end: datetime) -> int:
    """The measured outlet's raw objects and manifests for the pending window's days, all processed
    and indexed (so only the measured batch is pending). Each stage's objects a second after the
    previous one's, as in production (S3 keeps modification times in seconds)."""
    batches, when = [], recent(end).since
    while when < end - timedelta(hours=1):
        batches.append(new_batch_id(outlet_id, when))
        when += timedelta(hours=1)
    raw = {b: raw_warc_path(outlet_id, batch_day(b), b, "feed") for b in batches}
    for rel in raw.values():
        lake.write_bytes(rel, b"x")
    for stage in ("process", "index"):
        time.sleep(1.1)
        for b in batches:
            lake.write_json(manifest_path(stage, outlet_id, b), {"raw": {raw[b]: 1}, "stored": 0})
    return len(batches)


def round_pages(pages: list[RawPage], outlet_id: str, batch_id: str, when: datetime, k: int) -> bytes:
    """The measured batch's WARC for round k: fresh URLs, one new sentence, so new articles."""
    out = []
    for page in pages:
        url = page.url.replace("://", f"://r{k}.", 1) if "://" in page.url else page.url
        html = page.body.replace(b"<p>", f"<p>Bulletin {k}: {batch_id}. ".encode(), 1)
        out.append(RawPage(outlet_id, url, url, 200, page.headers, html, when, batch_id, "feed"))
    sink = io.BytesIO()
    write_pages(sink, out)
    return sink.getvalue()


def _area(path: str) -> str:
    """What a request touched: the lake folder (a table, the raw archive, the manifests ...) and
    whether it was the table's log; the query string says a listing."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(path)
    segments = [s for s in parts.path.split("/") if s][2:]  # without the bucket and the lake prefix
    area = segments[0] if segments else "(bucket)"
    if "_delta_log" in segments:
        area += "/_delta_log"
    query = parse_qs(parts.query)
    if "list-type" in query or "prefix" in query:
        area += " (list)"
    return area


def summarise(rounds: list[dict[str, Any]], counted: dict[str, Any]) -> dict[str, Any]:
    """Median time of the timed rounds; requests of the counted round."""
    return {
        "seconds": round(statistics.median(r["seconds"] for r in rounds), 3),
        "requests": counted["requests"],
        "by_method": counted["by_method"],
        "rounds": rounds,
        "counted": counted,
    }


def _hours(lake: Lake, start: datetime, hours: int, live: set[str]) -> None:
    """Hours of new data as the pipeline leaves them: per hour, one commit per table with every
    outlet's batch of that hour (one file per outlet partition)."""
    for hour in range(hours):
        first = 2 * 10**9 + hour * OUTLETS * 10
        chunk = _article_chunk(first, first + OUTLETS * 10, 10, start + timedelta(hours=hour + 1), 1)
        append(lake, "articles", chunk)
        append(lake, "dedup_keys", keys_of_articles(chunk))
        append(lake, "signatures", _signatures(chunk, live, first))


def bench_history(
    s3_env: dict[str, str], es_url: str, *, quick: bool, progress: Any = print
) -> dict[str, Any]:
    from urllib.parse import urlsplit

    from elasticsearch import Elasticsearch

    from bench.process import make_batches
    from devkit.s3_proxy import S3Proxy
    from nashra.core.config import settings
    from nashra.core.lake import ensure_bucket, open_lake
    from nashra.ops.maintenance import maintain
    from nashra.stages.index import index_outlet
    from nashra.stages.process import process_outlet

    batches_in_year, rows_in_year = (3_700, 37_000) if quick else (300_000, 3_000_000)
    rounds = 1 if quick else 5  # timed rounds per lake (median), and one more that counts requests
    batches, end = make_batches(reps=10)  # ~30 pages in the largest outlet's batch
    measured = max(batches, key=lambda b: len(b.pages))
    outlet = measured.outlet
    proxy = S3Proxy(urlsplit(s3_env["AWS_ENDPOINT_URL_S3"]).netloc)
    counted_env = {**s3_env, "AWS_ENDPOINT_URL_S3": proxy.endpoint}
    es = Elasticsearch(es_url, request_timeout=120)
    out: dict[str, Any] = {"pages_per_batch": len(measured.pages), "outlet": outlet.id}
    sizes = {"year": (batches_in_year, rows_in_year), "month": (batches_in_year // 12, rows_in_year // 12)}
    try:
        with _env(s3_env):
            lakes = {}
            for name in ("empty", "month", "year"):
                uri = f"s3://nashra-history-{name}/lake"
                ensure_bucket(uri)
                lakes[name] = open_lake(uri, settings())
            for name, (n_batches, n_rows) in sizes.items():
                out[name] = simulate_year(
                    lakes[name], batches=n_batches, rows=n_rows, end=end, tail=OUTLETS, progress=progress
                )
                out[name]["window_batches"] = write_window_ledger(lakes[name], outlet.id, end)
        with _env(counted_env):
            counted = {name: open_lake(lake.uri, settings()) for name, lake in lakes.items()}
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in lakes}
        # Timed rounds reach SeaweedFS directly (the counting proxy would add its own latency to
        # every request); one more round per lake goes through the proxy, to count.
        for k in range(rounds + 1):
            counting = k == rounds
            for name in lakes:
                lake = counted[name] if counting else lakes[name]
                when = end + timedelta(minutes=10 * (k + 1))
                batch = new_batch_id(outlet.id, when)
                warc = round_pages(list(measured.pages), outlet.id, batch, when, k)
                progress(f"history: {'counted round' if counting else f'round {k + 1}'}, {name} lake")
                with _env(counted_env if counting else s3_env):
                    lake.write_bytes(raw_warc_path(outlet.id, when.strftime("%Y-%m-%d"), batch, "feed"), warc)
                    proxy.log.clear()
                    started = time.monotonic()
                    window = recent(when)
                    processed = process_outlet(lake, outlet, window=window, run_id=f"bench-{k}")
                    indexed = index_outlet(lake, es, outlet.id, f"nashra-history-{name}", window=window)
                    seconds = time.monotonic() - started
                log = list(proxy.log)
                run = {
                    "seconds": round(seconds, 3),
                    "stored": sum(r.stored for r in processed),
                    "indexed": sum(r.indexed for r in indexed),
                }
                if counting:
                    run.update(
                        requests=len(log),
                        by_method=dict(Counter(method for method, _, _ in log)),
                        by_area=dict(Counter(f"{method} {_area(path)}" for method, path, _ in log)),
                    )
                results[name].append(run)
        for name, runs in results.items():
            out[f"{name}_lake"] = summarise(runs[:-1], counted=runs[-1])
        year, month, empty = out["year_lake"], out["month_lake"], out["empty_lake"]
        out["time_ratio"] = round(year["seconds"] / max(empty["seconds"], 1e-9), 3)
        out["request_ratio"] = round(year["requests"] / max(month["requests"], 1), 3)
        with _env(s3_env):
            progress("history: an hourly and a daily maintenance run on the year's lake")
            started = time.monotonic()
            light = maintain(lakes["year"], full=False, as_of=end)
            hourly = time.monotonic() - started
            started = time.monotonic()
            reports = maintain(lakes["year"], as_of=end)
            daily = time.monotonic() - started
            out["maintenance_hourly_s"], out["maintenance_daily_s"] = round(hourly, 1), round(daily, 1)
            out["maintenance_per_day_s"] = round(23 * hourly + daily, 1)
            out["maintenance"] = {
                "hourly": {
                    r.table: {"seconds": r.seconds, "files_rewritten": r.files_rewritten} for r in light
                },
                "daily": {
                    r.table: {"seconds": r.seconds, "files_rewritten": r.files_rewritten} for r in reports
                },
            }
    finally:
        proxy.stop()
    return out
