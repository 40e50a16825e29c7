"""Near-duplicate detection: MinHash over word shingles of the normalised body, with LSH lookup.

Wire copy is republished with small edits: a credit line "(QNA)" added, a dateline changed, a
sentence dropped or reworded. Word 3-shingles of the body as normalised for the content hash
(transforms/hashing.py) keep such copies above THRESHOLD estimated Jaccard while two articles on
the same topic share almost no 3-word sequence. The threshold is chosen on tests/eval/dedup.

A signature is NUM_PERM 32-bit values, stored as a fixed-size binary column so the lake (not a
process) keeps the state; `NearDupIndex` is rebuilt from the signatures of a bounded window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash

from nashra.core.model import StoredArticle
from transforms.hashing import normalize_for_hash

NUM_PERM = 128
SHINGLE = 3
THRESHOLD = 0.6  # estimated Jaccard; see `python -m devkit eval dedup`
# A teaser (the lead's first sentences, "...", a "full story" line) is a copy that Jaccard cannot
# see: it holds a tenth of the original's shingles. It is found by containment instead: most of
# a short text's shingles inside a canonical at least TEASER_RATIO times its size. Estimated from
# the signatures alone (no text is kept of stored articles), so only for texts between
# TEASER_MIN_SHINGLES (below, the estimate is noise) and TEASER_MAX_SHINGLES (a brief, not an
# article) shingles. Chosen on tests/eval/dedup's tuning split, as THRESHOLD.
CONTAINMENT = 0.7
TEASER_RATIO = 2.0
TEASER_MIN_POSITIONS = 6
TEASER_MIN_SHINGLES, TEASER_MAX_SHINGLES = 12, 150
# LSH bands are tuned a little below the decision threshold so borderline pairs still become
# candidates; the decision is then made on the estimated Jaccard itself. 25 bands of 5 rows is
# what datasketch's MinHashLSH chose for 0.5 with equal false-positive/negative weights (the
# index used to be datasketch's; the same bands keep the same candidates).
LSH_THRESHOLD = 0.5
BANDS, ROWS = 25, 5
SIGNATURE_BYTES = NUM_PERM * 4
# Fixed: signatures written by other runs must stay comparable. affine32 is datasketch 2's
# default scheme, named because stored values do not say which scheme made them.
_SEED = 1
SCHEME = "affine32"

Signature = np.ndarray  # NUM_PERM uint32 values


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    words = normalize_for_hash(text).split()
    if len(words) < k:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


@lru_cache(maxsize=1)
def _permutations() -> Any:
    # Drawn from the seed once: drawing them per document was a seventh of a signature's cost.
    return MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME).permutations


def minhash(text: str) -> Signature:
    """The signature of a body: datasketch's MinHash values, kept as a bare uint32 array (a window
    holds many; a LeanMinHash object costs twice the memory and is slower to compare)."""
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME, permutations=_permutations())
    m.update_batch(list(shingles(text)))
    return np.asarray(m.hashvalues, dtype=np.uint32)


def to_bytes(m: Signature | MinHash) -> bytes:
    values = m.hashvalues if isinstance(m, MinHash) else m
    return np.asarray(values).astype("<u4").tobytes()


def from_bytes(data: bytes) -> Signature:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def similarity(a: Signature | MinHash, b: Signature | MinHash) -> float:
    """Estimated Jaccard: the share of equal MinHash values (what datasketch's jaccard() computes)."""
    va = a.hashvalues if isinstance(a, MinHash) else a
    vb = b.hashvalues if isinstance(b, MinHash) else b
    return float(np.count_nonzero(np.asarray(va) == np.asarray(vb)) / len(va))


_HASH_RANGE = float((1 << 32) - 1)  # datasketch's _max_hash: hash values are in [0, 2^32)


def cardinality(signatures: np.ndarray) -> np.ndarray:
    """Estimated number of distinct shingles behind each signature (row): k minima of uniform
    hashes average 1/(n+1) of the range (datasketch's MinHash.count; ~9% error at 128 values)."""
    sig = np.asarray(signatures, dtype=np.float64).reshape(-1, NUM_PERM) / _HASH_RANGE
    return NUM_PERM / np.maximum(sig.sum(axis=1), 1e-12) - 1.0


def containment(query: Signature, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(estimated share of the query's shingles found in each held text, positions it rests on).

    Per permutation, the union's minimum is the query's with probability |Q| / |Q ∪ H| and is
    shared with probability |Q ∩ H| / |Q ∪ H|: among the positions where the query's value is the
    smaller or equal, the share of equal ones estimates |Q ∩ H| / |Q| (no size estimate needed)."""
    q = np.asarray(query, dtype=np.uint32)
    held = np.asarray(held, dtype=np.uint32).reshape(-1, NUM_PERM)
    equal = np.count_nonzero(held == q, axis=1)
    at_most = np.count_nonzero(q <= held, axis=1)
    return equal / np.maximum(at_most, 1), at_most


def is_teaser_sized(query: Signature | None) -> bool:
    return query is not None and TEASER_MIN_SHINGLES <= float(cardinality(query)[0]) <= TEASER_MAX_SHINGLES


def teaser_match(query: Signature, ids: list[str], held: np.ndarray) -> tuple[str, float] | None:
    """The held text this short one is a teaser of: (id, estimated containment), or None. Ties:
    the smallest id, as best_match."""
    if not len(ids) or not is_teaser_sized(query):
        return None
    shares, positions = containment(query, held)
    # The query is at most 1/TEASER_RATIO of the union (so the held text is the longer one), and
    # enough positions carry the estimate (a 30-word teaser of a 600-word article has about 7).
    fits = (
        (shares >= CONTAINMENT) & (positions <= NUM_PERM / TEASER_RATIO) & (positions >= TEASER_MIN_POSITIONS)
    )
    if not fits.any():
        return None
    best = float(shares[fits].max())
    return min(ids[i] for i in np.flatnonzero(fits & (shares == best)).tolist()), best


# A teaser match needs at least this many equal values (CONTAINMENT of TEASER_MIN_POSITIONS).
_MIN_EQUAL = int(np.ceil(CONTAINMENT * TEASER_MIN_POSITIONS))
_ROW_BITS = 25
# Above this many (short query x window row) comparisons a sorted value index is cheaper than a
# scan (~0.45 s to sort a 33k-article window, then ~0.1 ms a query, against ~3 ms a query scanned).
_SCAN_LIMIT = 5_000_000


class TeaserFinder:
    """teaser_match against a window, reading only the rows sharing at least _MIN_EQUAL values
    with the query (no row with fewer can be a teaser's article): a scan for a few queries, an
    index of (value, permutation, row) keys when a batch has many short texts."""

    def __init__(self, window: WindowSignatures, queries: int) -> None:
        self.window = window
        self._keys: np.ndarray | None = None
        n = len(window)
        if queries * n > _SCAN_LIMIT and n < 1 << _ROW_BITS:
            rows = np.arange(n, dtype=np.uint64)[:, None]
            perm = np.arange(NUM_PERM, dtype=np.uint64) << np.uint64(_ROW_BITS)
            keys = (window.matrix.astype(np.uint64) << np.uint64(32)) | perm | rows
            self._keys = np.sort(keys.ravel())

    def _rows(self, query: Signature) -> np.ndarray:
        q = np.asarray(query, dtype=np.uint32)
        if self._keys is None:
            equal = (self.window.matrix == q).sum(axis=1, dtype=np.uint8)
            return np.flatnonzero(equal >= _MIN_EQUAL)
        start = (q.astype(np.uint64) << np.uint64(32)) | (
            np.arange(NUM_PERM, dtype=np.uint64) << np.uint64(_ROW_BITS)
        )
        lo = np.searchsorted(self._keys, start)
        hi = np.searchsorted(self._keys, start | np.uint64((1 << _ROW_BITS) - 1), side="right")
        found = [self._keys[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        if not found:
            return np.empty(0, dtype=np.int64)
        rows, counts = np.unique(np.concatenate(found) & np.uint64((1 << _ROW_BITS) - 1), return_counts=True)
        return rows[counts >= _MIN_EQUAL].astype(np.int64)

    def match(self, query: Signature) -> tuple[str, float] | None:
        if not len(self.window) or not is_teaser_sized(query):
            return None
        rows = self._rows(query)
        if not len(rows):
            return None
        return teaser_match(query, [self.window.ids[r] for r in rows.tolist()], self.window.matrix[rows])


# Band keys: the ROWS values of a band mixed into 64 bits (odd multipliers, then a murmur-style
# finaliser), the band's number in the top 5 bits so one sorted array serves every band.
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)[:ROWS]
_BAND_TAG = np.arange(BANDS, dtype=np.uint64) << np.uint64(59)
_LOW59 = np.uint64((1 << 59) - 1)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """(n, NUM_PERM) uint32 -> (n, BANDS) uint64 keys; two signatures share a key in a band
    exactly when (up to 2^-59 collisions) their ROWS values in that band are equal."""
    sig = np.asarray(signatures, dtype=np.uint64).reshape(-1, NUM_PERM)[:, : BANDS * ROWS]
    h = (sig.reshape(-1, BANDS, ROWS) * _MIX).sum(axis=2, dtype=np.uint64)  # wraps mod 2^64
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    return (h & _LOW59) | _BAND_TAG


BLOCK = 65536  # signatures per storage block (32 MiB)


def _merge(
    older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs into one in O(n): each newer key's place is found by binary search. An
    argsort of the concatenation needed an int64 index per key (the 1M-document peak)."""
    (k1, r1), (k2, r2) = older, newer
    at = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))  # ties: older first
    keys = np.empty(len(k1) + len(k2), dtype=np.uint64)
    rows = np.empty(len(keys), dtype=np.uint32)
    from_older = np.ones(len(keys), dtype=bool)
    from_older[at] = False
    keys[at], rows[at] = k2, r2
    keys[from_older], rows[from_older] = k1, r1
    return keys, rows


@dataclass
class NearDupIndex:
    """Canonical articles' signatures, queryable by banded LSH. Holds only what it is given (a window).

    Our own LSH over numpy arrays rather than datasketch's MinHashLSH (dicts of band tuples:
    ~9 KB per article): signatures in one (n, 128) uint32 matrix, band keys in sorted uint64
    runs searched with np.searchsorted, ~0.8 KB per article. New keys wait in a small dict and
    are sorted into a run every pending_max articles; runs of similar size are merged (as in an
    LSM tree), so an insert costs O(log n) amortised and a query searches O(log n) runs.
    """

    threshold: float = THRESHOLD
    pending_max: int = 2048
    ids: list[str] = field(default_factory=list)
    _position: dict[str, int] = field(default_factory=dict)
    _blocks: list[np.ndarray] = field(default_factory=list)  # BLOCK signatures each, never copied
    _runs: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (sorted keys, rows)
    _pending: dict[int, list[int]] = field(default_factory=dict)
    _pending_rows: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._position

    def signature(self, article_id: str) -> Signature:
        row = self._position[article_id]
        return self._blocks[row // BLOCK][row % BLOCK]

    def add(self, article_id: str, m: Signature | MinHash) -> None:
        if article_id in self._position:
            return
        row = len(self.ids)
        if row % BLOCK == 0:  # fixed-size blocks: growing never copies (or doubles) what is held
            self._blocks.append(np.empty((BLOCK, NUM_PERM), dtype=np.uint32))
        sig = self._blocks[-1][row % BLOCK]
        sig[:] = m.hashvalues if isinstance(m, MinHash) else m
        self.ids.append(article_id)
        self._position[article_id] = row
        for key in band_keys(sig).ravel().tolist():
            self._pending.setdefault(key, []).append(row)
        self._pending_rows += 1
        if self._pending_rows >= self.pending_max:
            self._flush()

    def add_many(self, article_ids: list[str], signatures: np.ndarray) -> None:
        """`add` for many at once: the window's state is loaded this way, with no loop per article
        (33k window articles: 2.6 s through `add`). Same index as adding them one by one."""
        fresh: dict[str, int] = {}
        for i, article_id in enumerate(article_ids):
            if article_id not in self._position and article_id not in fresh:
                fresh[article_id] = i
        if not fresh:
            return
        sigs = np.asarray(signatures, dtype=np.uint32).reshape(-1, NUM_PERM)[list(fresh.values())]
        first = row = len(self.ids)
        remaining = sigs
        while len(remaining):  # block by block, as `add` fills them: a new block at each multiple
            if row % BLOCK == 0:
                self._blocks.append(np.empty((BLOCK, NUM_PERM), dtype=np.uint32))
            take = remaining[: BLOCK - row % BLOCK]
            self._blocks[-1][row % BLOCK : row % BLOCK + len(take)] = take
            row, remaining = row + len(take), remaining[len(take) :]
        rows = np.arange(first, first + len(sigs), dtype=np.uint32)
        for article_id, row in zip(fresh, rows.tolist(), strict=True):
            self.ids.append(article_id)
            self._position[article_id] = row
        keys = band_keys(sigs).ravel()
        order = np.argsort(keys, kind="stable")
        self._flush()
        self._runs.append((keys[order], np.repeat(rows, BANDS)[order]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            newer, older = self._runs.pop(), self._runs.pop()
            self._runs.append(_merge(older, newer))

    def _flush(self) -> None:
        if not self._pending:
            return
        keys = np.fromiter((k for k, rows in self._pending.items() for _ in rows), dtype=np.uint64, count=-1)
        rows = np.fromiter((r for rs in self._pending.values() for r in rs), dtype=np.uint32, count=len(keys))
        self._pending, self._pending_rows = {}, 0
        order = np.argsort(keys, kind="stable")
        self._runs.append((keys[order], rows[order]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            newer, older = self._runs.pop(), self._runs.pop()
            self._runs.append(_merge(older, newer))

    def candidates(self, m: Signature | MinHash) -> np.ndarray:
        """Rows sharing at least one band with ``m``."""
        query = band_keys(m.hashvalues if isinstance(m, MinHash) else m).ravel()
        found = [np.array(rows, dtype=np.uint32) for k in query.tolist() if (rows := self._pending.get(k))]
        for keys, rows in self._runs:
            lo = np.searchsorted(keys, query, side="left")
            hi = np.searchsorted(keys, query, side="right")
            found += [rows[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.uint32)

    def matches(self, m: Signature | MinHash) -> list[tuple[str, float]]:
        """Every held signature at or above the threshold: (id, estimated Jaccard similarity)."""
        rows = self.candidates(m)
        if not len(rows):
            return []
        values = m.hashvalues if isinstance(m, MinHash) else m
        held = np.stack([self._blocks[r // BLOCK][r % BLOCK] for r in rows.tolist()])
        scores = np.count_nonzero(held == np.asarray(values, dtype=np.uint32), axis=1) / NUM_PERM
        keep = scores >= self.threshold
        kept = zip(rows[keep].tolist(), scores[keep].tolist(), strict=True)
        return [(self.ids[r], float(s)) for r, s in kept]

    def best_match(self, m: Signature | MinHash) -> tuple[str, float] | None:
        """The most similar canonical at or above the threshold (ties: smallest id)."""
        found = self.matches(m)
        if not found:
            return None
        best = max(score for _, score in found)
        return min(ident for ident, score in found if score == best), best


@dataclass
class WindowSignatures:
    """The story window's canonical signatures, held but not indexed. A batch indexes only the
    rows sharing a band with one of its own signatures: exactly the rows LSH could return as a
    candidate for any of them, so every answer is the full index's. Sorting every band key of a
    26k-article window took ~0.1 s a batch; this is one `isin` over them."""

    ids: list[str] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.empty((0, NUM_PERM), dtype=np.uint32))

    def __len__(self) -> int:
        return len(self.ids)

    def index_for(self, queries: Iterable[Signature], threshold: float = THRESHOLD) -> NearDupIndex:
        index = NearDupIndex(threshold=threshold)
        wanted = [np.asarray(q, dtype=np.uint32) for q in queries]
        if not wanted or not self.ids:
            return index
        shares = np.isin(band_keys(self.matrix), band_keys(np.stack(wanted)).ravel()).any(axis=1)
        rows = np.flatnonzero(shares)
        index.add_many([self.ids[r] for r in rows.tolist()], self.matrix[rows])
        return index


def mark_near_duplicates(
    records: list[StoredArticle],
    signatures: dict[str, Signature],
    index: NearDupIndex,
    window: WindowSignatures | None = None,
) -> None:
    """Mark canonical records that are near-copies of an earlier canonical, in place.

    Records are visited earliest published first (then by id), like exact dedup, so the earliest
    copy is the canonical; a record left canonical joins the index for the records after it. A
    short record with no near-copy may be a teaser of a longer canonical of the window or of the
    batch (teaser_match): a teaser published after its article is its duplicate; an article
    published after its own teaser stays canonical (the longer text is the one to search).
    """
    window = window or WindowSignatures()
    canonical = [r for r in records if r.dedup_status == "canonical"]
    short = sum(
        map(
            is_teaser_sized,
            (signatures[r.article.article_id] for r in canonical if r.article.article_id in signatures),
        )
    )
    finder = TeaserFinder(window, short)
    batch_ids: list[str] = []
    batch: list[Signature] = []  # the batch's canonical signatures so far
    order = sorted(
        canonical,
        key=lambda r: (r.article.published_at is None, r.article.published_at, r.article.article_id),
    )
    for record in order:
        m = signatures.get(record.article.article_id)
        if m is None:
            continue
        match = index.best_match(m)
        if (not match or match[0] == record.article.article_id) and is_teaser_sized(m):
            found = [finder.match(m)]
            if batch:
                found.append(teaser_match(m, batch_ids, np.stack(batch)))
            match = min(
                (f for f in found if f), key=lambda f: (-f[1], f[0]), default=None
            )  # ties: smallest id
        if match and match[0] != record.article.article_id:
            record.dedup_status, record.duplicate_of = "duplicate", match[0]
            record.dedup_method, record.similarity = "minhash", match[1]
        else:
            index.add(record.article.article_id, m)
            batch_ids.append(record.article.article_id)
            batch.append(np.asarray(m, dtype=np.uint32))


def signatures_of(records: Iterable[StoredArticle]) -> dict[str, Signature]:
    return {r.article.article_id: minhash(r.article.body or "") for r in records}
