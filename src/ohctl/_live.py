"""The bookkeeping of a live event stream, shared by the sync and async streams (pure, no I/O).

The agent server subscribes a socket *before* it replays stored events (``resend_mode``), so a
replay interleaves with live events and breaks the order. The stream therefore connects without
a replay, waits for the ``full_state`` snapshot (proof that the subscription is live), reads the
stored events from the last delivered timestamp over REST (inclusive), and then takes the socket's
frames. The overlap repeats a few events: ``accept`` drops every event already delivered, by id, so
each event comes out exactly once and in the server's order.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from ._errors import APIStatusError, StreamError
from ._responses import status_error
from ._wait_logic import FAILED_EXECUTION
from .types.conversations import ExecutionStatus
from .types.events import Event, parse_event

# The ends of a run. Waiting for confirmation is one: nothing more comes until someone answers
# (``ohctl approve`` / ``reject``), so a follow ends there and shows what waits.
TERMINAL = FAILED_EXECUTION | {ExecutionStatus.FINISHED.value, ExecutionStatus.WAITING_FOR_CONFIRMATION.value}
FATAL_CLOSE_CODES = {4001: 401, 4004: 404}  # close code -> the HTTP status it means
RECENT_IDS = 20_000  # ids remembered for de-duplication; far more than a replay window holds


def socket_url(base_url: str, conversation_id: str, params: dict[str, str]) -> str:
    url = httpx.URL(base_url)
    scheme = "wss" if url.scheme == "https" else "ws"
    path = url.path.rstrip("/") + f"/sockets/events/{conversation_id}"
    query = ("?" + urlencode(params)) if params else ""
    return str(url.copy_with(scheme=scheme, path=path, query=None)) + query


def auth_frame(session_api_key: str | None) -> str | None:
    """The first frame the server expects (the query-parameter form is deprecated)."""
    if not session_api_key:
        return None
    return json.dumps({"type": "auth", "session_api_key": session_api_key})


def _socket_error(status: int, detail: str, url: str) -> APIStatusError:
    """A socket failure as the API error of the HTTP status it means (the error tree is per status)."""
    response = httpx.Response(status, json={"detail": detail}, request=httpx.Request("GET", url.split("?", 1)[0]))
    return status_error(response, agent=True)


def close_error(code: int | None, reason: str, url: str) -> APIStatusError | None:
    """A close code that retrying cannot fix, as the matching API error (None: reconnect)."""
    status = FATAL_CLOSE_CODES.get(code or 0)
    if status is None:
        return None
    return _socket_error(status, f"WebSocket closed with code {code}: {reason or 'no reason given'}", url)


def handshake_error(status: int, url: str) -> APIStatusError:
    return _socket_error(status, f"WebSocket handshake refused with HTTP {status}", url)


def _state_update(frame: Any, key: str) -> bool:
    return (
        isinstance(frame, dict)
        and frame.get("key") == key
        and str(frame.get("kind", "")).endswith("ConversationStateUpdateEvent")
    )


@dataclass
class LiveState:
    """What one stream has delivered, and whether the agent's current run has ended.

    ``until_done``: end after the agent reaches finished, error or stuck *in its latest run* and the
    trailing events have arrived. The replayed history also holds the ends of earlier runs; a
    terminal status counts only once the latest user message (``last_user_message_id`` of the
    snapshot) has gone by.
    """

    until_done: bool = False
    after: str | None = None
    include_state: bool = False
    last_timestamp: str | None = None
    status: str | None = None
    delivered: int = 0
    _marker: str | None = None
    _armed: bool = False
    _snapshot_seen: bool = False
    _since_connect: int = 0
    _recent: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        if self.after is not None:
            self.last_timestamp = self.after
            self._armed = True  # the caller asked for what follows a point in time

    def seen(self, event_id: str) -> bool:
        return event_id in self._recent

    def _remember(self, event_id: str) -> None:
        self._recent[event_id] = None
        if len(self._recent) > RECENT_IDS:
            self._recent.popitem(last=False)

    def arm_from(self, last_user_message_id: str | None, status: str | None) -> None:
        """Use a conversation snapshot (the socket's ``full_state`` or a REST info) as the reference."""
        if status is not None:
            self.status = status
        if self._snapshot_seen:
            return
        self._snapshot_seen = True
        self._marker = last_user_message_id
        if last_user_message_id is None or self.seen(last_user_message_id):
            self._armed = True

    def settled(self) -> bool:
        """The latest run has ended: with ``until_done``, the stream ends once the socket goes quiet."""
        return self.until_done and self._armed and self.status in TERMINAL

    def connected(self) -> None:
        """A new subscription: a snapshot that arrives before any event of it is current."""
        self._since_connect = 0

    @staticmethod
    def is_snapshot(frame: Any) -> bool:
        return _state_update(frame, "full_state")

    def accept(self, frame: Any, *, stored: bool = False) -> Event | None:
        """The event to deliver for one frame, or None (a duplicate or a snapshot). ``stored``: the
        frame comes from an event search (the app server stores a ``full_state`` event of its own)."""
        if not isinstance(frame, dict):
            raise StreamError(f"Unexpected frame on the event socket: {str(frame)[:200]}")
        if not stored and self.is_snapshot(frame):
            raw = frame.get("value")
            value: dict[str, Any] = raw if isinstance(raw, dict) else {}
            # The snapshot can trail events already delivered on this subscription (the server
            # pushes it while live events flow): then its status is older than theirs.
            status = value.get("execution_status") if self._since_connect == 0 or self.status is None else None
            self.arm_from(value.get("last_user_message_id"), status)
            return parse_event(frame) if self.include_state else None
        event_id = frame.get("id")
        timestamp = frame.get("timestamp")
        if self.after is not None and isinstance(timestamp, str) and timestamp < self.after:
            return None  # before the point the caller asked to start from (a search reads back a little)
        if isinstance(event_id, str):
            if self.seen(event_id):
                return None
            self._remember(event_id)
        event = parse_event(frame)
        if isinstance(timestamp, str) and (self.last_timestamp is None or timestamp > self.last_timestamp):
            self.last_timestamp = timestamp
        if event_id is not None and event_id == self._marker and not self._armed:
            self._armed = True
            self.status = None  # what the replay said before this message belongs to an earlier run
        if _state_update(frame, "execution_status"):
            self.status = str(frame.get("value"))
        self.delivered += 1
        self._since_connect += 1
        return event


__all__ = ["LiveState", "auth_frame", "close_error", "handshake_error", "socket_url"]
