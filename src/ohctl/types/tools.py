"""The agent server's tool catalog (``GET /api/tools/catalog``, agent server 1.58)."""

from __future__ import annotations

from .common import OhModel


class ToolCatalogEntry(OhModel):
    """One tool (``ToolCatalogEntry``). Offer the ``user_selectable`` ones; ``usable`` says whether the
    runtime the conversations run in can run it (e.g. no browser); ``in_default_set`` marks the
    tools an agent gets by default."""

    name: str
    user_selectable: bool = True
    usable: bool = True
    description: str = ""
    in_default_set: bool = False
