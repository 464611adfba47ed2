# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Pages of V0 conversations: ``{"results": [...], "next_page_id"}`` (V1 pages say ``items``)."""

from __future__ import annotations

from typing import Any, TypeVar

from ...types.common import Page
from .._pagination import Pager

T = TypeVar("T")


class LegacyPager(Pager[T]):
    """An ``AsyncPager`` over V0 result sets: iterate for every item, ``pages()`` page by page,
    ``resume(cursor)`` after a failure."""

    def _page(self, data: Any) -> Page[T]:
        if isinstance(data, dict) and "results" in data:
            data = {"items": data.get("results"), "next_page_id": data.get("next_page_id")}
        return super()._page(data)
