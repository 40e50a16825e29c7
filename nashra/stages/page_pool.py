"""The per-page work of a batch: extraction, story keys and MinHash, over the machine's cores.

Pages are independent, so a large batch (a backfill's thousands of pages) is cut into chunks and
extracted in a process pool: threads would not help, the cascade is Python holding the GIL.
Results come back in page order and are the very values the serial path computes (the same pure
functions). Small batches (the hourly crawl's tens of pages) stay in the calling process: a pool's
start-up (a forkserver importing the transforms, ~1 s) would cost more than it saves.

NASHRA_PROCESS_WORKERS bounds the pool (default os.cpu_count(); 1 = no pool). The pool is made
once per process and kept for its next batches. It uses forkserver, not fork: the stage runs
threads (the story window's read, Delta commits) and forking a threaded process can deadlock.
A daemonic process (a Celery prefork worker) may not have children: there, the serial path.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import chain, islice
from typing import Any

from nashra.core.config import ConfigError
from nashra.core.model import Article, RawPage, Rejection
from transforms.article import process_page
from transforms.dedup import StoryKeys, article_story_keys
from transforms.neardup import Signature, minhash

WORKERS_ENV = "NASHRA_PROCESS_WORKERS"
MIN_POOL_PAGES = 200  # below this a batch is extracted in the calling process
CHUNK = 25  # pages per task: a few ms of pickling against ~0.1 s of extraction
IN_FLIGHT = 4  # chunks queued per worker: bounds the pages held beyond the ones being read


@dataclass(frozen=True)
class PageResult:
    result: Article | Rejection
    story_keys: StoryKeys | None = None  # for an Article: transforms.dedup.article_story_keys
    signature: Signature | None = None  # for an Article: its body's MinHash


def fetch_rejection(page: RawPage, error: str) -> Rejection:
    # A download cancelled over DOWNLOAD_MAXSIZE (also a gzip bomb, checked while inflating) is a
    # page too large, like one that arrived whole and failed the extraction cap.
    too_large = "download max size" in error.lower() or "DOWNLOAD_MAXSIZE" in error
    return Rejection(
        page_id=page.page_id,
        outlet_id=page.outlet_id,
        url=page.url,
        batch_id=page.batch_id,
        fetched_at=page.fetched_at,
        reasons=["too_large" if too_large else "fetch_error"],
        detail=error,
        stage="fetch",
    )


def page_result(page: RawPage, error: str | None, outlet: Any, now: datetime) -> PageResult:
    """Everything about one page that depends on that page alone."""
    if error:
        return PageResult(fetch_rejection(page, error))
    result = process_page(page, outlet, now=now)
    if not isinstance(result, Article):
        return PageResult(result)
    return PageResult(result, article_story_keys(result), minhash(result.body or ""))


def _chunk_results(chunk: list[tuple[RawPage, str | None]], outlet: Any, now: datetime) -> list[PageResult]:
    return [page_result(page, error, outlet, now) for page, error in chunk]


def workers() -> int:
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return os.cpu_count() or 1
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{WORKERS_ENV} must be a whole number of processes, 1 or more, not {raw!r}")
    return int(raw)


@cache
def _pool(size: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    # Imported once in the fork server, not again in each worker it forks.
    context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=size, mp_context=context)


def page_results(
    pages: Iterable[tuple[RawPage, str | None]], outlet: Any, now: datetime
) -> Iterator[PageResult]:
    """page_result of every (page, fetch error), in order: in a pool when the batch is large."""
    stream = iter(pages)
    head = list(islice(stream, MIN_POOL_PAGES))
    size = workers()
    if len(head) < MIN_POOL_PAGES or size < 2 or multiprocessing.current_process().daemon:
        for page, error in head:
            yield page_result(page, error, outlet, now)
        for page, error in stream:
            yield page_result(page, error, outlet, now)
        return
    pool = _pool(size)
    pending: deque[Future[list[PageResult]]] = deque()
    rest = iter(lambda: list(islice(stream, CHUNK)), [])
    chunks = (head[i : i + CHUNK] for i in range(0, len(head), CHUNK))
    try:
        for chunk in chain(chunks, rest):
            pending.append(pool.submit(_chunk_results, chunk, outlet, now))
            if len(pending) >= size * IN_FLIGHT:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool:
        # A worker died (killed, out of memory): this batch fails and is retried whole; the next
        # batch of this process gets a new pool instead of the broken one.
        _pool.cache_clear()
        raise
