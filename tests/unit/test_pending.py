"""Answering the agent without a network: which actions are pending (the agent's own rule: no
observation, rejection or error answers them), approve and reject over the agent server, the
confirmation policy set before the first message is sent, and the MCP tools over the same calls."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import ohctl
from ohctl._live import LiveState
from ohctl._pending import pending_actions, policy_kind, unmatched_actions
from ohctl.types.events import parse_event

CID = "a" * 32
AGENT = "http://127.0.0.1:8001"
TASK = "b" * 32


def action(eid: str, command: str, *, risk: str = "HIGH", call: str | None = None) -> dict[str, Any]:
    return {
        "id": eid,
        "kind": "ActionEvent",
        "source": "agent",
        "timestamp": f"2026-01-02T03:04:0{eid[-1]}",
        "tool_name": "terminal",
        "tool_call_id": call or f"call-{eid}",
        "action": {"command": command, "kind": "TerminalAction"},
        "thought": [{"type": "text", "text": f"I need to run {command}"}],
        "summary": f"running {command}",
        "security_risk": risk,
    }


def observation(eid: str, of: str) -> dict[str, Any]:
    return {
        "id": eid,
        "kind": "ObservationEvent",
        "source": "environment",
        "action_id": of,
        "tool_call_id": f"call-{of}",
    }


HISTORY = [  # oldest first
    {"id": "e0", "kind": "MessageEvent", "source": "user", "llm_message": {"role": "user", "content": "go"}},
    action("e1", "ls", risk="LOW"),
    observation("e2", "e1"),
    action("e3", "rm -rf build"),
    action("e4", "git push --force"),
]


def newest_first(events: list[dict[str, Any]]) -> list[ohctl.types.Event]:
    return [parse_event(e) for e in reversed(events)]


def test_the_unanswered_actions_are_pending_oldest_first() -> None:
    found = pending_actions(newest_first(HISTORY))
    assert [(a.id, a.command, a.risk) for a in found] == [
        ("e3", "rm -rf build", "HIGH"),
        ("e4", "git push --force", "HIGH"),
    ]
    assert found[0].reason == "I need to run rm -rf build" and found[0].brief == "$ rm -rf build"
    assert found[0].tool == "terminal" and found[0].path is None


def test_answered_actions_are_not_pending() -> None:
    rejected = {"id": "e5", "kind": "UserRejectObservation", "action_id": "e3", "rejection_reason": "no"}
    errored = {"id": "e6", "kind": "AgentErrorEvent", "tool_call_id": "call-e4", "error": "boom"}
    assert pending_actions(newest_first([*HISTORY, rejected, errored])) == []
    assert [a.id for a in pending_actions(newest_first([*HISTORY, rejected]))] == ["e4"]


def test_a_file_action_names_its_path_and_a_call_without_action_is_skipped() -> None:
    edit = {
        **action("e5", "create"),
        "tool_name": "file_editor",
        "action": {"command": "create", "path": "/w/a.py"},
        "thought": [],
    }
    broken = {**action("e6", "x"), "action": None}  # a tool call the agent could not parse: not executable
    [found] = pending_actions(newest_first([observation("e9", "e0"), edit, broken]))
    assert (found.path, found.command, found.brief) == ("/w/a.py", None, "file_editor: create /w/a.py")
    assert found.reason == "running create"  # no thought: the summary


def test_the_scan_stops_at_the_first_answered_action() -> None:
    # An old action answered by nothing the scan reaches is not taken for a pending one.
    events = newest_first(HISTORY)
    assert [e.id for e in unmatched_actions(events)] == ["e3", "e4"]


@pytest.mark.parametrize(
    ("given", "kind"),
    [
        ("always", "AlwaysConfirm"),
        ("RISKY", "ConfirmRisky"),
        ("never", "NeverConfirm"),
        ("ConfirmRisky", "ConfirmRisky"),
    ],
)
def test_policy_words(given: str, kind: str) -> None:
    assert policy_kind(given) == kind


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ohctl.InvalidArgumentError, match="always, risky, never"):
        policy_kind("sometimes")


class Servers:
    """An app server with one conversation on AGENT, and that agent server; records what each got."""

    def __init__(self, status: str = "waiting_for_confirmation", sandbox: str = "RUNNING") -> None:
        self.status = status
        self.sandbox = sandbox
        self.seen: list[tuple[str, str, Any]] = []

    def conversation(self) -> dict[str, Any]:
        return {
            "id": CID,
            "sandbox_id": "sb",
            "sandbox_status": self.sandbox,
            "execution_status": self.status,
            "conversation_url": f"{AGENT}/api/conversations/{CID}" if self.sandbox == "RUNNING" else None,
            "session_api_key": "session-key-1",
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        where = "agent" if str(request.url).startswith(AGENT) else "app"
        self.seen.append((where, f"{request.method} {path}", body))
        if where == "app":
            return self.app(request, path, body)
        if path == "/alive":
            return httpx.Response(200, json={"status": "ok"})
        if path.endswith("/events/search"):
            assert request.url.params["sort_order"] == "TIMESTAMP_DESC"
            return httpx.Response(200, json={"items": [e for e in reversed(HISTORY)], "next_page_id": None})
        return httpx.Response(200, json={"success": True})

    def app(self, request: httpx.Request, path: str, body: Any) -> httpx.Response:
        if path == "/api/v1/app-conversations" and request.method == "GET":
            return httpx.Response(200, json=[self.conversation()])
        if path == "/api/v1/app-conversations" and request.method == "POST":
            return httpx.Response(200, json={"id": TASK, "status": "READY", "app_conversation_id": CID})
        if path == "/api/v1/app-conversations/stream-start":
            tasks = [{"id": TASK, "status": "WORKING"}, {"id": TASK, "status": "READY", "app_conversation_id": CID}]
            return httpx.Response(200, json=tasks)
        if path.endswith("/events/search"):
            return httpx.Response(200, json={"items": [e for e in reversed(HISTORY)], "next_page_id": None})
        return httpx.Response(200, json={"success": True})

    def calls(self, where: str) -> list[str]:
        return [call for w, call, _ in self.seen if w == where and not call.endswith(("/alive", "/events/search"))]

    def body(self, suffix: str) -> Any:
        [found] = [b for _, call, b in self.seen if call.endswith(suffix)]
        return found


def client_for(servers: Servers) -> ohctl.OpenHands:
    return ohctl.OpenHands(
        base_url="http://127.0.0.1:9", api_key="k", http_client=httpx.Client(transport=httpx.MockTransport(servers))
    )


def test_pending_reads_the_agent_server() -> None:
    servers = Servers()
    with client_for(servers) as client:
        found = client.conversations.pending(CID)
    assert [a.id for a in found] == ["e3", "e4"]
    assert any(w == "agent" and call.endswith("/events/search") for w, call, _ in servers.seen)


def test_pending_of_a_paused_sandbox_reads_the_stored_events_without_resuming() -> None:
    servers = Servers(sandbox="PAUSED")
    with client_for(servers) as client:
        assert [a.id for a in client.conversations.pending(CID)] == ["e3", "e4"]
    assert not any("resume" in call for _, call, _ in servers.seen)
    assert {w for w, _, _ in servers.seen} == {"app"}


def test_nothing_is_pending_unless_the_agent_waits_for_confirmation() -> None:
    servers = Servers(status="running")
    with client_for(servers) as client:
        assert client.conversations.pending(CID) == []
    assert servers.calls("agent") == []


def test_approve_answers_and_returns_the_actions() -> None:
    servers = Servers()
    with client_for(servers) as client:
        approved = client.conversations.approve(CID)
    assert [a.id for a in approved] == ["e3", "e4"]
    assert servers.calls("agent") == [f"POST /api/conversations/{CID}/events/respond_to_confirmation"]
    assert servers.body("/respond_to_confirmation") == {"accept": True}


def test_reject_gives_the_reason_then_lets_the_agent_go_on() -> None:
    servers = Servers()
    with client_for(servers) as client:
        client.conversations.reject(CID, reason="use a branch")
    assert servers.calls("agent") == [
        f"POST /api/conversations/{CID}/events/respond_to_confirmation",
        f"POST /api/conversations/{CID}/run",
    ]
    assert servers.body("/respond_to_confirmation") == {"accept": False, "reason": "use a branch"}
    servers = Servers()
    with client_for(servers) as client:
        client.conversations.reject(CID, reason="stop here", run=False)
    assert servers.calls("agent") == [f"POST /api/conversations/{CID}/events/respond_to_confirmation"]


@pytest.mark.parametrize("answer", ["approve", "reject"])
def test_nothing_to_answer_is_an_error_and_sends_nothing(answer: str) -> None:
    servers = Servers(status="finished")
    with client_for(servers) as client, pytest.raises(ohctl.NothingPendingError, match=f"nothing to {answer}"):
        getattr(client.conversations, answer)(CID)
    assert servers.calls("agent") == []


@pytest.mark.parametrize(("policy", "analyzer"), [("always", True), ("risky", True), ("never", False)])
def test_start_sets_the_policy_before_the_message_is_sent(policy: str, analyzer: bool) -> None:
    servers = Servers(status="idle")
    with client_for(servers) as client:
        client.conversations.start("Fix it", confirmation_policy=policy)
    start = servers.body("POST /api/v1/app-conversations")
    assert "initial_message" not in start  # held back until the policy holds
    order = [call for _, call, _ in servers.seen if call.startswith("POST")]
    expected = [
        f"POST /api/conversations/{CID}/confirmation_policy",
        f"POST /api/v1/app-conversations/{CID}/send-message",
    ]
    if analyzer:
        expected.insert(0, f"POST /api/conversations/{CID}/security_analyzer")
    assert order == ["POST /api/v1/app-conversations", *expected]
    assert servers.body("/confirmation_policy") == {"policy": {"kind": policy_kind(policy)}}
    assert servers.body("/send-message")["content"][0]["text"] == "Fix it"


def test_stream_start_yields_ready_once_the_policy_holds() -> None:
    servers = Servers(status="idle")
    with client_for(servers) as client:
        seen = []
        for task in client.conversations.stream_start("Fix it", confirmation_policy="always"):
            seen.append((task.status, len(servers.calls("agent"))))
    assert [status for status, _ in seen] == ["WORKING", "READY"]
    assert seen[-1][1] == 2  # the analyzer and the policy were set before READY was yielded
    assert "initial_message" not in servers.body("POST /api/v1/app-conversations/stream-start")
    assert servers.calls("app")[-1] == f"POST /api/v1/app-conversations/{CID}/send-message"


def test_a_policy_needs_a_start_that_waits_for_ready() -> None:
    servers = Servers()
    with client_for(servers) as client, pytest.raises(ohctl.InvalidArgumentError, match="wait=None"):
        client.conversations.start("Fix it", wait=None, confirmation_policy="always")
    with client_for(servers) as client, pytest.raises(ohctl.InvalidArgumentError, match="sometimes"):
        client.conversations.start("Fix it", confirmation_policy="sometimes")
    assert servers.seen == []


@pytest.mark.anyio
async def test_the_mcp_tools_list_and_answer() -> None:
    from mcp import Client

    from ohctl.mcp import create_server

    servers = Servers()
    client = ohctl.AsyncOpenHands(
        base_url="http://127.0.0.1:9",
        api_key="k",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(servers)),
    )
    async with client, Client(create_server(client)) as connected:
        listed = await connected.call_tool("pending_actions", {"conversation_id": CID})
        rejected = await connected.call_tool("reject_actions", {"conversation_id": CID, "reason": "use a branch"})
        no_reason = await connected.call_tool("reject_actions", {"conversation_id": CID, "reason": ""})
    assert not listed.is_error and not rejected.is_error and no_reason.is_error
    shown = listed.structured_content or {}
    assert [(p["what"], p["risk"]) for p in shown["pending"]] == [
        ("$ rm -rf build", "HIGH"),
        ("$ git push --force", "HIGH"),
    ]
    assert [p["id"] for p in (rejected.structured_content or {})["answered"]] == ["e3", "e4"]
    assert "session-key-1" not in listed.model_dump_json() + rejected.model_dump_json()
    assert servers.body("/respond_to_confirmation") == {"accept": False, "reason": "use a branch"}


def test_a_live_follow_ends_when_the_agent_waits_for_confirmation() -> None:
    state = LiveState(until_done=True)
    state.connected()
    user = {"id": "m1", "timestamp": "2026-01-01T00:00:01", "kind": "MessageEvent", "source": "user"}
    snap = {"execution_status": "running", "last_user_message_id": "m1"}
    for frame in [
        {
            "id": "s",
            "timestamp": "2026-01-01T00:00:02",
            "kind": "ConversationStateUpdateEvent",
            "key": "full_state",
            "value": snap,
        },
        user,
    ]:
        state.accept(frame)
    assert not state.settled()
    waiting = {"id": "w", "timestamp": "2026-01-01T00:00:03", "kind": "ConversationStateUpdateEvent"}
    state.accept({**waiting, "key": "execution_status", "value": "waiting_for_confirmation"})
    assert state.settled()  # nothing more comes until someone answers
