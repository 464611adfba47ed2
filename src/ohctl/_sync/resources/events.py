# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from ..._ids import ConversationId, conversation_id
from ...types.events import Event, parse_event
from .._pagination import Pager
from ._base import SyncResource, chunks, parse_list

MAX_IDS = 100


def event_time(value: datetime | str | None) -> str | None:
    """Event timestamps are naive and compared as strings: send aware times as naive UTC."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()


def kind_name(kind: str | type | None) -> str | None:
    if kind is None or isinstance(kind, str):
        return kind.rsplit(".", 1)[-1] if isinstance(kind, str) else None
    return kind.__name__


class SyncEvents(SyncResource):
    """Events the app server stored for a conversation (they can trail the live agent by ~30 s)."""

    @staticmethod
    def _path(conv: Any) -> str:
        return f"/api/v1/conversation/{conversation_id(conv)}/events"

    def search(
        self,
        conversation: ConversationId | str | Any,
        *,
        kind: str | None = None,
        since: datetime | str | None = None,
        before: datetime | str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[Event]:
        """Events oldest first (``sort_order="TIMESTAMP_DESC"`` for newest first), lazily paged.

        ``kind`` is an event class name such as ``"MessageEvent"``; ``since`` is inclusive and
        ``before`` exclusive."""
        params = {
            "kind__eq": kind_name(kind),
            "timestamp__gte": event_time(since),
            "timestamp__lt": event_time(before),
            "sort_order": sort_order,
        }
        return Pager(
            self._http, self._path(conversation) + "/search", params, parse_event, page_size=page_size, limit=limit
        )

    def count(
        self,
        conversation: ConversationId | str | Any,
        *,
        kind: str | None = None,
        since: datetime | str | None = None,
        before: datetime | str | None = None,
    ) -> int:
        params = {"kind__eq": kind_name(kind), "timestamp__gte": event_time(since), "timestamp__lt": event_time(before)}
        return int(self._http.request("GET", self._path(conversation) + "/count", params=params))

    def get(self, conversation: ConversationId | str | Any, ids: Iterable[str]) -> list[Event | None]:
        """Batch get by event id, in order, with None for unknown ids."""
        out: list[Event | None] = []
        for part in chunks(list(ids), MAX_IDS):
            data = self._http.request("GET", self._path(conversation), params={"id": list(part)})
            out.extend(parse_list(data, parse_event))
        return out

    def stream(
        self,
        conversation: ConversationId | str | Any,
        *,
        after: datetime | str | None = None,
        until_done: bool = True,
        poll_interval: float = 2.0,
    ) -> Iterator[Event]:
        """Every event of the conversation once, in order: live from its agent server when the
        sandbox is running (WebSocket, with REST polling as the fallback), else by polling these
        stored events. With ``until_done`` (default) the stream ends when the agent's latest run
        has finished; a paused or gone sandbox gives its history and ends."""
        from ..app_stream import app_event_stream

        for event in app_event_stream(
            self._client, conversation, after=after, until_done=until_done, poll_interval=poll_interval
        ):
            yield event
