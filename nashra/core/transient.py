"""Network errors worth another try, whichever S3 client raised them.

The lake's clients retry a failed *request* themselves (boto3, pyarrow's AWS SDK, delta-rs's
object store), but not every failure happens inside one: a response body cut short is noticed
while it is read (boto3 raises it from `read()`; delta-rs gives up on a listing whose body ends
early), after the client's retries are over. Those, and a timeout that outlasted them, are what
`retrying` repeats. Errors that mean something (no such object, access denied, a conflict) are
never retried here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 4

# Phrases of the errors the three clients raise for a broken connection (delta-rs's are chained
# Rust errors in one message; botocore's have their own classes, matched by name below).
_PHRASES = (
    "error reading a body",
    "response body error",
    "error getting list response body",
    "end of file before message length",
    "connection reset",
    "connection closed",
    "connection aborted",
    "broken pipe",
    "timed out",
    "operation timed out",
    "error sending request",
    "incomplete read",
    "unexpected eof",
    "curl error",
)
_BOTOCORE = {
    "IncompleteReadError",
    "ResponseStreamingError",
    "ReadTimeoutError",
    "ConnectTimeoutError",
    "EndpointConnectionError",
    "ConnectionClosedError",
}


def is_transient(exc: BaseException) -> bool:
    for err in _chain(exc):
        if type(err).__name__ in _BOTOCORE:
            return True
        if isinstance(err, ConnectionError | TimeoutError):
            return True
        text = str(err).lower()
        if any(phrase in text for phrase in _PHRASES):
            return True
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def retrying(operation: Callable[[], T], what: str, attempts: int = ATTEMPTS) -> T:
    """`operation()`, repeated (with a short jittered back-off) while it fails transiently."""
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            log.warning("%s: %s (attempt %d of %d), retrying", what, _first_line(exc), attempt, attempts)
            time.sleep(min(2.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
    raise AssertionError("unreachable")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
