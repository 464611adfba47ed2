"""The few primitives that differ between the async source and its generated sync twin.

The sync code is generated from ``_async/`` by ``scripts/gen_sync.py``, which renames each
``async_*`` function here to its ``sync_*`` twin and ``Async*`` types to ``Sync*``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as _async_connect
from websockets.sync.client import ClientConnection as _SyncClientConnection
from websockets.sync.client import connect as _sync_connect


class RedactCredentials(logging.Filter):
    """Blanks session keys and credential headers in a record's text (the websockets library logs
    the handshake's headers and every frame at DEBUG, and the first frame carries the session key)."""

    PATTERNS = (
        re.compile(r"""(session_api_key['"]?\s*[:=]\s*['"]?)[^'"\s,}&]+""", re.IGNORECASE),
        re.compile(r"((?:x-session-api-key|authorization|cookie|set-cookie|x-access-token)\s*[:=]\s*)[^\r\n]+", re.I),
    )

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = text
        for pattern in self.PATTERNS:
            redacted = pattern.sub(r"\1<redacted>", redacted)
        if redacted != text:
            record.msg, record.args = redacted, None
        return True


# websockets connections log under ohctl (so the ohctl loggers' levels govern them), redacted.
WS_LOGGER = logging.getLogger("ohctl.websocket")
WS_LOGGER.addFilter(RedactCredentials())

AsyncSleep = Callable[[float], Awaitable[None]]
SyncSleep = Callable[[float], None]
AsyncCheck = Callable[[], Awaitable[None]]  # a check run once, e.g. when a search comes back empty
SyncCheck = Callable[[], None]
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
        url, additional_headers=dict(headers), open_timeout=WS_OPEN_TIMEOUT, max_size=WS_MAX_FRAME, logger=WS_LOGGER
    )


def sync_ws_connect(url: str, headers: Mapping[str, str]) -> SyncWebSocket:
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


def sync_ws_recv(ws: SyncWebSocket, timeout: float | None) -> str | bytes:
    return ws.recv(timeout=timeout)
