"""V0 events: pages that go on by event id (``start_id`` forward, ``end_id`` backward), filters, the
agent's state (read from the last ``agent_state_changed`` event), and the event count."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Collection
from typing import Any

from ..._errors import InvalidArgumentError
from ..._routes import route
from ...types.legacy import DONE_STATES, LegacyEvent, LegacyEventPage
from ._base import AsyncLegacyResource

MAX_LIMIT = 100  # the server answers 400 "Invalid limit" above it
# States the runtime's life cycle writes (not the agent's turn), and states that end a turn.
LIFECYCLE = frozenset({"stopped", "loading", "init", "paused", "user_confirmed", "user_rejected"})
TURN_ENDS = DONE_STATES - {"stopped"}
CHANGED, RUNNING_STATE = "agent_state_changed", "running"
MAX_STATES = 64  # how many state changes back a look goes at most


class AsyncLegacyEvents(AsyncLegacyResource):
    async def page(
        self,
        conversation_id: str,
        *,
        start_id: int = 0,
        end_id: int | None = None,
        reverse: bool = False,
        limit: int = 20,
        source: str | None = None,
        query: str | None = None,
        exclude_hidden: bool = False,
    ) -> LegacyEventPage:
        """One page of events as the server gives it (``has_more`` says whether another follows).

        ``source`` (agent, user, environment), ``query`` (text in the event) and ``exclude_hidden``
        are the server's own filter, sent as the JSON body of the GET like V0 clients did."""
        if not 0 < limit <= MAX_LIMIT:
            raise InvalidArgumentError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        event_filter: dict[str, Any] = {"source": source, "query": query}
        body = {k: v for k, v in event_filter.items() if v is not None}
        if exclude_hidden:
            body["exclude_hidden"] = True
        return await self._http.request(
            "GET",
            route("/api/conversations/{conversation_id}/events", conversation_id=conversation_id),
            params={"start_id": start_id, "end_id": end_id, "reverse": reverse, "limit": limit},
            json=body or None,
            parse=LegacyEventPage.model_validate,
        )

    async def iterate(
        self,
        conversation_id: str,
        *,
        start_id: int = 0,
        end_id: int | None = None,
        reverse: bool = False,
        page_size: int = MAX_LIMIT,
        limit: int | None = None,
        source: str | None = None,
        query: str | None = None,
        kinds: Collection[str] | None = None,
    ) -> AsyncIterator[LegacyEvent]:
        """Every event from ``start_id`` (or back from ``end_id`` with ``reverse``), one page at a time.

        ``kinds`` keeps events whose action or observation name (``run``, ``message``, ``finish``,
        ``agent_state_changed`` ...) or ``kind`` (``action:run``) is listed; ``limit`` caps the count."""
        wanted = set(kinds) if kinds else None
        given = 0
        cursor_start, cursor_end = start_id, end_id
        while True:
            page = await self.page(
                conversation_id,
                start_id=cursor_start,
                end_id=cursor_end,
                reverse=reverse,
                limit=page_size,
                source=source,
                query=query,
            )
            for event in page.events:
                if wanted is None or wanted & {event.kind, event.action, event.observation}:
                    yield event
                    given += 1
                    if limit is not None and given >= limit:
                        return
            if not page.has_more or not page.events:
                return
            last = page.events[-1].id
            if reverse:
                cursor_end = last - 1
                if cursor_end < cursor_start:
                    return
            else:
                cursor_start = last + 1

    async def list(self, conversation_id: str, **kwargs: Any) -> builtins.list[LegacyEvent]:
        """``iterate`` into a list (mind the memory on long conversations)."""
        return [event async for event in self.iterate(conversation_id, **kwargs)]

    async def latest(self, conversation_id: str) -> LegacyEvent | None:
        page = await self.page(conversation_id, reverse=True, limit=1)
        return page.events[0] if page.events else None

    async def count(self, conversation_id: str) -> int:
        """The number of events (V0 ids count from 0 without gaps, so the newest id plus one)."""
        newest = await self.latest(conversation_id)
        return 0 if newest is None else newest.id + 1

    async def latest_agent_state(self, conversation_id: str) -> str | None:
        """The newest ``agent_state_changed`` state as written, runtime life cycle included (``loading``
        while a (re)started runtime is not ready for a message yet); None before the first."""
        async for event in self.iterate(conversation_id, reverse=True, kinds=[CHANGED]):
            if event.agent_state:
                return event.agent_state
        return None

    async def agent_state(
        self, conversation_id: str, *, after: int | None = None, since_running: bool = False
    ) -> str | None:
        """The agent's state from the ``agent_state_changed`` events (finished, error, running,
        awaiting_user_input ...), or None before the first one (or the first after event id
        ``after``; with ``since_running``, before the first ``running`` after it: a new turn that
        has not started). V0's conversation status stays RUNNING after the agent finishes, so this
        is what says whether it is done.

        The runtime's own life cycle writes states too: closing it appends ``stopped``, and a restart
        appends ``loading`` then restores ``awaiting_user_input``. Those say nothing about how the
        agent's turn ended, so the turn's own final state counts (see ``settled_state``)."""
        start = 0 if after is None else after + 1
        if since_running:
            forward = [e.agent_state async for e in self.iterate(conversation_id, start_id=start, kinds=[CHANGED])]
            states = [state for state in forward if state]
            if RUNNING_STATE not in states:
                return None
            return settled_state(list(reversed(states[states.index(RUNNING_STATE) :])))
        newest_first: builtins.list[str] = []
        async for event in self.iterate(conversation_id, start_id=start, reverse=True, kinds=[CHANGED]):
            state = event.agent_state
            if state is None:
                continue
            newest_first.append(state)
            if state == RUNNING_STATE or len(newest_first) >= MAX_STATES:
                break  # the turn's start: nothing older decides
        return settled_state(newest_first)


def settled_state(newest_first: builtins.list[str]) -> str | None:
    """The state that says how the agent's latest turn stands, from its state changes newest first:
    the newest turn end (finished, error, awaiting_user_input ...) unless the agent runs again after
    it; the runtime's life-cycle states (stopped, loading, and a restart's restored
    ``awaiting_user_input`` right after ``loading``) are skipped. ``stopped`` counts when it
    interrupted a running agent."""
    newest = newest_first[0] if newest_first else None
    index = 0
    while index < len(newest_first):
        state = newest_first[index]
        older = newest_first[index + 1] if index + 1 < len(newest_first) else None
        if state == "awaiting_user_input" and older == "loading":
            index += 2  # a restarted runtime restoring its state
            continue
        if state in TURN_ENDS:
            return state
        if state not in LIFECYCLE:  # running (or a state this client does not know): not ended
            return newest
        index += 1
    return newest
