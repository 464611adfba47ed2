"""Stall detection: a running conversation that has produced no event for ``stall_after`` seconds ends
a wait as STALLED, and only conversations whose ``updated_at`` is that old cost a look at their events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import ohctl
from ohctl import ExitCode, Outcome, exit_code_for
from tests.support.helpers import conversation, json_response, make_client

CID = "c" * 32
AGENT = "http://127.0.0.1:8000"
OLD = "2026-01-02T03:04:05+00:00"


def running(updated_at: str | None, *, agent: bool = True) -> dict[str, Any]:
    conv = conversation(CID, "RUNNING", "running")
    conv["updated_at"] = updated_at
    if agent:
        conv["conversation_url"] = f"{AGENT}/api/conversations/{CID}"
        conv["session_api_key"] = "session-key"
    return conv


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


class Server:
    """The app server (the conversation's states in turn) and the sandbox's agent server."""

    def __init__(self, states: list[dict[str, Any]], agent_updated: list[str], newest_kind: str = "ActionEvent"):
        self.states, self.agent_updated, self.newest_kind = states, agent_updated, newest_kind
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/api/v1/app-conversations":
            return json_response(200, [self.states.pop(0) if len(self.states) > 1 else self.states[0]])
        if path == "/api/conversations":  # the agent server's batch get
            at = self.agent_updated.pop(0) if len(self.agent_updated) > 1 else self.agent_updated[0]
            return json_response(200, [{"id": CID, "execution_status": "running", "updated_at": at}])
        if path.endswith("/events/search"):  # either server's: newest first
            stats = {"id": "e2", "kind": "ConversationStateUpdateEvent", "source": "environment", "key": "stats"}
            action = {"id": "e1", "kind": self.newest_kind, "source": "agent", "timestamp": "2026-01-02T03:04:05"}
            if self.newest_kind == "ActionEvent":
                action |= {"tool_name": "terminal", "action": {"command": "sleep 3600"}}
            return json_response(200, {"items": [stats, action], "next_page_id": None})
        return json_response(404, {"detail": f"unexpected {path}"})

    def on(self, prefix: str) -> list[httpx.Request]:
        return [r for r in self.requests if str(r.url).startswith(prefix)]


def test_a_running_conversation_with_old_events_is_stalled_with_the_last_event_named() -> None:
    server = Server([running(OLD)], [OLD])
    client, _ = make_client(server)  # type: ignore[arg-type]
    result = client.conversations.wait(CID, stall_after=600, live=False, raise_on_outcome=False)
    assert result.outcome == Outcome.STALLED and exit_code_for(result.outcome) == ExitCode.STALLED == 9
    assert result.stall is not None and result.stall.last_event_kind == "ActionEvent (terminal)"
    assert result.stall.last_event_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert result.stall.silent_for >= 600
    # The state update (no activity of the agent's) is passed over for the kind; the search asked newest first.
    [search] = [r for r in server.on(AGENT) if r.url.path.endswith("/events/search")]
    assert search.url.params["sort_order"] == "TIMESTAMP_DESC"
    assert all(r.headers.get("X-Session-API-Key") == "session-key" for r in server.on(AGENT))
    with pytest.raises(ohctl.StalledError) as info:
        make_client(Server([running(OLD)], [OLD]))[0].conversations.wait(CID, stall_after=600, live=False)
    message = str(info.value)
    assert "2026-01-02 03:04:05 UTC" in message and "ActionEvent (terminal)" in message and CID in message
    assert info.value.stall is not None and ohctl.describe_failure(info.value).code == ExitCode.STALLED


def test_a_fresh_event_on_the_agent_server_keeps_the_wait_going_until_the_agent_finishes() -> None:
    # The app server's updated_at is old (a long tool step sends no statistics), but the agent server
    # saw an event just now: not stalled, and not looked at again while that event is recent.
    finished = running(OLD) | {"execution_status": "finished"}
    server = Server([running(OLD), running(OLD), running(OLD), finished], [now_iso()])
    client, slept = make_client(server)  # type: ignore[arg-type]
    result = client.conversations.wait(CID, stall_after=600, live=False, raise_on_outcome=False)
    assert result.outcome == Outcome.FINISHED and result.stall is None and len(slept) == 3
    assert [r.url.path for r in server.on(AGENT)] == ["/api/conversations"]  # one look, no event search


def test_a_recent_updated_at_costs_no_extra_call_and_stall_after_none_never_stalls() -> None:
    server = Server([running(now_iso())], [OLD])
    client, _ = make_client(server)  # type: ignore[arg-type]
    [result] = client.conversations.poll([CID], stall_after=600).values()
    assert result.outcome is None and server.on(AGENT) == []
    server = Server([running(OLD)], [OLD])
    client, _ = make_client(server)  # type: ignore[arg-type]
    [result] = client.conversations.poll([CID], stall_after=None).values()
    assert result.outcome is None and server.on(AGENT) == []
    [result] = client.conversations.poll([CID]).values()  # the default: 15 minutes
    assert result.outcome == Outcome.STALLED


def test_wait_many_reports_a_stall_per_conversation() -> None:
    server = Server([running(OLD)], [OLD], newest_kind="MessageEvent")
    client, _ = make_client(server)  # type: ignore[arg-type]
    results = client.conversations.wait_many([CID], stall_after=60, timeout=None)
    stall = results[ohctl.ConversationId(CID)].stall
    assert stall is not None and stall.last_event_kind == "MessageEvent"
    assert "no event for" in stall.describe() and "MessageEvent at 2026-01-02 03:04:05 UTC" in stall.describe()


def test_without_an_agent_server_the_stored_events_answer() -> None:
    server = Server([running(OLD, agent=False)], [OLD])
    client, _ = make_client(server)  # type: ignore[arg-type]
    [result] = client.conversations.poll([CID], stall_after=60).values()
    assert result.outcome == Outcome.STALLED and result.stall is not None
    assert result.stall.last_event_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert [r.url.path for r in server.requests][-1] == f"/api/v1/conversation/{CID}/events/search"


def test_only_a_running_agent_in_a_running_sandbox_can_stall() -> None:
    states = [{"execution_status": e} for e in ("idle", "paused", "finished", None)] + [{"sandbox_status": "PAUSED"}]
    for state in states:
        server = Server([running(OLD) | state], [OLD])
        client, _ = make_client(server)  # type: ignore[arg-type]
        [result] = client.conversations.poll([CID], stall_after=60).values()
        assert result.outcome != Outcome.STALLED and server.on(AGENT) == []


def test_the_stall_reads_as_a_span() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert ohctl.Stall(at, "ActionEvent (terminal)", 75).describe() == (
        "running with no event for 75s (the last: ActionEvent (terminal) at 2026-01-02 03:04:05 UTC)"
    )
    assert "16m 40s" in ohctl.Stall(at, None, 1000).describe()
    assert ohctl.Stall(None, None, timedelta(hours=2).total_seconds()).describe() == "running with no event for 2h 00m"


def test_a_failed_look_at_the_events_is_no_verdict() -> None:
    server = Server([running(OLD, agent=False)], [OLD])
    original = server.__call__

    def events_fail(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events/search"):
            server.requests.append(request)
            return json_response(403, {"detail": "no"})
        return original(request)

    client, _ = make_client(events_fail)  # type: ignore[arg-type]
    [result] = client.conversations.poll([CID], stall_after=60).values()
    assert result.outcome is None and result.stall is None
    assert any(r.url.path.endswith("/events/search") for r in server.requests)
