"""The few primitives that differ between the async source and its generated sync twin.

The sync code is generated from ``_async/`` by ``scripts/gen_sync.py``, which renames each
``async_*`` function here to its ``sync_*`` twin and ``Async*`` types to ``Sync*``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as _async_connect
from websockets.sync.client import ClientConnection as _SyncClientConnection
from websockets.sync.client import connect as _sync_connect

AsyncSleep = Callable[[float], Awaitable[None]]
SyncSleep = Callable[[float], None]
AsyncWebSocket = ClientConnection
SyncWebSocket = _SyncClientConnection

WS_MAX_FRAME = 64 * 1024 * 1024  # a full_state snapshot or a system prompt can be large
WS_OPEN_TIMEOUT = 15.0


async def async_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def sync_sleep(seconds: float) -> None:
    time.sleep(seconds)


async def async_ws_connect(url: str, headers: Mapping[str, str]) -> AsyncWebSocket:
    return await _async_connect(
        url, additional_headers=dict(headers), open_timeout=WS_OPEN_TIMEOUT, max_size=WS_MAX_FRAME
    )


def sync_ws_connect(url: str, headers: Mapping[str, str]) -> SyncWebSocket:
    ws = _sync_connect(url, additional_headers=dict(headers), open_timeout=WS_OPEN_TIMEOUT, max_size=WS_MAX_FRAME)
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


def sync_ws_recv(ws: SyncWebSocket, timeout: float | None) -> str | bytes:
    return ws.recv(timeout=timeout)
