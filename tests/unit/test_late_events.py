"""Events stored late (after later ones, with an earlier timestamp) are still delivered once."""

from __future__ import annotations

import httpx

import ohctl
from ohctl._event_filters import LATE_EVENT_WINDOW, overlap_since
from ohctl._live import LiveState
from ohctl._sync.agent.stream import stored_events
from tests.support.helpers import json_response

PATH = "/api/conversations/c/events/search"


def event(eid: str, ts: str) -> dict[str, object]:
    return {"id": eid, "kind": "PauseEvent", "timestamp": ts, "source": "user"}


def test_overlap_moves_back_and_keeps_the_form() -> None:
    assert overlap_since("2026-11-29T13:01:30.250000", 60) == "2026-11-29T13:00:30.250000"
    assert overlap_since("2026-11-29T13:01:30Z", 60) == "2026-11-29T13:00:30"
    assert overlap_since(None) is None
    assert LATE_EVENT_WINDOW >= 30  # the app server's webhook batches can trail by 30 s


def test_an_event_stored_late_is_delivered_once() -> None:
    store = [event("e1", "2026-11-29T13:00:01"), event("e3", "2026-11-29T13:00:03")]
    asked: list[str | None] = []

    def search(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("timestamp__gte")
        asked.append(since)
        items = sorted(
            (e for e in store if since is None or str(e["timestamp"]) >= since), key=lambda e: e["timestamp"]
        )
        return json_response(200, {"items": items, "next_page_id": None})

    agent = ohctl.AgentServer(
        "http://127.0.0.1:9", "k", http_client=httpx.Client(transport=httpx.MockTransport(search))
    )
    state = LiveState()
    first = [e.id for e in stored_events(agent._http, PATH, state)]
    # The server now stores an event it created before e3 (say, the run's statistics).
    store.append(event("e2", "2026-11-29T13:00:02"))
    store.append(event("e4", "2026-11-29T13:00:04"))
    second = [e.id for e in stored_events(agent._http, PATH, state)]
    assert first == ["e1", "e3"] and second == ["e2", "e4"]
    assert asked[1] is not None and asked[1] < "2026-11-29T13:00:02"  # it read back far enough


def test_a_start_point_is_respected_despite_the_overlap() -> None:
    store = [event("old", "2026-11-29T12:59:59"), event("new", "2026-11-29T13:00:05")]

    def search(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("timestamp__gte")
        return json_response(200, {"items": [e for e in store if since is None or str(e["timestamp"]) >= since]})

    agent = ohctl.AgentServer(
        "http://127.0.0.1:9", "k", http_client=httpx.Client(transport=httpx.MockTransport(search))
    )
    state = LiveState(after="2026-11-29T13:00:00")
    assert [e.id for e in stored_events(agent._http, PATH, state)] == ["new"]
