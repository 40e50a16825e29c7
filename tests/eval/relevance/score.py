"""Relevance suite: a small corpus of real text, queries with expected documents, recall@10 and MRR.

The corpus (tests/eval/relevance/) is indexed through the same path as the pipeline
(`nashra.stages.index.ensure_index` + `index_rows`, hence `to_document`'s language routing) and queried
through `nashra.search.search`, so the numbers measure what a reader gets from `nashra search`.
"""

from __future__ import annotations

import argparse
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

import schemas

CORPUS_DIR = Path(__file__).resolve().parent
K = 10


@dataclass(frozen=True)
class Query:
    id: str
    lang: str
    q: str
    expect: tuple[str, ...]
    covers: str = ""


@dataclass
class QueryResult:
    query: Query
    ranked: list[str]

    @property
    def missing(self) -> list[str]:
        return [d for d in self.query.expect if d not in self.ranked[:K]]

    @property
    def reciprocal_rank(self) -> float:
        ranks = [self.ranked.index(d) + 1 for d in self.query.expect if d in self.ranked[:K]]
        return 1.0 / min(ranks) if ranks else 0.0


@dataclass
class LanguageScore:
    queries: int = 0
    expected: int = 0
    found: int = 0
    rr_sum: float = 0.0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 0.0

    @property
    def mrr(self) -> float:
        return self.rr_sum / self.queries if self.queries else 0.0


def load_documents(path: Path = CORPUS_DIR / "documents.yaml") -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]


def load_queries(path: Path = CORPUS_DIR / "queries.yaml") -> list[Query]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
    return [Query(r["id"], r["lang"], str(r["q"]), tuple(r["expect"]), r.get("covers", "")) for r in raw]


def _timestamp(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def to_row(doc: dict[str, Any]) -> dict[str, Any]:
    """A corpus document as an `articles` row: every field of fields.yaml, the corpus's values
    where it has them, stand-ins for the pipeline's bookkeeping fields, None for the rest."""
    published = _timestamp(doc["published_at"])
    body = doc["body"]
    derived = {
        "article_id": doc["id"],
        "canonical_url": f"https://relevance.invalid/{doc['id']}",
        "url": f"https://relevance.invalid/{doc['id']}",
        "published_at": published,
        "fetched_at": published,
        "content_hash": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "word_count": len(body.split()),
        "batch_id": "relevance",
        "page_id": doc["id"],
    }
    row: dict[str, Any] = {}
    for f in schemas.fields("articles"):
        value = doc.get(f.name, derived.get(f.name))
        row[f.name] = value if value != "" else None
    return row


def index_corpus(es: Any, prefix: str, documents: list[dict[str, Any]]) -> int:
    from nashra.stages.index import aliases, ensure_index, index_rows

    write_alias = ensure_index(es, prefix)
    ok, errors = index_rows(es, [to_row(d) for d in documents], write_alias)
    if errors:
        raise RuntimeError(f"{len(errors)} corpus documents failed to index; first: {errors[0]}")
    es.indices.refresh(index=aliases(prefix)[0])
    return ok


def run_queries(es: Any, index: str, queries: list[Query]) -> list[QueryResult]:
    from nashra.ops.search import search

    return [QueryResult(q, [h.article_id for h in search(es, index, q.q, size=K)]) for q in queries]


def score(results: list[QueryResult]) -> dict[str, LanguageScore]:
    scores: dict[str, LanguageScore] = {}
    for r in results:
        s = scores.setdefault(r.query.lang, LanguageScore())
        s.queries += 1
        s.expected += len(r.query.expect)
        s.found += len(r.query.expect) - len(r.missing)
        s.rr_sum += r.reciprocal_rank
        s.misses += [f"{r.query.id}: {m}" for m in r.missing]
    return dict(sorted(scores.items()))


def delete_indices(es: Any, prefix: str) -> None:
    # Wildcard deletes are refused by default (action.destructive_requires_name): name them.
    names = list(es.indices.get(index=f"{prefix}-v*", expand_wildcards="all"))
    if names:
        es.indices.delete(index=",".join(names))
    es.options(ignore_status=404).indices.delete_index_template(name=prefix)


def cmd_relevance(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from nashra.core.config import settings
    from nashra.core.local_services import use_local_services
    from nashra.stages.index import es_client

    use_local_services()
    console = Console()
    es = es_client(settings())
    # Its own throw-away index: the suite never touches the articles index.
    prefix = f"nashra-relevance-{uuid.uuid4().hex[:8]}"
    try:
        index_corpus(es, prefix, load_documents())
        scores = score(run_queries(es, prefix, load_queries()))
    finally:
        delete_indices(es, prefix)
    table = Table(title=f"relevance (recall@{K}, MRR) against {settings().es_url}")
    for column in ("language", "queries", "expected", "found", f"recall@{K}", "MRR"):
        table.add_column(column, justify="right" if column != "language" else "left")
    for lang, s in scores.items():
        table.add_row(lang, str(s.queries), str(s.expected), str(s.found), f"{s.recall:.3f}", f"{s.mrr:.3f}")
    console.print(table)
    misses = [m for s in scores.values() for m in s.misses]
    for miss in misses:
        console.print(f"[red]missed[/red] {miss}")
    return 1 if misses else 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("relevance", help="recall@10 and MRR per language on tests/relevance")
    p.set_defaults(fn=cmd_relevance)
