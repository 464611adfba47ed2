"""``ohctl.connect(url)``: ask the server which API it serves and return the client that fits: the V1
``OpenHands`` when it serves V1 (current servers, the hosted Cloud), else the legacy
``LegacyOpenHands`` for a V0-only server. ``aconnect`` is the same for asyncio. Written once, in
``_async/detect.py``; the sync ``connect`` and ``probe`` are its generated twin."""

from __future__ import annotations

from ._async.detect import connect as aconnect
from ._sync.detect import connect, probe

__all__ = ["aconnect", "connect", "probe"]
