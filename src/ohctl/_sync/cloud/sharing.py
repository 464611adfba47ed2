# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Conversations their owners shared publicly: ``client.cloud.shared``.

These routes need no key (anyone with a shared conversation's id may read it); the client's key is
sent all the same, as for every route of its server.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ..._errors import InvalidArgumentError
from ..._parse import count, nullable_list
from ..._routes import route
from ...types.cloud import SharedConversation
from ...types.events import Event, parse_event
from .._pagination import Pager
from ..resources._base import Resource


def _ids(values: Iterable[str], what: str) -> list[str]:
    ids = [values] if isinstance(values, str) else list(values)
    if not ids or not all(isinstance(i, str) and i for i in ids):
        raise InvalidArgumentError(f"give one or more {what} ids (non-empty strings)")
    return ids


def _event(data: Any) -> Event:
    if not isinstance(data, dict):
        raise TypeError(f"an event is a JSON object, not {type(data).__name__}")
    return parse_event(data)


def _maybe_event(data: Any) -> Event | None:
    return None if data is None else _event(data)


def _filters(kind: str | None, since: datetime | None, before: datetime | None) -> dict[str, Any]:
    return {"kind__eq": kind, "timestamp__gte": since, "timestamp__lt": before}


class Shared(Resource):
    def conversations(self, ids: Iterable[str]) -> list[SharedConversation | None]:
        """Shared conversations by id, one per id in order; None for an id that is missing or not shared."""
        wanted = _ids(ids, "conversation")
        return self._http.request(
            "GET",
            "/api/shared-conversations",
            params={"ids": wanted},
            parse=nullable_list(SharedConversation.model_validate, len(wanted)),
        )

    def events(
        self,
        conversation_id: str,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        before: datetime | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[Event]:
        """A shared conversation's events, oldest first, lazily page by page (``kind``: one event kind)."""
        params = {"conversation_id": _ids(conversation_id, "conversation")[0], **_filters(kind, since, before)}
        return Pager(self._http, "/api/shared-events/search", params, _event, page_size=page_size, limit=limit)

    def count_events(
        self,
        conversation_id: str,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        before: datetime | None = None,
    ) -> int:
        params = {"conversation_id": _ids(conversation_id, "conversation")[0], **_filters(kind, since, before)}
        return self._http.request("GET", "/api/shared-events/count", params=params, parse=count)

    def get_events(self, conversation_id: str, ids: Iterable[str]) -> list[Event | None]:
        """Events of a shared conversation by id, one per id in order (None for a missing one)."""
        wanted = _ids(ids, "event")
        params = {"conversation_id": _ids(conversation_id, "conversation")[0], "id": wanted}
        return self._http.request("GET", "/api/shared-events", params=params, parse=nullable_list(_event, len(wanted)))

    def event(self, conversation_id: str, event_id: str) -> Event | None:
        """One event of a shared conversation, or None when there is no such (shared) event."""
        path = route(
            "/api/shared-events/{conversation_id}/{event_id}",
            conversation_id=_ids(conversation_id, "conversation")[0],
            event_id=_ids(event_id, "event")[0],
        )
        return self._http.request("GET", path, parse=_maybe_event)
