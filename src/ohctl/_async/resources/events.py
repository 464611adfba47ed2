from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from ..._event_filters import event_time, kind_name
from ..._ids import MAX_EVENT_IDS, ConversationRef, chunked, conversation_id, many
from ..._parse import count as parse_count
from ..._parse import nullable_list
from ..._routes import route
from ...types.events import Event, parse_event, parse_event_page
from .._pagination import AsyncPager
from ..lib.id_checks import reject_start_task_ids
from ._base import AsyncResource


def filters(kind: str | None, since: datetime | str | None, before: datetime | str | None) -> dict[str, Any]:
    """The filters search and count share (``since`` inclusive, ``before`` exclusive)."""
    return {"kind__eq": kind_name(kind), "timestamp__gte": event_time(since), "timestamp__lt": event_time(before)}


class AsyncEvents(AsyncResource):
    """Events the app server stored for a conversation (they can trail the live agent by ~30 s)."""

    def search(
        self,
        conversation: ConversationRef,
        *,
        kind: str | None = None,
        since: datetime | str | None = None,
        before: datetime | str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> AsyncPager[Event]:
        """Events oldest first (``sort_order="TIMESTAMP_DESC"`` for newest first), lazily paged.

        ``kind`` is an event class name such as ``"MessageEvent"``; ``since`` is inclusive and
        ``before`` exclusive."""
        params = {**filters(kind, since, before), "sort_order": sort_order}
        cid = conversation_id(conversation)
        return AsyncPager(
            self._http,
            route("/api/v1/conversation/{conversation_id}/events/search", conversation_id=cid),
            params,
            parse_event,
            page_size=page_size,
            limit=limit,
            on_empty=lambda: reject_start_task_ids(self._client, [cid]),
            parse_page=parse_event_page,
        )

    async def count(
        self,
        conversation: ConversationRef,
        *,
        kind: str | None = None,
        since: datetime | str | None = None,
        before: datetime | str | None = None,
    ) -> int:
        params = filters(kind, since, before)
        cid = conversation_id(conversation)
        path = route("/api/v1/conversation/{conversation_id}/events/count", conversation_id=cid)
        count = await self._http.request("GET", path, params=params, parse=parse_count)
        if count == 0:
            await reject_start_task_ids(self._client, [cid])
        return count

    async def get(self, conversation: ConversationRef, ids: Iterable[str]) -> list[Event | None]:
        """Batch get by event id, in order, with None for unknown ids."""
        out: list[Event | None] = []
        cid = conversation_id(conversation)
        path = route("/api/v1/conversation/{conversation_id}/events", conversation_id=cid)
        for part in chunked(many(ids, "event id"), MAX_EVENT_IDS):
            out += await self._http.request(
                "GET", path, params={"id": list(part)}, parse=nullable_list(parse_event, len(part))
            )
        if out and all(event is None for event in out):
            await reject_start_task_ids(self._client, [cid])
        return out

    async def stream(
        self,
        conversation: ConversationRef,
        *,
        after: datetime | str | None = None,
        until_done: bool = True,
        poll_interval: float = 2.0,
    ) -> AsyncIterator[Event]:
        """Every event of the conversation once, in order: live from its agent server when the
        sandbox is running (WebSocket, with REST polling as the fallback), else by polling these
        stored events. With ``until_done`` (default) the stream ends when the agent's latest run
        has finished; a paused or gone sandbox gives its history and ends."""
        from ..lib.event_stream import app_event_stream

        async for event in app_event_stream(
            self._client, conversation, after=after, until_done=until_done, poll_interval=poll_interval
        ):
            yield event
