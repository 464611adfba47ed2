# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Lazy iteration over ``{items, next_page_id}`` pages: memory stays at one page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from .._backend import Check
from .._errors import InvalidArgumentError
from .._ids import MAX_CURSOR, MAX_PAGE_SIZE
from ..types.common import Page
from ._http import HTTP

T = TypeVar("T")


def page_of(data: Any, parse: Callable[[Any], T], *, strict: bool = False) -> Page[T]:
    """A page's decoded body as a Page, each item through ``parse``. ``strict``: a body without an
    ``items`` list is not a page (a raw route given to ``paginate`` that does not page), rather than
    an empty page."""
    if not isinstance(data, dict):
        raise TypeError(f"a page is a JSON object with items and next_page_id, not {type(data).__name__}")
    if strict and not isinstance(data.get("items"), list):
        raise TypeError("not a page: a page is a JSON object with an items list and next_page_id")
    items = data.get("items") or []
    if not isinstance(items, list):
        raise TypeError(f"items is a {type(items).__name__}, not a list")
    next_page_id = data.get("next_page_id")
    if next_page_id is not None and not isinstance(next_page_id, str):
        raise TypeError(f"next_page_id is a {type(next_page_id).__name__}, not a string")
    if next_page_id is not None and len(next_page_id) > MAX_CURSOR:
        raise ValueError(f"next_page_id is {len(next_page_id)} characters long (a cursor is at most {MAX_CURSOR})")
    return Page[T](items=[parse(item) for item in items], next_page_id=next_page_id)


class Pager(Generic[T]):
    """Iterate it for every item across all pages, fetched one page at a time as you go.

    ``pages()`` goes page by page; ``first_page()`` fetches one page; ``limit`` caps the total items
    (and the last page asks only for what is left). ``parse_page``, when given, turns a page's raw
    body into the page in one pass (events: thousands per conversation) instead of ``parse`` per item.
    ``cursor`` is the ``page_id`` of the next page to fetch: when a failure stops an iteration,
    ``pager.resume(pager.cursor)`` (or ``start_page_id=`` on the search) goes on from the page that
    failed, with nothing lost and nothing repeated.
    """

    def __init__(
        self,
        http: HTTP,
        path: str,
        params: dict[str, Any],
        parse: Callable[[Any], T],
        *,
        page_size: int | None = None,
        limit: int | None = None,
        on_empty: Check | None = None,
        start_page_id: str | None = None,
        parse_page: Callable[[bytes], Page[T]] | None = None,
    ) -> None:
        if page_size is not None and not 0 < page_size <= MAX_PAGE_SIZE:
            raise InvalidArgumentError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
        if limit is not None and limit < 0:
            raise InvalidArgumentError(f"limit must not be negative, not {limit}")
        self._http = http
        self._path = path
        self._params = params
        self._parse = parse
        self._parse_page = parse_page
        self._page_size = page_size
        self._limit = limit
        self._on_empty = on_empty  # runs when the first page is empty (it may raise to explain why)
        self._start = start_page_id
        self.cursor: str | None = start_page_id
        self.pages_fetched = 0

    def resume(self, cursor: str | None) -> Self:
        """The same search, starting at the page ``cursor`` names (a ``next_page_id``)."""
        return type(self)(
            self._http,
            self._path,
            self._params,
            self._parse,
            page_size=self._page_size,
            limit=self._limit,
            start_page_id=cursor,
            parse_page=self._parse_page,
        )

    def _page(self, data: Any) -> Page[T]:
        return page_of(data, self._parse)

    def page_size_for(self, left: int | None) -> int | None:
        """The ``limit`` to ask a page for when ``left`` items are still wanted (None: no cap): the
        page size, but never more than what is left, so ``limit=150`` asks for 100 and then 50."""
        if left is None:
            return self._page_size
        return min(self._page_size or MAX_PAGE_SIZE, max(left, 1))

    def fetch_page(self, page_id: str | None = None, *, want: int | None = None) -> Page[T]:
        """One page; ``want`` is how many items are still wanted (the limit when not given)."""
        size = self.page_size_for(self._limit if want is None else want)
        params = {**self._params, "page_id": page_id, "limit": size}
        if self._parse_page is not None:
            page = self._http.request("GET", self._path, params=params, parse_raw=self._parse_page)
        else:
            page = self._http.request("GET", self._path, params=params, parse=self._page)
        self.pages_fetched += 1
        return page

    def first_page(self) -> Page[T]:
        return self.fetch_page(self._start)

    def pages(self) -> Iterator[Page[T]]:
        """Page after page; with a ``limit``, it stops once that many items have come.

        No page is kept while the next one is fetched and parsed: at most one page is in memory (and
        the garbage collector does not see two pages' worth of live objects at each pass)."""
        page_id = self._start
        seen: set[str] = set()
        left = self._limit
        if left == 0:
            return
        while True:
            self.cursor = page_id
            page = self.fetch_page(page_id, want=left)
            if page_id is None and not page.items and self._on_empty is not None:
                self._on_empty()
            page_id = page.next_page_id
            self.cursor = page_id
            count = len(page.items)
            if left is not None:
                left -= count
            yield page
            del page
            if not page_id or not count or page_id in seen or (left is not None and left <= 0):
                if not page_id or not count or page_id in seen:
                    self.cursor = None
                return
            seen.add(page_id)

    def _items(self) -> Iterator[T]:
        remaining = self._limit
        if remaining == 0:
            return
        for page in self.pages():
            items = page.items
            del page  # the page is dropped before the next is fetched (see pages)
            for item in items:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return
            del items

    def __iter__(self) -> Iterator[T]:
        return self._items()

    def to_list(self) -> list[T]:
        """Every item in one list (mind the memory for very large results)."""
        return [item for item in self]


class RawPager(Pager[Any]):
    """The pager of ``client.paginate(path)``: items as plain JSON, and an answer without an ``items``
    list is an error (the route does not page), not an empty result."""

    def __init__(
        self,
        http: HTTP,
        path: str,
        params: dict[str, Any],
        parse: Callable[[Any], Any] = lambda item: item,
        **kwargs: Any,
    ) -> None:
        super().__init__(http, path, params, parse, **kwargs)

    def _page(self, data: Any) -> Page[Any]:
        return page_of(data, self._parse, strict=True)
