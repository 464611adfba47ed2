"""The few primitives that differ between the async source and its generated sync twin.

The sync code is generated from ``_async/`` by ``scripts/gen_sync.py``, which renames
``async_sleep`` to ``sync_sleep`` and ``AsyncSleep`` to ``SyncSleep``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

AsyncSleep = Callable[[float], Awaitable[None]]
SyncSleep = Callable[[float], None]


async def async_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


def sync_sleep(seconds: float) -> None:
    time.sleep(seconds)
