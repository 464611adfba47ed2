from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import AsyncLegacyOpenHands


class AsyncLegacyResource:
    """A V0 resource: its client's request pipeline, and the client itself for the other resources a
    flow needs (a wait reads events, a summary the settings)."""

    def __init__(self, client: AsyncLegacyOpenHands) -> None:
        self._client = client
        self._http = client._http
