"""The few primitives that differ between the async source and its generated sync twin.

The sync code is generated from ``_async/`` by ``scripts/gen_sync.py``, which renames each
``async_*`` function here to its ``sync_*`` twin and each ``AsyncX`` type to ``X``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from ._redact import redact_text

if TYPE_CHECKING:  # websockets is imported when a socket opens: most programs never open one
    import threading
    from typing import TypeAlias

    from websockets.asyncio.client import ClientConnection as _AsyncConnection
    from websockets.sync.client import ClientConnection as _SyncConnection

    AsyncWebSocket: TypeAlias = _AsyncConnection
    WebSocket: TypeAlias = _SyncConnection


class RedactCredentials(logging.Filter):
    """Blanks session keys and credential headers in a record's text (the websockets library logs
    the handshake's headers and every frame at DEBUG, and the first frame carries the session key)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = redact_text(text)
        if redacted != text:
            record.msg, record.args = redacted, None
        return True


# websockets connections log under ohctl (so the ohctl loggers' levels govern them), redacted.
WS_LOGGER = logging.getLogger("ohctl.websocket")
WS_LOGGER.addFilter(RedactCredentials())

AsyncSleep = Callable[[float], Awaitable[None]]
Sleep = Callable[[float], None]
AsyncCheck = Callable[[], Awaitable[None]]  # a check run once, e.g. when a search comes back empty
Check = Callable[[], None]

WS_MAX_FRAME = 64 * 1024 * 1024  # a full_state snapshot or a system prompt can be large
WS_OPEN_TIMEOUT = 15.0


P = TypeVar("P")
T = TypeVar("T")
GATHER_LIMIT = 8  # batch calls in flight at once (a poll over 1,000 conversations is 11 calls)


async def async_gather_parts(parts: Sequence[P], fetch: Callable[[P], Awaitable[list[T]]]) -> list[T]:
    """``fetch`` of every part, concatenated in order; the async client sends them concurrently
    (at most GATHER_LIMIT at once), the sync one in turn. The first failure cancels the rest."""
    if len(parts) <= 1:
        return [item for part in parts for item in await fetch(part)]
    gate = asyncio.Semaphore(GATHER_LIMIT)

    async def one(part: P) -> list[T]:
        async with gate:
            return await fetch(part)

    tasks = [asyncio.ensure_future(one(part)) for part in parts]
    try:
        results = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [item for result in results for item in result]


def sync_gather_parts(parts: Sequence[P], fetch: Callable[[P], list[T]]) -> list[T]:
    return [item for part in parts for item in fetch(part)]


async def async_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def sync_sleep(seconds: float) -> None:
    time.sleep(seconds)


async def async_ws_connect(url: str, headers: Mapping[str, str]) -> AsyncWebSocket:
    from websockets.asyncio.client import connect as _async_connect

    return await _async_connect(
        url, additional_headers=dict(headers), open_timeout=WS_OPEN_TIMEOUT, max_size=WS_MAX_FRAME, logger=WS_LOGGER
    )


def sync_ws_connect(url: str, headers: Mapping[str, str]) -> WebSocket:
    from websockets.sync.client import connect as _sync_connect

    ws = _sync_connect(
        url, additional_headers=dict(headers), open_timeout=WS_OPEN_TIMEOUT, max_size=WS_MAX_FRAME, logger=WS_LOGGER
    )
    # The caller closes it; entering marks it as managed (websockets 17.1 warns otherwise).
    return ws.__enter__()


async def async_ws_recv(ws: AsyncWebSocket, timeout: float | None) -> str | bytes:
    """The next frame; TimeoutError when none comes within ``timeout`` (cancelling recv is safe)."""
    if timeout is None:
        return await ws.recv()
    try:
        return await asyncio.wait_for(ws.recv(), timeout)
    except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
        raise TimeoutError(f"no frame within {timeout}s") from None


def sync_ws_recv(ws: WebSocket, timeout: float | None) -> str | bytes:
    return ws.recv(timeout=timeout)


# -- best-effort jobs that must not hold up the caller (a title the agent server takes between steps) --
AsyncJob: TypeAlias = "asyncio.Task[None]"
Job: TypeAlias = "threading.Thread"
AsyncWork = Callable[[], Awaitable[None]]
Work = Callable[[], None]


async def async_spawn(job: AsyncWork) -> AsyncJob:
    """Run ``job`` in the background: the async client as a task, the sync one in a daemon thread.
    The job handles its own failures (it is best effort); ``async_settle`` lets it finish."""

    async def run() -> None:
        await job()

    return asyncio.ensure_future(run())


def sync_spawn(job: Work) -> Job:
    import threading

    thread = threading.Thread(target=job, name="ohctl-job", daemon=True)
    thread.start()
    return thread


async def async_settle(jobs: list[AsyncJob], timeout: float) -> None:
    """Let the jobs finish, for ``timeout`` seconds at most (then the async ones are cancelled)."""
    pending = [job for job in jobs if not job.done()]
    jobs.clear()
    if pending:
        _, late = await asyncio.wait(pending, timeout=timeout)
        for job in late:
            job.cancel()


def sync_settle(jobs: list[Job], timeout: float) -> None:
    pending = list(jobs)
    jobs.clear()
    end = time.monotonic() + timeout
    for job in pending:
        job.join(max(0.0, end - time.monotonic()))
