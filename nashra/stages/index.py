"""Index stage: articles from the lake -> Elasticsearch, `_id = article_id` so re-runs overwrite.

The index is versioned behind two aliases: `<prefix>` for reads (what Kibana's data view points
at) and `<prefix>-write` for writes. Text is routed by the detected language into `title_<lang>`
and `body_<lang>`, each with its language's analyzer, next to the language-neutral `title`/`body`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import orjson

import schemas
from nashra.core.config import Settings, settings
from nashra.core.lake import Lake
from nashra.core.ledger import (
    Window,
    claim,
    done_batches,
    new_batch_id,
    pending_batches,
    read_manifest,
    release,
    write_manifest,
)
from nashra.core.tables import dataset, read_batch

log = logging.getLogger(__name__)
# Lucene refuses terms over 32,766 bytes; no real article body comes near, but a broken page can.
MAX_TEXT_CHARS = 200_000


class IndexingError(RuntimeError):
    """Some documents of a batch were refused by Elasticsearch; the batch stays pending."""


@dataclass
class IndexReport:
    outlet_id: str
    batch_id: str
    indexed: int = 0
    failed: int = 0


def es_client(cfg: Settings | None = None) -> Any:
    from elasticsearch import Elasticsearch

    cfg = cfg or settings()
    kwargs: dict[str, Any] = {"request_timeout": 30, "retry_on_timeout": True, "max_retries": 5}
    if cfg.es_api_key:
        kwargs["api_key"] = cfg.es_api_key
    elif cfg.es_username:
        kwargs["basic_auth"] = (cfg.es_username, cfg.es_password or "")
    if cfg.es_ca_certs:
        kwargs["ca_certs"] = cfg.es_ca_certs
    return Elasticsearch(cfg.es_url, **kwargs)


def aliases(prefix: str) -> tuple[str, str]:
    return prefix, f"{prefix}-write"


def indices_of(es: Any, alias: str) -> list[str]:
    """Indices an alias points at (sorted), none if it does not exist."""
    if not es.indices.exists_alias(name=alias):
        return []
    return sorted(es.indices.get_alias(name=alias))


def rollover_policy() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((schemas.SCHEMA_DIR / "es_rollover.yaml").read_text(encoding="utf-8"))["conditions"]


def maybe_rollover(es: Any, prefix: str, conditions: dict[str, Any] | None = None) -> str | None:
    """Roll the write alias over to a new index when a policy condition is met (ILM's job, done
    from the application; see schemas/es_rollover.yaml). Returns the new index, or None."""
    read_alias, write_alias = aliases(prefix)
    response = es.indices.rollover(alias=write_alias, conditions=conditions or rollover_policy())
    if not response.get("rolled_over"):
        return None
    new_index = response["new_index"]
    # The template carries no aliases, so the read alias is added here; until then the new index
    # is empty, so no search can miss a document.
    es.indices.put_alias(index=new_index, name=read_alias)
    log.info("rolled %s over to %s (conditions met: %s)", write_alias, new_index, response.get("conditions"))
    return new_index


def ensure_index(es: Any, prefix: str) -> str:
    """Install the template and, on first use, the first index version with both aliases.
    Returns the write alias."""
    read_alias, write_alias = aliases(prefix)
    es.indices.put_index_template(name=prefix, body=schemas.es_index_template(f"{prefix}-v*"))
    if not es.indices.exists_alias(name=write_alias):
        first = f"{prefix}-v{schemas.schema_version()}-000001"
        es.indices.create(
            index=first,
            aliases={read_alias: {}, write_alias: {"is_write_index": True}},
        )
        es.cluster.health(index=first, wait_for_status="yellow", timeout="30s")
    else:
        add_new_fields(es, read_alias)
    return write_alias


def add_new_fields(es: Any, read_alias: str) -> list[str]:
    """Fields added to schemas/fields.yaml since the live indices were created (e.g. `dialect`) are
    added to their mappings: the strict mapping would otherwise refuse every new document. Adding a
    field is the one mapping change Elasticsearch allows in place; older documents lack it until
    `nashra reindex --from lake`. A changed field (analysis, type) still needs `nashra reindex`."""
    wanted = schemas.es_mappings()["properties"]
    added: set[str] = set()
    for index, body in es.indices.get_mapping(index=read_alias).body.items():
        missing = {k: v for k, v in wanted.items() if k not in body["mappings"].get("properties", {})}
        if missing:
            es.indices.put_mapping(index=index, properties=missing)
            added.update(missing)
    if added:
        log.info("added %s to the mappings of %s", sorted(added), read_alias)
    return sorted(added)


@cache
def _routed_text_fields() -> tuple[str, ...]:
    # Once per process: building the field list per document was two thirds of to_document()
    # (`python -m devkit bench`, ES section).
    return tuple(schemas.routed_text_fields())


_ROUTED_LANGUAGES = frozenset(schemas.LANGUAGES)


def to_document(row: dict[str, Any]) -> dict[str, Any]:
    """The ES document of a lake row: no None or [] values, datetimes as ISO strings, routed text
    truncated at MAX_TEXT_CHARS and copied into `<field>_<lang>` for a known language."""
    # One pass over the row, exact-type checks first (str and int are most of the values): a
    # quarter less time than copying the row and fixing the copy up (4.7 vs 6.3 us a bench row).
    doc: dict[str, Any] = {}
    for key, value in row.items():
        cls = type(value)
        if cls is str or cls is int:
            doc[key] = value
        elif value is None:
            continue
        elif cls is list:
            if value:
                doc[key] = value
        elif isinstance(value, datetime):
            doc[key] = value.isoformat()
        elif value != []:
            doc[key] = value
    lang = row.get("language")
    suffix = f"_{lang}" if lang in _ROUTED_LANGUAGES else None
    for name in _routed_text_fields():
        text = doc.get(name)
        if isinstance(text, str):
            if len(text) > MAX_TEXT_CHARS:
                text = doc[name] = text[:MAX_TEXT_CHARS]
            if suffix:
                doc[name + suffix] = text
    return doc


# A cap per bulk request besides the 500 documents: outsized pages (each routed field up to
# MAX_TEXT_CHARS, and copied) go out in several requests rather than one over the node's 100 MB
# http.max_content_length; a bench document is ~6 KB, so its requests stay at 500 (~3 MB).
_MAX_CHUNK_BYTES = 16 * 1024 * 1024


# Ids per lookup of where documents already are (an `ids` query is answered from each shard's
# terms dictionary; 1,000 keeps one request well under the default 10,000-hit window).
_HOMES_CHUNK = 1000


def document_homes(es: Any, read_alias: str, ids: list[str]) -> dict[str, list[str]]:
    """article_id -> the indices behind the read alias that hold it (usually one, none when new).

    `_id` is unique per index, not per alias: after a rollover, a document written again through
    the write alias would land in the new index beside its old copy. Writing each document where it
    already is keeps one copy per alias across rollovers, replays and re-crawls.
    """
    homes: dict[str, list[str]] = {}
    if not ids or not es.indices.exists_alias(name=read_alias):
        return homes
    for start in range(0, len(ids), _HOMES_CHUNK):
        chunk = ids[start : start + _HOMES_CHUNK]
        reply = es.search(
            index=read_alias, query={"ids": {"values": chunk}}, size=len(chunk) * 4, source=False
        )
        for hit in reply["hits"]["hits"]:
            homes.setdefault(hit["_id"], []).append(hit["_index"])
    return {ident: sorted(indices) for ident, indices in homes.items()}


def index_rows(
    es: Any,
    rows: Iterable[dict[str, Any]],
    write_alias: str,
    homes: dict[str, list[str]] | None = None,
) -> tuple[int, list[str]]:
    """Index ``rows`` as documents `_id = article_id` into ``write_alias``, or into the index that
    already holds the document (``homes``, from `document_homes`). A document found in more than
    one index (left by earlier versions of this code) is written to the first and deleted from the
    others.

    Returns (documents acknowledged, one message per refused document). streaming_bulk sends the
    bulk requests one after another and retries the documents refused with 429 (backing off 1, 2,
    4 ... s, 5 times); the client's transport retries connection errors and timeouts.

    Waiting on the node is ~75% of the time (cProfile, `python -m devkit bench`'s documents); the rest is
    ours: to_document, JSON, streaming_bulk's bookkeeping. Each action is built ready for the
    wire, (header, source bytes), so streaming_bulk neither expands nor re-encodes it. Building
    the documents in a thread while the request before is in flight was measured too, and was
    ~7% slower on a 2-core machine: the node needs those cores, and the GIL hand-offs cost.
    """
    from elasticsearch.helpers import streaming_bulk

    # Encoded here, so the client passes the bytes through (retries included). orjson writes the
    # same bytes as the client's json.dumps for our documents, in ~60% of the time; what it refuses
    # (a lone surrogate from a scraped page, a Decimal) goes through the client's serializer.
    fallback = es.transport.serializers.get_serializer("application/json").dumps

    def dumps(doc: dict[str, Any]) -> bytes:
        try:
            return orjson.dumps(doc)
        except TypeError:
            return fallback(doc)

    homes = homes or {}

    def actions() -> Iterator[tuple[dict[str, Any], bytes | None]]:
        for r in rows:
            ident = r["article_id"]
            where = homes.get(ident) or [write_alias]
            yield {"index": {"_index": where[0], "_id": ident}}, dumps(to_document(r))
            for extra in where[1:]:
                yield {"delete": {"_index": extra, "_id": ident}}, None

    ok, errors = 0, []
    for success, info in streaming_bulk(
        es,
        actions(),
        chunk_size=500,
        max_chunk_bytes=_MAX_CHUNK_BYTES,
        expand_action_callback=_as_is,
        max_retries=5,
        initial_backoff=1,
        raise_on_error=False,
        raise_on_exception=False,
    ):
        if "delete" in info:  # a stray copy removed (or already gone): not a document indexed
            if not success and info["delete"].get("status") != 404:
                errors.append(str(info)[:500])
        elif success:
            ok += 1
        else:
            errors.append(str(info)[:500])
    return ok, errors


def _as_is(action: tuple[dict[str, Any], bytes | None]) -> tuple[dict[str, Any], bytes | None]:
    # streaming_bulk's expand_action_callback: the actions are (header, source bytes) already.
    return action


def index_batch(lake: Lake, es: Any, outlet_id: str, batch_id: str, prefix: str) -> IndexReport:
    write_alias = aliases(prefix)[1]
    report = IndexReport(outlet_id, batch_id)
    columns = [f.name for f in schemas.parquet_schema("articles")]
    rows = read_batch(lake, "articles", outlet_id, batch_id, columns).to_pylist()
    homes = document_homes(es, aliases(prefix)[0], [r["article_id"] for r in rows])
    report.indexed, errors = index_rows(es, rows, write_alias, homes)
    report.failed = len(errors)
    if errors:
        raise IndexingError(
            f"outlet {outlet_id}: {len(errors)} of {len(rows)} documents of batch {batch_id} "
            f"failed to index; first: {errors[0]}"
        )
    es.indices.refresh(index=aliases(prefix)[0])
    # The raw fingerprint of what was processed: a batch processed again after a re-crawl is pending.
    raw = (read_manifest(lake, "process", outlet_id, batch_id) or {}).get("raw")
    write_manifest(lake, "index", outlet_id, batch_id, {**report.__dict__, "raw": raw})
    return report


def stored_per_batch(lake: Lake, outlet_id: str, since_batch: str | None = None) -> dict[str, int]:
    """batch_id -> rows of the articles table (what the index should hold), from `since_batch` on:
    one scan of a column the table's statistics prune, not a manifest read per batch."""
    import pyarrow.compute as pc

    where = [("outlet_id", "=", outlet_id)] + ([("batch_id", ">=", since_batch)] if since_batch else [])
    articles = dataset(lake, "articles", where=where)
    if articles is None:
        return {}
    wanted = pc.field("outlet_id") == outlet_id
    if since_batch:
        wanted = wanted & (pc.field("batch_id") >= since_batch)
    column = articles.to_table(columns=["batch_id"], filter=wanted).column("batch_id")
    return {row["values"]: row["counts"] for row in pc.value_counts(column).to_pylist()}


def documents_per_batch(
    es: Any, prefix: str, outlet_id: str, since_batch: str | None = None
) -> dict[str, int]:
    """batch_id -> documents of this outlet the read alias holds (empty when there is no index),
    for the batches from `since_batch` on (batch ids sort by time within an outlet)."""
    read_alias = aliases(prefix)[0]
    if not es.indices.exists_alias(name=read_alias):
        return {}
    counts: dict[str, int] = {}
    after: dict[str, Any] | None = None
    filters: list[dict[str, Any]] = [{"term": {"outlet_id": outlet_id}}]
    if since_batch:
        filters.append({"range": {"batch_id": {"gte": since_batch}}})
    while True:
        composite: dict[str, Any] = {"size": 1000, "sources": [{"batch": {"terms": {"field": "batch_id"}}}]}
        if after:
            composite["after"] = after
        reply = es.search(
            index=read_alias,
            size=0,
            query={"bool": {"filter": filters}},
            aggs={"batches": {"composite": composite}},
        )
        agg = reply["aggregations"]["batches"]
        for bucket in agg["buckets"]:
            counts[bucket["key"]["batch"]] = bucket["doc_count"]
        after = agg.get("after_key")
        if not after or not agg["buckets"]:
            return counts


def index_outlet(
    lake: Lake,
    es: Any,
    outlet_id: str,
    prefix: str,
    *,
    reindex: bool = False,
    run_id: str | None = None,
    window: Window | None = None,
    only: set[str] | None = None,
) -> list[IndexReport]:
    """Index the processed batches of the window (all history if None; of those, the batches in
    `only` when given) that the index lacks."""
    processed = [b for b in done_batches(lake, "process", outlet_id, window) if only is None or b in only]
    if reindex:
        batches = processed
    else:
        # The manifest says what we sent; the index says what it holds. A new or restored cluster,
        # a deleted index or a partial loss leaves batches short of their stored count: re-send them.
        since = new_batch_id(outlet_id, window.since) if window else None
        held = documents_per_batch(es, prefix, outlet_id, since)
        stored = stored_per_batch(lake, outlet_id, since)
        unsent = set(pending_batches(lake, outlet_id, "index", window))
        batches = [b for b in processed if b in unsent or held.get(b, 0) < stored.get(b, 0)]
    if batches:
        ensure_index(es, prefix)
    reports = []
    for batch in batches:  # one claim each: a batch another worker is indexing is left to it
        held = claim(lake, "index", outlet_id, batch, run_id=run_id)
        if held is None:
            log.info("outlet %s, batch %s: claimed by another worker, skipped", outlet_id, batch)
            continue
        try:
            reports.append(index_batch(lake, es, outlet_id, batch, prefix))
        finally:
            release(lake, held)
    if batches:
        maybe_rollover(es, prefix)
    return reports
