"""Measuring helpers for `python -m devkit bench`: wall time with the peak RSS seen while a section runs."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psutil

MIB = 1024 * 1024


@dataclass
class Measure:
    seconds: float = 0.0
    peak_rss_mib: float = 0.0  # the process's resident set at its highest during the section
    base_rss_mib: float = 0.0  # ... and when the section started (peak - base: what it added)

    def as_dict(self) -> dict[str, float]:
        return {
            "seconds": round(self.seconds, 4),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
            "added_rss_mib": round(max(self.peak_rss_mib - self.base_rss_mib, 0.0), 1),
        }


@contextmanager
def measured(into: Measure, interval_s: float = 0.01) -> Iterator[Measure]:
    """Add the block's wall time to ``into`` and raise its peak RSS (sampled by a thread, since
    ru_maxrss only ever grows over the whole process and cannot tell two sections apart)."""
    proc = psutil.Process(os.getpid())
    base = proc.memory_info().rss / MIB
    if not into.base_rss_mib:
        into.base_rss_mib = base
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(interval_s):
            peak[0] = max(peak[0], proc.memory_info().rss / MIB)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        yield into
    finally:
        into.seconds += time.perf_counter() - start
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], proc.memory_info().rss / MIB)
        into.peak_rss_mib = max(into.peak_rss_mib, peak[0])


def side_by_side(
    ours: Callable[[], Any], baseline: Callable[[], Any], rounds: int
) -> tuple[Measure, Measure]:
    """Alternate the two for ``rounds`` rounds (the machine is noisy: interleaving spreads the
    noise over both), after one untimed warm-up each (imports, models, JIT-less caches)."""
    ours()
    baseline()
    mine, theirs = Measure(), Measure()
    for _ in range(rounds):
        with measured(mine):
            ours()
        with measured(theirs):
            baseline()
    return mine, theirs


def rate(items: int, measure: Measure) -> float:
    return items / measure.seconds if measure.seconds else 0.0


@contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """These environment variables for the block, then the previous values back."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
