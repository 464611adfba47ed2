"""Follow a conversation from the app server: live from its agent server when reachable, else by
polling the app server's stored events (a paused sandbox gives its history, then the stream ends)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ..._errors import APIConnectionError, APIStatusError
from ..._event_filters import event_time
from ..._ids import conversation_id
from ..._live import LiveState
from ..._routes import route
from ..._wait_logic import Poll
from ...types.events import Event
from ...types.sandboxes import SandboxStatus
from ..agent.stream import stored_events
from .handoff import agent_from_conversation

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

log = logging.getLogger("ohctl.events")

LIVE_SANDBOX = frozenset({SandboxStatus.RUNNING.value, SandboxStatus.STARTING.value})


async def app_event_stream(
    client: AsyncOpenHands,
    conversation: Any,
    *,
    after: Any = None,
    until_done: bool = True,
    poll_interval: float = 2.0,
) -> AsyncIterator[Event]:
    cid = conversation_id(conversation)
    state = LiveState(until_done=until_done, after=event_time(after))
    conv = await client.conversations.retrieve(cid)
    agent = agent_from_conversation(client, conv)
    if agent is not None:
        stream = agent.stream_events(cid, after=state.last_timestamp, until_done=until_done)
        try:
            async for event in stream:
                yield event
            return
        except (APIConnectionError, APIStatusError) as exc:
            if isinstance(exc, APIStatusError) and exc.status_code not in (401, 403, 404, 502, 503):
                raise
            log.info("agent server of %s not usable (%s); following the app server's events", cid, exc)
            state = stream.state  # go on from the last event it delivered
        finally:
            await agent.close()
    # The app server's store: events arrive in webhook batches, so they can trail by up to ~30 s.
    state.arm_from(None, None)
    path = route("/api/v1/conversation/{conversation_id}/events/search", conversation_id=cid)
    poll = Poll(None, initial=poll_interval, maximum=10.0)
    while True:
        before = state.delivered
        async for event in stored_events(client._http, path, state):
            yield event
        if state.delivered != before:
            poll.reset()
            continue
        if state.settled():
            return
        [now] = await client.conversations.get([cid])
        if now is None or str(now.sandbox_status) not in LIVE_SANDBOX:
            return  # history only: nothing new can arrive
        await client._http.sleep(poll.next_delay())
