# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Live events over the agent server's WebSocket, with resume, backoff and a REST-polling fallback."""

from __future__ import annotations

import json
import logging
import time
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..._backend import sync_ws_connect, sync_ws_recv
from ..._errors import StreamError
from ..._event_filters import overlap_since
from ..._live import LiveState, auth_frame, close_error, handshake_error, socket_url
from ..._retry import backoff
from ..._routes import route
from ..._wait_logic import ACTIVE_EXECUTION, Poll
from ...types.events import Event
from .._http import HTTP, USER_AGENT
from .._pagination import Pager

if TYPE_CHECKING:
    from websockets.exceptions import ConnectionClosed

    from ..._backend import WebSocket
    from .client import AgentServer

log = logging.getLogger("ohctl.agent")

QUIET = 1.0  # once the run has ended, the stream ends after this long without a frame
PROOF_WAIT = 1.0  # how long to wait for the first frame before reading the stored events anyway
UNPROVEN_RECHECK = 3.0  # until the first frame arrives, read the stored events again this often
SOCKET_RETRY = 30.0  # while polling, try the socket again this often


def _ws_errors() -> types.ModuleType:
    """websockets' exceptions, imported when a socket is in use (an except clause is evaluated only
    when an exception reaches it), so that importing the client does not load websockets."""
    from websockets import exceptions

    return exceptions


class _SocketUnavailableError(Exception):
    """The socket could not be used this time (retry, then fall back to polling)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


def _backoff(failures: int) -> float:
    return backoff(failures - 1, initial=0.5, maximum=10.0)


def _open(agent: AgentServer, conversation_id: str) -> WebSocket:
    """Connect (no replay: stored events come over REST) and authenticate with the first frame; map
    refusals to errors or ``_SocketUnavailableError``."""
    url = socket_url(agent.url, conversation_id, {})
    try:
        ws = sync_ws_connect(url, {"User-Agent": USER_AGENT})
    except _ws_errors().InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            raise handshake_error(status, url) from None
        raise _SocketUnavailableError(f"handshake answered HTTP {status}", permanent=status in (404, 405)) from None
    except (OSError, TimeoutError, _ws_errors().WebSocketException) as exc:
        raise _SocketUnavailableError(f"{type(exc).__name__}: {exc}") from None
    frame = auth_frame(agent.session_api_key)
    if frame is not None:
        ws.send(frame)
    return ws


def _closed(exc: ConnectionClosed, url: str) -> Exception:
    code = exc.rcvd.code if exc.rcvd is not None else None
    reason = exc.rcvd.reason if exc.rcvd is not None else ""
    fatal = close_error(code, reason, url)
    return fatal if fatal is not None else _SocketUnavailableError(f"socket closed ({code} {reason})".strip())


class EventStream:
    """Iterate it for events; use it as a context manager (or call ``close``) to end it early.

    ``mode`` says how events arrive now (``"socket"`` or ``"polling"``); ``reconnects`` counts the
    times the socket was re-opened; ``state.status`` is the agent's last known execution status."""

    def __init__(
        self,
        agent: AgentServer,
        conversation_id: str,
        *,
        after: str | None,
        until_done: bool,
        include_state: bool,
        fallback: bool,
        max_reconnects: int,
        poll_interval: float,
    ) -> None:
        self._agent = agent
        self.conversation_id = conversation_id
        self.state = LiveState(until_done=until_done, after=after, include_state=include_state)
        self.fallback = fallback
        self.max_reconnects = max_reconnects
        self.poll_interval = poll_interval
        self.mode = "socket"
        self.reconnects = 0
        self._ws: WebSocket | None = None
        self._finished = False
        self._search_path = route("/api/conversations/{conversation_id}/events/search", conversation_id=conversation_id)

    def __iter__(self) -> Iterator[Event]:
        return self._events()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: types.TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._finished = True
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.close()

    def _events(self) -> Iterator[Event]:
        failures = 0
        while not self._finished:
            if self.mode == "polling":
                for event in self._poll():
                    yield event
                continue
            try:
                self._ws = _open(self._agent, self.conversation_id)
                if failures or self.state.delivered:
                    self.reconnects += 1
                failures = 0
                self.state.connected()
                # The first frame (the state snapshot) proves the subscription is live: from then on
                # every new event reaches the socket, so the stored ones can be read without a gap.
                # The server may hold the snapshot until the agent's current step ends, so the
                # stored events are read at once anyway, and read again when the proof comes.
                try:
                    first = self._recv(self._ws, PROOF_WAIT)
                except TimeoutError:
                    first = None
                proven = first is not None
                if first is None:
                    info = self._agent.conversations.info(self.conversation_id)
                    status = str(info.execution_status) if info.execution_status is not None else None
                    self.state.arm_from(info.last_user_message_id, status)
                elif self.state.is_snapshot(first):
                    snapshot = self.state.accept(first)
                    if snapshot is not None:
                        yield snapshot
                    first = None
                # A live event can beat the snapshot to the socket: it is then taken after the
                # stored events (which include it, so it is dropped as a repeat), keeping the order.
                for event in self._catch_up():
                    yield event
                if first is not None:
                    early = self.state.accept(first)
                    if early is not None:
                        yield early
                for event in self._read(self._ws, proven=proven):
                    yield event
                return
            except _SocketUnavailableError as exc:
                failures += 1
                if exc.permanent or failures > self.max_reconnects:
                    if not self.fallback:
                        raise StreamError(f"Live events unavailable for {self.conversation_id}: {exc}") from None
                    log.info("event socket unavailable (%s); polling the REST event search instead", exc)
                    self.mode = "polling"
                    continue
                delay = _backoff(failures)
                log.debug("event socket: %s; reconnecting in %.2fs (attempt %d)", exc, delay, failures)
                self._agent._http.sleep(delay)
            finally:
                ws, self._ws = self._ws, None
                if ws is not None:
                    ws.close()

    def _recv(self, ws: WebSocket, timeout: float | None) -> Any:
        """One decoded frame; TimeoutError when none comes in time."""
        try:
            raw = sync_ws_recv(ws, timeout)
        except _ws_errors().ConnectionClosed as exc:
            raise _closed(exc, socket_url(self._agent.url, self.conversation_id, {})) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise StreamError(f"The event socket sent a frame that is not JSON: {str(raw)[:200]!r}") from None

    def _read(self, ws: WebSocket, *, proven: bool) -> Iterator[Event]:
        """Frames as they come. Until a first frame proves the subscription, the stored events are
        read again every UNPROVEN_RECHECK seconds, and once more when the proof arrives (before that
        frame), so nothing emitted while the subscription was being set up is lost."""
        while True:
            timeout = QUIET if self.state.settled() else (None if proven else UNPROVEN_RECHECK)
            try:
                frame = self._recv(ws, timeout)
            except TimeoutError:
                if self.state.settled():
                    return
                if not proven:
                    for stored in self._catch_up():
                        yield stored
                continue
            if not proven:
                proven = True
                for stored in self._catch_up():
                    yield stored
            live = self.state.accept(frame)
            if live is not None:
                yield live

    def _catch_up(self) -> Iterator[Event]:
        return stored_events(self._agent._http, self._search_path, self.state)

    def _poll(self) -> Iterator[Event]:
        """Incremental REST polling; returns to the socket now and then."""
        info = self._agent.conversations.info(self.conversation_id)
        self.state.arm_from(info.last_user_message_id, str(info.execution_status) if info.execution_status else None)
        poll = Poll(None, initial=self.poll_interval, maximum=5.0)
        last_socket_try = time.monotonic()
        while True:
            before = self.state.delivered
            for event in self._catch_up():
                yield event
            if self.state.settled() or self._finished:
                self._finished = True
                return
            if self.state.delivered != before:
                poll.reset()
            if time.monotonic() - last_socket_try >= SOCKET_RETRY:
                last_socket_try = time.monotonic()
                try:
                    ws = _open(self._agent, self.conversation_id)
                except _SocketUnavailableError:
                    pass
                else:
                    ws.close()
                    log.info("event socket available again; leaving REST polling")
                    self.mode = "socket"
                    return
            self._agent._http.sleep(poll.next_delay())


def _raw(item: Any) -> Any:
    return item


def stored_events(http: HTTP, path: str, state: LiveState) -> Iterator[Event]:
    """The events an event search holds that ``state`` has not delivered yet, oldest first, each once.

    The search starts LATE_EVENT_WINDOW before the last event delivered, because servers store some
    events after later ones with an earlier timestamp; what was already delivered is dropped by id."""
    params: dict[str, Any] = {"sort_order": "TIMESTAMP", "timestamp__gte": overlap_since(state.last_timestamp)}
    for frame in Pager(http, path, params, _raw):
        event = state.accept(frame, stored=True)
        if event is not None:
            yield event


class StatusWatch:
    """Wakes a waiting loop as soon as the agent's execution status changes (a socket without
    history). If the socket cannot be used, it simply sleeps: the caller polls anyway."""

    def __init__(self, agent: AgentServer, conversation_id: str, *, max_failures: int = 3) -> None:
        self._agent = agent
        self._conversation_id = conversation_id
        self._ws: WebSocket | None = None
        self._failures = 0
        self._max_failures = max_failures
        self.saw_active = False  # the agent was seen running (a fast run can end between two polls)

    @property
    def live(self) -> bool:
        return self._failures < self._max_failures

    def wait_change(self, timeout: float) -> bool:
        """Return True when a status change arrived, False after ``timeout`` seconds without one."""
        if not self.live:
            self._agent._http.sleep(timeout)
            return False
        deadline = time.monotonic() + timeout
        if self._ws is None:
            try:
                self._ws = _open(self._agent, self._conversation_id)
            except _SocketUnavailableError as exc:
                self._failures += 1
                log.debug("status socket unavailable (%s); polling only", exc)
                self._agent._http.sleep(max(0.0, deadline - time.monotonic()))
                return False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                raw = sync_ws_recv(self._ws, left)
            except TimeoutError:
                return False
            except _ws_errors().ConnectionClosed as exc:
                self._ws = None
                fatal = close_error(exc.rcvd.code if exc.rcvd else None, "", self._agent.url)
                self._failures += self._max_failures if fatal is not None else 1
                return True  # something changed: let the caller look
            try:
                frame = json.loads(raw)
            except ValueError:
                continue
            if isinstance(frame, dict) and frame.get("key") in ("execution_status", "full_state"):
                value = frame.get("value")
                status = value.get("execution_status") if isinstance(value, dict) else value
                log.debug("live status of %s: %s", self._conversation_id, status)
                if status in ACTIVE_EXECUTION:
                    self.saw_active = True
                if frame.get("key") == "execution_status":
                    return True
                if status is not None and status not in ACTIVE_EXECUTION:
                    return True

    def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.close()
