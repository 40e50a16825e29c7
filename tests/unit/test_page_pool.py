"""A large batch's pages extracted in a process pool give the serial path's results, in page order."""

from __future__ import annotations

import numpy as np
import pytest

from bench.process import make_batches
from nashra.core.config import ConfigError
from nashra.core.model import Article
from nashra.stages import page_pool


def _pages() -> tuple[list, object, object]:
    batches, now = make_batches(reps=4, outlets=("arc_ar", "wordpress_fr"))
    batch = batches[0]
    pages = [(p, None) for p in batch.pages]
    pages[2] = (pages[2][0], "download max size exceeded (DOWNLOAD_MAXSIZE)")  # a cancelled download
    return pages, batch.outlet, now


def test_pool_results_equal_the_serial_ones_in_page_order(monkeypatch: pytest.MonkeyPatch) -> None:
    pages, outlet, now = _pages()
    monkeypatch.setenv(page_pool.WORKERS_ENV, "1")
    serial = list(page_pool.page_results(pages, outlet, now))
    monkeypatch.setenv(page_pool.WORKERS_ENV, "2")
    monkeypatch.setattr(page_pool, "MIN_POOL_PAGES", 3)
    monkeypatch.setattr(page_pool, "CHUNK", 2)  # several chunks, some in flight at once
    pooled = list(page_pool.page_results(pages, outlet, now))

    assert [r.result for r in pooled] == [r.result for r in serial]
    assert [r.result.page_id for r in pooled] == [p.page_id for p, _ in pages]
    assert pooled[2].result.reasons == ["too_large"]
    articles = [(a, b) for a, b in zip(pooled, serial, strict=True) if isinstance(a.result, Article)]
    assert len(articles) >= len(pages) // 2
    for a, b in articles:
        assert a.story_keys == b.story_keys and a.story_keys[1]
        assert np.array_equal(a.signature, b.signature)


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(page_pool.WORKERS_ENV, value)
    with pytest.raises(ConfigError, match="NASHRA_PROCESS_WORKERS must be a whole number"):
        page_pool.workers()


def test_a_worker_killed_fails_the_batch_and_the_next_batch_gets_a_new_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    import signal
    from concurrent.futures.process import BrokenProcessPool

    pages, outlet, now = _pages()
    monkeypatch.setenv(page_pool.WORKERS_ENV, "2")
    monkeypatch.setattr(page_pool, "MIN_POOL_PAGES", 3)
    monkeypatch.setattr(page_pool, "CHUNK", 2)
    list(page_pool.page_results(pages, outlet, now))  # the pool exists, its workers started
    pool = page_pool._pool(2)
    os.kill(next(iter(pool._processes)), signal.SIGKILL)  # an out-of-memory kill, say
    with pytest.raises(BrokenProcessPool):
        list(page_pool.page_results(pages, outlet, now))
    assert page_pool._pool(2) is not pool
    again = list(page_pool.page_results(pages, outlet, now))
    assert [r.result.page_id for r in again] == [p.page_id for p, _ in pages]


def test_a_registry_outlet_reaches_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real outlets carry read-only hints (mappingproxies) that pickle refused: the load test's
    2,000-page batch failed with "cannot pickle 'mappingproxy' object" in the pool."""
    import pickle

    from nashra.core.registry import load_registry
    from tests.support import FIXTURE_REGISTRY

    monkeypatch.setenv("NASHRA_REGISTRY", str(FIXTURE_REGISTRY))
    outlet = next(o for o in load_registry().enabled() if o.hints)
    copy = pickle.loads(pickle.dumps(outlet))
    assert copy == outlet and dict(copy.hints) == dict(outlet.hints)
    with pytest.raises(TypeError):
        copy.hints["x"] = 1  # still read-only
    pages, _, now = _pages()
    monkeypatch.setenv(page_pool.WORKERS_ENV, "2")
    monkeypatch.setattr(page_pool, "MIN_POOL_PAGES", 3)
    pooled = list(page_pool.page_results(pages, outlet, now))
    assert [r.result.page_id for r in pooled] == [p.page_id for p, _ in pages]
