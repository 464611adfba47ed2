"""Lazy iteration over ``{items, next_page_id}`` pages: memory stays at one page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, TypeVar

from .._errors import InvalidArgumentError
from .._ids import MAX_PAGE_SIZE
from ..types.common import Page
from ._http import AsyncHTTP

T = TypeVar("T")


class AsyncPager(Generic[T]):
    """Iterate it for every item across all pages, fetched one page at a time as you go.

    ``pages()`` goes page by page; ``first_page()`` fetches one page; ``limit`` caps the total items.
    """

    def __init__(
        self,
        http: AsyncHTTP,
        path: str,
        params: dict[str, Any],
        parse: Callable[[Any], T],
        *,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> None:
        if page_size is not None and not 0 < page_size <= MAX_PAGE_SIZE:
            raise InvalidArgumentError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
        if limit is not None and limit < 0:
            raise InvalidArgumentError(f"limit must not be negative, not {limit}")
        self._http = http
        self._path = path
        self._params = params
        self._parse = parse
        self._page_size = page_size
        self._limit = limit

    async def fetch_page(self, page_id: str | None = None) -> Page[T]:
        size = self._page_size
        if self._limit is not None:
            size = min(size or MAX_PAGE_SIZE, max(self._limit, 1))
        data = await self._http.request("GET", self._path, params={**self._params, "page_id": page_id, "limit": size})
        return Page[T](
            items=[self._parse(item) for item in data.get("items") or []], next_page_id=data.get("next_page_id")
        )

    async def first_page(self) -> Page[T]:
        return await self.fetch_page(None)

    async def pages(self) -> AsyncIterator[Page[T]]:
        page_id: str | None = None
        seen: set[str] = set()
        while True:
            page = await self.fetch_page(page_id)
            yield page
            page_id = page.next_page_id
            if not page_id or not page.items or page_id in seen:
                return
            seen.add(page_id)

    async def _items(self) -> AsyncIterator[T]:
        remaining = self._limit
        if remaining == 0:
            return
        async for page in self.pages():
            for item in page.items:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def to_list(self) -> list[T]:
        """Every item in one list (mind the memory for very large results)."""
        return [item async for item in self]
