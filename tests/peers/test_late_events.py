"""Events stored late on the real app server: stored after a later one, with an earlier timestamp.

The app server stores whatever its sandboxes post to its event webhook, in the order they post it;
an event created earlier can arrive later (the run's statistics, a webhook batch that was retried).
A catch-up that asks for ``timestamp__gte`` the last event seen misses it; ohctl's catch-up reads back
a window and drops repeats by id.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx

import ohctl
from ohctl._live import LiveState
from ohctl._sync.agent.stream import stored_events
from tests.support.peer_suite import Shared, eventually


def _post_event(base_url: str, conv: ohctl.types.AppConversation, timestamp: str) -> str:
    """Store one PauseEvent in the app server the way a sandbox does (its webhook, its session key)."""
    event_id = str(uuid.uuid4())
    body = [{"kind": "PauseEvent", "id": event_id, "timestamp": timestamp, "source": "user"}]
    response = httpx.post(
        f"{base_url}/api/v1/webhooks/events/{conv.id}",
        json=body,
        headers={"X-Session-API-Key": conv.session_api_key or ""},
        timeout=30,
    )
    response.raise_for_status()
    return event_id


def test_an_event_stored_late_is_caught_up(client: ohctl.OpenHands, base_url: str, shared: Shared) -> None:
    conv = client.conversations.start(
        "Late events [ohctl:default]", sandbox_id=shared.sandbox_id, wait="finished", timeout=180
    )  # its own conversation: the events posted here stay out of the shared one
    assert conv.session_api_key, "the sandbox must be running"
    # The run's own events trail it through webhook batches: let the store settle first, so that only
    # the events this test posts arrive afterwards.
    with client.conversations.agent(conv.id) as agent:
        live = agent.events.count(conv.id)
    eventually(lambda: client.events.count(conv.id) >= live, timeout=90, what=f"{live} events stored")
    path = f"/api/v1/conversation/{conv.id}/events/search"
    state = LiveState()
    history = [e.id for e in stored_events(client._http, path, state)]
    assert history and state.last_timestamp is not None
    last = datetime.fromisoformat(state.last_timestamp)

    later = _post_event(base_url, conv, (last + timedelta(seconds=20)).isoformat())
    eventually(lambda: client.events.count(conv.id, since=(last + timedelta(seconds=19)).isoformat()) == 1)
    assert [e.id for e in stored_events(client._http, path, state)] == [later]

    # Now an event created before `later` is stored after it.
    late = _post_event(base_url, conv, (last + timedelta(seconds=10)).isoformat())
    eventually(lambda: client.events.get(conv.id, [late]) != [None], what="the late event stored")
    naive = [e.id for e in client.events.search(conv.id, since=state.last_timestamp)]
    assert late not in naive  # what a plain "since the last one seen" query gets: the late one is lost
    caught = [e.id for e in stored_events(client._http, path, state)]
    assert caught == [late]  # delivered, once
    assert [e.id for e in stored_events(client._http, path, state)] == []  # and never again
