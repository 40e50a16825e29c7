"""Deterministic ids: re-running any stage on the same input yields the same ids, so writes overwrite."""

from __future__ import annotations

import hashlib


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")  # separator, so ("ab","c") and ("a","bc") differ
    return h.hexdigest()[:32]


def article_id(canonical_url: str) -> str:
    """Stable id of an article: a hash of its canonical URL (128 bits, hex)."""
    return _digest("article", canonical_url)


def page_id(batch_id: str, url: str) -> str:
    """Stable id of one fetched page inside one crawl batch."""
    return _digest("page", batch_id, url)
