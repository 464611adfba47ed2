# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import OpenHands


class Resource:
    def __init__(self, client: OpenHands) -> None:
        self._client = client
        self._http = client._http
