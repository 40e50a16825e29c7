"""Search the articles index: language-aware fields first, the folded field as a catch-all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import LANGUAGES


@dataclass
class Hit:
    article_id: str
    score: float
    title: str
    url: str
    outlet_id: str
    language: str
    published_at: str
    dedup_status: str
    highlight: list[str]


def build_query(
    text: str,
    *,
    language: str | None = None,
    outlet: str | None = None,
    country: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    exclude_duplicates: bool = False,
) -> dict[str, Any]:
    langs = [language] if language else list(LANGUAGES)
    fields = [f"title_{lang}^3" for lang in langs] + [f"body_{lang}" for lang in langs] + ["title^2", "body"]
    filters: list[dict[str, Any]] = []
    if language:
        filters.append({"term": {"language": language}})
    if outlet:
        filters.append({"term": {"outlet_id": outlet}})
    if country:
        filters.append({"term": {"country": country.upper()}})
    if since or until:
        rng = {k: v.isoformat() for k, v in (("gte", since), ("lte", until)) if v}
        filters.append({"range": {"published_at": rng}})
    must_not = [{"term": {"dedup_status": "duplicate"}}] if exclude_duplicates else []
    return {
        "bool": {
            "must": [{"multi_match": {"query": text, "fields": fields, "type": "most_fields"}}],
            "filter": filters,
            "must_not": must_not,
        }
    }


def search(es: Any, index: str, text: str, *, size: int = 10, **filters: Any) -> list[Hit]:
    response = es.search(
        index=index,
        query=build_query(text, **filters),
        size=size,
        highlight={
            "fields": {"body*": {"fragment_size": 160, "number_of_fragments": 1}},
            "pre_tags": ["«"],
            "post_tags": ["»"],
        },
        source_excludes=["body*"],
    )
    hits = []
    for h in response["hits"]["hits"]:
        src = h["_source"]
        fragments = [f for frags in (h.get("highlight") or {}).values() for f in frags]
        hits.append(
            Hit(
                h["_id"],
                h["_score"],
                src.get("title", ""),
                src.get("url", ""),
                src.get("outlet_id", ""),
                src.get("language", ""),
                src.get("published_at", ""),
                src.get("dedup_status", ""),
                fragments[:1],
            )
        )
    return hits
