"""Near-duplicate index benchmark: insert+query throughput and peak RSS at growing sizes.

Documents are synthetic at the signature level (the measure is the index, not text generation):
each is a set of 300 random 32-bit shingle hashes, and one in twenty is a near-copy of an earlier
one with a fifth of its shingles replaced (Jaccard ~0.67, above the 0.6 threshold), so queries
find real candidates. Signatures use datasketch's affine32 permutations (same shape and value
range as real ones). Each size runs in a fresh process, so its peak RSS is its own:

    python -m nashra.bench_neardup 100000 numpy|datasketch
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np

SHINGLES = 300
COPY_EVERY = 20
CHUNK = 200  # keeps the (chunk, shingles, perms) temporary at ~30 MB, out of the peak


def synthetic_signatures(n: int, seed: int = 7) -> tuple[np.ndarray, int]:
    """(n, NUM_PERM) uint32 signatures and how many documents are planted near-copies."""
    from datasketch import MinHash

    from transforms.neardup import _SEED, NUM_PERM, SCHEME

    a, b = (p.astype(np.uint32) for p in MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME).permutations)
    rng = np.random.default_rng(seed)
    out = np.empty((n, NUM_PERM), dtype=np.uint32)
    planted, back = 0, COPY_EVERY // 2
    previous = np.empty((0, SHINGLES), dtype=np.uint32)
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        hashes = rng.integers(0, 2**32, size=(size, SHINGLES), dtype=np.uint32)
        for i in range(COPY_EVERY - 1, size, COPY_EVERY):
            if start + i < COPY_EVERY:
                continue
            # a near-copy of a recent document: 4/5 of its shingles, 1/5 new
            source = hashes[i - back] if i >= back else previous[i - back]
            hashes[i, SHINGLES // 5 :] = source[SHINGLES // 5 :]
            planted += 1
        previous = hashes
        # affine32 permutation of every shingle, min per permutation (uint32 arithmetic wraps)
        out[start : start + size] = (hashes[:, :, None] * a + b).min(axis=1)
    return out, planted


def run_numpy(sigs: np.ndarray) -> int:
    from transforms.neardup import NearDupIndex

    index, found = NearDupIndex(), 0
    for i, sig in enumerate(sigs):
        if index.best_match(sig):  # what mark_near_duplicates does per canonical row
            found += 1
        else:
            index.add(f"{i:012d}", sig)
    return found


def run_datasketch(sigs: np.ndarray) -> int:
    """The index we had: datasketch's MinHashLSH (same bands) with LeanMinHash objects."""
    from datasketch import LeanMinHash, MinHashLSH

    from transforms.neardup import _SEED, LSH_THRESHOLD, NUM_PERM, SCHEME, THRESHOLD

    lsh, kept, found = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM), {}, 0
    for i, values in enumerate(sigs):
        m = LeanMinHash(seed=_SEED, hashvalues=values, scheme=SCHEME)
        if any(m.jaccard(kept[k]) >= THRESHOLD for k in lsh.query(m)):
            found += 1
        else:
            key = f"{i:012d}"
            lsh.insert(key, m)
            kept[key] = m
    return found


def measure(n: int, impl: str) -> dict[str, Any]:
    sigs, planted = synthetic_signatures(n)
    before = peak_rss_mib()
    start = time.perf_counter()
    found = (run_numpy if impl == "numpy" else run_datasketch)(sigs)
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    return {
        "impl": impl,
        "docs": n,
        "seconds": round(seconds, 3),
        "docs_per_s": round(n / seconds, 1),
        "peak_rss_mib": round(peak, 1),
        "rss_before_index_mib": round(before, 1),  # interpreter + the input signatures
        "planted_near_copies": planted,
        "near_copies_found": found,
    }


def peak_rss_mib() -> float:
    """This process's high-water RSS. Not ru_maxrss: Linux carries it over exec() from the
    forking parent, so a child started by a big bench process would report the parent's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib / 1024


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), sys.argv[2])))
