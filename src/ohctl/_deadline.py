"""One deadline for a block of work: every request inside it is cut to the time left.

``with ohctl.deadline(30): ...`` bounds every ohctl request made in the block (the sync and async
clients alike): each request's timeouts shrink to the time left, no retry pause runs past it, and a
request started after it raises APITimeoutError at once. Waits set one for their ``timeout``, so a
wait ends within about a second of its deadline even while a request hangs. Nested deadlines keep
the earlier one. The deadline lives in a context variable: threads and asyncio tasks each see their
own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

_DEADLINE: ContextVar[float | None] = ContextVar("ohctl_deadline", default=None)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Bound every ohctl request in the block to ``seconds`` from now (None: no bound)."""
    if seconds is None:
        yield
        return
    new = time.monotonic() + max(0.0, seconds)
    current = _DEADLINE.get()
    token = _DEADLINE.set(new if current is None else min(current, new))
    try:
        yield
    finally:
        try:
            _DEADLINE.reset(token)
        except ValueError:  # left in another context (an async generator closed elsewhere)
            _DEADLINE.set(current)


def remaining() -> float | None:
    """Seconds left before the current deadline (may be negative), or None when there is none."""
    end = _DEADLINE.get()
    return None if end is None else end - time.monotonic()


def bounded(timeout: httpx.Timeout, left: float | None) -> httpx.Timeout:
    """``timeout`` with every phase cut to ``left`` seconds (at least a few milliseconds)."""
    if left is None:
        return timeout
    cap = max(left, 0.005)

    def cut(value: float | None) -> float:
        return cap if value is None else min(value, cap)

    return httpx.Timeout(
        connect=cut(timeout.connect), read=cut(timeout.read), write=cut(timeout.write), pool=cut(timeout.pool)
    )
