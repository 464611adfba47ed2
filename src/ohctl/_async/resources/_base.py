from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

T = TypeVar("T")


class AsyncResource:
    def __init__(self, client: AsyncOpenHands) -> None:
        self._client = client
        self._http = client._http


def parse_list(data: Any, parse: Callable[[Any], T]) -> list[T | None]:
    return [None if item is None else parse(item) for item in data]
