from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import AsyncOpenHands


class AsyncResource:
    def __init__(self, client: AsyncOpenHands) -> None:
        self._client = client
        self._http = client._http
