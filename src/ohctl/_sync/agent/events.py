# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""A conversation's stored events on its agent server: search, count, batch get."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..._errors import InternalServerError, NotFoundError
from ..._event_filters import event_time, kind_path
from ..._ids import MAX_AGENT_EVENT_IDS, ConversationRef, chunked, many
from ..._parse import count, nullable_list
from ..._routes import route
from ...types.events import Event, parse_event, parse_event_page
from .._pagination import Pager
from ._base import AgentResource


def filters(
    kind: str | type | None,
    source: str | None,
    body: str | None,
    since: datetime | str | None,
    before: datetime | str | None,
) -> dict[str, Any]:
    """The filters search and count share (``since`` inclusive, ``before`` exclusive)."""
    return {
        "kind": kind_path(kind),
        "source": source,
        "body": body,
        "timestamp__gte": event_time(since),
        "timestamp__lt": event_time(before),
    }


def _unknown_event(exc: InternalServerError) -> bool:
    """Agent server 1.34 answers an unknown event id with a 500 naming it."""
    return "Unknown event_id" in str(exc.body)


class AgentEvents(AgentResource):
    def search(
        self,
        conversation: ConversationRef | None = None,
        *,
        kind: str | type | None = None,
        source: str | None = None,
        body: str | None = None,
        since: datetime | str | None = None,
        before: datetime | str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[Event]:
        """Events oldest first (``sort_order="TIMESTAMP_DESC"`` for newest first), lazily paged.
        ``kind``: a class name such as ``"MessageEvent"``; ``source``: agent, user, environment or
        hook; ``body``: text the message contains (case-insensitive)."""
        params = {**filters(kind, source, body, since, before), "sort_order": sort_order}
        path = route(
            "/api/conversations/{conversation_id}/events/search", conversation_id=self._conversation(conversation)
        )
        return Pager(
            self._http, path, params, parse_event, page_size=page_size, limit=limit, parse_page=parse_event_page
        )

    def count(
        self,
        conversation: ConversationRef | None = None,
        *,
        kind: str | type | None = None,
        source: str | None = None,
        body: str | None = None,
        since: datetime | str | None = None,
        before: datetime | str | None = None,
    ) -> int:
        params = filters(kind, source, body, since, before)
        path = route(
            "/api/conversations/{conversation_id}/events/count", conversation_id=self._conversation(conversation)
        )
        return self._http.request("GET", path, params=params, parse=count)

    def retrieve(self, event_id: str, conversation: ConversationRef | None = None) -> Event | None:
        """One event, or None if the conversation has no such event."""
        path = route(
            "/api/conversations/{conversation_id}/events/{event_id}",
            conversation_id=self._conversation(conversation),
            event_id=event_id,
        )
        try:
            return self._http.request("GET", path, retry_server_errors=False, parse=parse_event)
        except NotFoundError:
            return None
        except InternalServerError as exc:
            if _unknown_event(exc):
                return None
            raise

    def get(self, ids: Iterable[str], conversation: ConversationRef | None = None) -> list[Event | None]:
        """Batch get in the order asked, None for unknown ids (the ids go as a JSON body on the GET).
        On agent server 1.34 one unknown id fails the whole batch: then each id is fetched alone."""
        wanted = list(many(ids, "event id"))
        path = route("/api/conversations/{conversation_id}/events", conversation_id=self._conversation(conversation))
        out: list[Event | None] = []
        for part in chunked(wanted, MAX_AGENT_EVENT_IDS):
            try:
                out += self._http.request(
                    "GET",
                    path,
                    json=list(part),
                    retry_server_errors=False,
                    parse=nullable_list(parse_event, len(part)),
                )
            except InternalServerError as exc:
                if not _unknown_event(exc):
                    raise
                out.extend([self.retrieve(event_id, conversation) for event_id in part])
        return out
