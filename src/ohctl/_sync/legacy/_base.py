# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import LegacyOpenHands


class LegacyResource:
    """A V0 resource: its client's request pipeline, and the client itself for the other resources a
    flow needs (a wait reads events, a summary the settings)."""

    def __init__(self, client: LegacyOpenHands) -> None:
        self._client = client
        self._http = client._http
