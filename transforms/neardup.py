"""Near-duplicate detection: MinHash over word shingles of the normalised body, with LSH lookup.

Wire copy is republished with small edits: a credit line "(QNA)" added, a dateline changed, a
sentence dropped or reworded. Word 3-shingles of the body as normalised for the content hash
(transforms/hashing.py) keep such copies above THRESHOLD estimated Jaccard while two articles on
the same topic share almost no 3-word sequence. The threshold is chosen on tests/dedup_eval.

A signature is NUM_PERM 32-bit values, stored as a fixed-size binary column so the lake (not a
process) keeps the state; `NearDupIndex` is rebuilt from the signatures of a bounded window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from transforms.hashing import normalize_for_hash

NUM_PERM = 128
SHINGLE = 3
THRESHOLD = 0.6  # estimated Jaccard; see `nashra eval dedup`
# LSH bands are tuned a little below the decision threshold so borderline pairs still become
# candidates; the decision is then made on the estimated Jaccard itself.
LSH_THRESHOLD = 0.5
SIGNATURE_BYTES = NUM_PERM * 4
# Fixed: signatures written by other runs must stay comparable. affine32 is datasketch 2's
# default scheme, named because stored values do not say which scheme made them.
_SEED = 1
SCHEME = "affine32"


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    words = normalize_for_hash(text).split()
    if len(words) < k:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


def minhash(text: str) -> LeanMinHash:
    """The signature of a body (lean: no permutation tables kept, a window holds many)."""
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME)
    m.update_batch(list(shingles(text)))
    return LeanMinHash(m)


def to_bytes(m: MinHash) -> bytes:
    return m.hashvalues.astype("<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash(seed=_SEED, hashvalues=np.frombuffer(data, dtype="<u4"), scheme=SCHEME)


def similarity(a: MinHash, b: MinHash) -> float:
    return float(a.jaccard(b))


@dataclass
class NearDupIndex:
    """Canonical articles' signatures, queryable by LSH. Holds only what it is given (a window)."""

    threshold: float = THRESHOLD
    lsh: MinHashLSH = field(init=False)
    signatures: dict[str, MinHash] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lsh = MinHashLSH(threshold=min(LSH_THRESHOLD, self.threshold), num_perm=NUM_PERM)

    def add(self, article_id: str, m: MinHash) -> None:
        if article_id not in self.signatures:
            self.lsh.insert(article_id, m)
            self.signatures[article_id] = m

    def best_match(self, m: MinHash) -> tuple[str, float] | None:
        """The most similar canonical at or above the threshold (ties: smallest id)."""
        scored = [(similarity(m, self.signatures[key]), key) for key in self.lsh.query(m)]
        scored = [(s, key) for s, key in scored if s >= self.threshold]
        if not scored:
            return None
        s, key = max(scored, key=lambda item: (item[0], [-ord(c) for c in item[1]]))
        return key, s


def mark_near_duplicates(rows: list[dict], signatures: dict[str, MinHash], index: NearDupIndex) -> None:
    """Mark canonical rows that are near-copies of an earlier canonical, in place.

    Rows are visited earliest published first (then by id), like exact dedup, so the earliest
    copy is the canonical; a row left canonical joins the index for the rows after it.
    """
    order = sorted(
        (r for r in rows if r["dedup_status"] == "canonical"),
        key=lambda r: (r["published_at"] is None, r["published_at"], r["article_id"]),
    )
    for row in order:
        m = signatures.get(row["article_id"])
        if m is None:
            continue
        match = index.best_match(m)
        if match and match[0] != row["article_id"]:
            row.update(
                dedup_status="duplicate", duplicate_of=match[0], dedup_method="minhash", similarity=match[1]
            )
        else:
            index.add(row["article_id"], m)


def signatures_of(rows: Iterable[dict]) -> dict[str, MinHash]:
    return {r["article_id"]: minhash(r["body"] or "") for r in rows}
