"""Search the articles index: language-aware fields first, the folded field as a catch-all.

A query is analysed by every language's analyzer (the reader's language is not known unless
`--lang` says so), so `والذكاء` meets `الذكاء` through Arabic stemming and `numerique` meets
`numériques` through French folding and stemming. Names typed in Latin script get a fuzzy match
on the folded field, so transliteration variants one or two letters apart (Seghrouchni,
Seghrouchini) still find each other; cross-script matching (Seghrouchni -> السغروشني) is not done
here (story linking, issue 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import LANGUAGES, routed_text_fields

_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
# HTML-style tags: what JSON consumers expect, and unlike « » they do not occur in French text.
_HIGHLIGHT_TAGS = ("<em>", "</em>")
_FSI, _PDI = "\u2068", "\u2069"  # Unicode first-strong isolate / pop directional isolate


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
    country: str = ""
    title_highlight: str = ""


def _text_fields(languages: list[str]) -> list[str]:
    # Titles weigh more than bodies; the folded field (no stemming) weighs least so that an exact
    # form is a tie-breaker, not the main signal.
    fields: list[str] = []
    for name in routed_text_fields():
        boost = 3 if name == "title" else 1
        fields += [f"{name}_{lang}^{boost}" for lang in languages]
        fields.append(f"{name}^{max(boost - 1, 1)}")
    return fields


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
    should: list[dict[str, Any]] = [
        {"multi_match": {"query": text, "fields": _text_fields(langs), "type": "most_fields"}}
    ]
    if _LATIN.search(text):
        # Transliterated names vary by a letter or two; AUTO:6,12 keeps short words exact (no
        # "port" ~ "sort"), allows one edit from 6 letters and two from 12. Low boost: a fuzzy
        # match only matters when nothing exact does.
        should.append(
            {
                "multi_match": {
                    "query": text,
                    "fields": routed_text_fields(),
                    "fuzziness": "AUTO:6,12",
                    "prefix_length": 2,
                    "max_expansions": 20,
                    "boost": 0.2,
                }
            }
        )
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
    return {"bool": {"should": should, "minimum_should_match": 1, "filter": filters, "must_not": must_not}}


def _highlight_spec() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in routed_text_fields():
        # Highlight the analysed language fields: they mark `بالذكاء` for a query `الذكاء`.
        spec = (
            {"number_of_fragments": 0}
            if name == "title"
            else {"fragment_size": 160, "number_of_fragments": 1}
        )
        fields[f"{name}_*"] = spec
        fields[name] = spec
    return {"fields": fields, "pre_tags": [_HIGHLIGHT_TAGS[0]], "post_tags": [_HIGHLIGHT_TAGS[1]]}


def _first(highlight: dict[str, list[str]], name: str) -> list[str]:
    for key in [f"{name}_{lang}" for lang in LANGUAGES] + [name]:
        if highlight.get(key):
            return highlight[key]
    return []


def search(es: Any, index: str, text: str, *, size: int = 10, **filters: Any) -> list[Hit]:
    texts = routed_text_fields()
    response = es.search(
        index=index,
        query=build_query(text, **filters),
        size=size,
        highlight=_highlight_spec(),
        # Routed copies duplicate the text; only the canonical fields come back.
        source_excludes=[f"{name}_*" for name in texts] + [n for n in texts if n != "title"],
    )
    hits = []
    for h in response["hits"]["hits"]:
        src = h["_source"]
        hl = h.get("highlight") or {}
        body_fragments = [f for n in texts if n != "title" for f in _first(hl, n)]
        title_fragments = _first(hl, "title")
        hits.append(
            Hit(
                article_id=h["_id"],
                score=h["_score"],
                title=src.get("title", ""),
                url=src.get("url", ""),
                outlet_id=src.get("outlet_id", ""),
                language=src.get("language", ""),
                published_at=src.get("published_at", ""),
                dedup_status=src.get("dedup_status", ""),
                highlight=body_fragments[:1],
                country=src.get("country", ""),
                title_highlight=title_fragments[0] if title_fragments else "",
            )
        )
    return hits


def isolate(text: str) -> str:
    """Wrap text in a directional isolate: its direction is taken from its own first strong letter
    (RTL for Arabic) and it does not reorder the text around it (UAX #9)."""
    return f"{_FSI}{text}{_PDI}" if text else text


def terminal_highlight(fragment: str) -> str:
    """A highlight fragment as rich console markup: page text escaped, matches in bold yellow."""
    from rich.markup import escape

    pre, post = _HIGHLIGHT_TAGS
    return escape(fragment).replace(pre, "[bold yellow]").replace(post, "[/bold yellow]")
