"""Incremental parsing of a streamed JSON array (``stream-start`` is not SSE: it is ``[a, b, ...]``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import ijson

from ._errors import StreamError


class JSONArrayReader:
    """Push bytes in as they arrive; get each complete top-level element out, in order."""

    def __init__(self, request: httpx.Request | None = None) -> None:
        self._ready: list[Any] = []
        self._coro = ijson.items_coro(_Sink(self._ready), "item", use_float=True)
        self._where = f"{request.method} {request.url.path}" if request is not None else "stream"
        self._closed = False

    def feed(self, chunk: bytes) -> Iterator[Any]:
        try:
            self._coro.send(chunk)
        except ijson.JSONError as exc:
            raise StreamError(f"{self._where}: the streamed JSON is malformed: {exc}") from exc
        yield from self._drain()

    def close(self) -> list[Any]:
        """End of input: raises StreamError if the array was cut short."""
        if self._closed:
            return []
        self._closed = True
        try:
            self._coro.close()
        except ijson.IncompleteJSONError as exc:
            raise StreamError(f"{self._where}: the stream ended before the JSON array was complete") from exc
        except ijson.JSONError as exc:
            raise StreamError(f"{self._where}: the streamed JSON is malformed: {exc}") from exc
        return list(self._drain())

    def _drain(self) -> Iterator[Any]:
        while self._ready:
            yield self._ready.pop(0)


class _Sink:
    def __init__(self, target: list[Any]) -> None:
        self._target = target

    def send(self, value: Any) -> None:
        self._target.append(value)
