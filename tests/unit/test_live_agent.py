"""Unit tests for the live-stream bookkeeping and the agent client's edge cases (MockTransport)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import ohctl
from ohctl._async.agent.client import agent_base_url
from ohctl._async.agent.events import kind_path
from ohctl._live import LiveState, auth_frame, close_error, socket_url
from tests.support.helpers import Recorder, json_response

SDK = "openhands.sdk.event."


def state_update(eid: str, ts: str, key: str, value: Any) -> dict[str, Any]:
    return {"id": eid, "timestamp": ts, "kind": "ConversationStateUpdateEvent", "key": key, "value": value}


def message(eid: str, ts: str, source: str = "user") -> dict[str, Any]:
    return {"id": eid, "timestamp": ts, "kind": "MessageEvent", "source": source}


def snapshot(status: str, last_user: str | None) -> dict[str, Any]:
    value: dict[str, Any] = {"execution_status": status}
    if last_user:
        value["last_user_message_id"] = last_user
    return state_update("snap", "2026-01-01T00:00:09", "full_state", value)


def run(*frames: dict[str, Any], until_done: bool = True) -> tuple[LiveState, list[str]]:
    state = LiveState(until_done=until_done)
    state.connected()
    delivered = [e.id for f in frames if (e := state.accept(f)) is not None]
    return state, delivered


def test_duplicates_dropped_and_snapshot_not_delivered() -> None:
    a, b = message("a", "2026-01-01T00:00:01"), message("b", "2026-01-01T00:00:02")
    state, ids = run(snapshot("running", None), a, b, a, b)
    assert ids == ["a", "b"] and state.last_timestamp == "2026-01-01T00:00:02" and state.delivered == 2
    # A stored full_state (the app server keeps one) is an ordinary event.
    assert state.accept(state_update("s", "2026-01-01T00:00:03", "full_state", {}), stored=True) is not None


def test_until_done_ignores_earlier_runs() -> None:
    history = [
        message("m1", "2026-01-01T00:00:01"),
        state_update("r1", "2026-01-01T00:00:02", "execution_status", "running"),
        state_update("f1", "2026-01-01T00:00:03", "execution_status", "finished"),
    ]
    second = [
        message("m2", "2026-01-01T00:00:04"),
        state_update("r2", "2026-01-01T00:00:05", "execution_status", "running"),
    ]
    state, _ = run(snapshot("running", "m2"), *history)
    assert not state.settled()  # the first run's finish is history
    for frame in second:
        state.accept(frame)
    assert not state.settled()
    state.accept(state_update("f2", "2026-01-01T00:00:06", "execution_status", "finished"))
    assert state.settled()
    # Without until_done the stream never settles by itself.
    plain, _ = run(snapshot("finished", None), *history, until_done=False)
    assert not plain.settled()


def test_snapshot_status_does_not_override_newer_events() -> None:
    state = LiveState(until_done=True)
    state.connected()
    state.accept(message("m", "2026-01-01T00:00:01"))
    state.accept(state_update("f", "2026-01-01T00:00:02", "execution_status", "finished"))
    state.accept(snapshot("running", "m"))  # pushed late, while events flowed
    assert state.status == "finished" and state.settled()


def test_after_starts_armed_and_resumes_from_timestamp() -> None:
    state = LiveState(until_done=True, after="2026-01-01T00:00:05")
    assert state.last_timestamp == "2026-01-01T00:00:05"
    state.accept(state_update("f", "2026-01-01T00:00:06", "execution_status", "error"))
    assert state.settled()


def test_socket_url_auth_and_close_codes() -> None:
    assert socket_url("http://h:1", "c1", {}) == "ws://h:1/sockets/events/c1"
    assert socket_url("https://h/prefix/", "c1", {"a": "b c"}) == "wss://h/prefix/sockets/events/c1?a=b+c"
    assert json.loads(auth_frame("k") or "") == {"type": "auth", "session_api_key": "k"}
    assert auth_frame(None) is None
    assert isinstance(close_error(4001, "Authentication failed", "ws://h/x"), ohctl.SessionKeyError)
    assert isinstance(close_error(4004, "", "ws://h/x"), ohctl.NotFoundError)
    assert close_error(1013, "busy", "ws://h/x") is None and close_error(1006, "", "ws://h/x") is None


def test_agent_urls_and_kinds() -> None:
    assert agent_base_url("http://h:8000/api/conversations/abc") == "http://h:8000"
    assert agent_base_url("https://x.example/runtime/") == "https://x.example/runtime"
    agent = ohctl.AgentServer("http://127.0.0.1:9/api/conversations/" + "a" * 32, "k")
    assert agent.url == "http://127.0.0.1:9" and agent.conversation_id == "a" * 32
    assert "k" not in repr(agent).replace("session_api_key", "")
    with pytest.raises(ohctl.ConfigurationError, match="plain http"):
        ohctl.AgentServer("http://agent.example", "k")
    ohctl.AgentServer("http://agent.example", "k", allow_insecure=True)
    with pytest.raises(ValueError, match="no default conversation"):
        ohctl.AgentServer("http://127.0.0.1:9", "k").events.search()
    assert kind_path("MessageEvent") == SDK + "llm_convertible.message.MessageEvent"
    assert kind_path(ohctl.types.ActionEvent) == SDK + "llm_convertible.action.ActionEvent"
    assert kind_path("custom.module.Thing") == "custom.module.Thing"


def agent_with(recorder: Recorder) -> ohctl.AgentServer:
    return ohctl.AgentServer(
        "http://127.0.0.1:9",
        "secret-key",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        sleep=lambda s: None,
    )


def test_session_key_header_and_401() -> None:
    recorder = Recorder(json_response(401, {"detail": "Unauthorized"}))
    with pytest.raises(ohctl.SessionKeyError) as info:
        agent_with(recorder).bash.execute("true")
    assert recorder.requests[0].headers["X-Session-API-Key"] == "secret-key"
    assert "secret-key" not in str(info.value)
    assert len(recorder.requests) == 1  # a command is never re-sent


def test_execute_joins_chunks_when_the_server_returns_only_the_last() -> None:
    last = {"command_id": "c", "order": 2, "exit_code": 0, "stdout": "C", "kind": "BashOutput"}
    page = {
        "items": [
            {"command_id": "c", "order": 0, "stdout": "A", "kind": "BashOutput"},
            {"command_id": "c", "order": 1, "stdout": "B", "stderr": "e", "kind": "BashOutput"},
            last,
        ],
        "next_page_id": None,
    }
    recorder = Recorder(json_response(200, last), json_response(200, page))
    result = agent_with(recorder).bash.execute("cmd")
    assert (result.stdout, result.stderr, result.exit_code, result.chunks) == ("ABC", "e", 0, 3)
    query = recorder.requests[1].url.params
    assert query["command_id__eq"] == "c" and query["kind__eq"] == "BashOutput"


def test_event_batch_get_falls_back_on_the_134_unknown_id_500() -> None:
    unknown = {"detail": "Internal Server Error", "exception": "'Unknown event_id: x'"}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            assert json.loads(request.content) == ["a", "x"]  # ids as a JSON body on the GET
            return json_response(500, unknown)
        if request.url.path.endswith("/events/a"):
            return json_response(200, {"id": "a", "kind": "MessageEvent"})
        return json_response(500, unknown)

    recorder = Recorder(answer)
    got = agent_with(recorder).events.get(["a", "x"], "b" * 32)
    assert [e.id if e else None for e in got] == ["a", None]
    assert len(recorder.requests) == 3  # no retries of the "unknown id" 500s


def test_delete_twice_and_run_conflict() -> None:
    recorder = Recorder(json_response(400, {"detail": "Bad Request"}))
    assert agent_with(recorder).conversations.delete("c" * 32) is False
    recorder = Recorder(json_response(409, {"detail": "Conversation already running"}))
    assert agent_with(recorder).conversations.run("c" * 32) is False


def test_start_is_idempotent_by_id() -> None:
    bodies = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if len(bodies) == 1:
            return json_response(503, {"detail": "Internal Server Error"})
        return json_response(201, {"id": bodies[-1]["conversation_id"], "execution_status": "idle"})

    info = agent_with(Recorder(answer)).conversations.start(
        "hi", workspace="/w", llm={"model": "m"}, confirmation_policy="AlwaysConfirm"
    )
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the retry repeats the same id
    assert info.id == bodies[0]["conversation_id"]
    assert bodies[0]["agent_settings"]["llm"] == {"usage_id": "agent", "model": "m"}
    assert bodies[0]["confirmation_policy"] == {"kind": "AlwaysConfirm"}
    assert bodies[0]["initial_message"]["run"] is True
    with pytest.raises(ValueError, match="exactly one"):
        agent_with(Recorder(answer)).conversations.start(workspace="/w")


def test_generate_title_uses_the_old_route_when_present() -> None:
    recorder = Recorder(json_response(200, {"title": "Fix the parser"}))
    assert agent_with(recorder).conversations.generate_title("c" * 32, max_length=20) == "Fix the parser"
    assert json.loads(recorder.requests[0].content) == {"max_length": 20}
    assert recorder.requests[0].url.path.endswith("/generate_title")


def test_generate_title_falls_back_to_ask_and_patch() -> None:
    recorder = Recorder(
        json_response(404, {"detail": "Not Found"}),
        json_response(200, {"response": '"A very long title about fixing the parser"\nmore'}),
        json_response(200, {"success": True}),
    )
    assert agent_with(recorder).conversations.generate_title("c" * 32, max_length=12) == "A very long"
    assert [r.method for r in recorder.requests] == ["POST", "POST", "PATCH"]
    assert json.loads(recorder.requests[2].content) == {"title": "A very long"}


def test_handoff_uses_the_sandbox_url_when_the_conversation_has_none() -> None:
    from tests.support.helpers import conversation, make_client

    cid = "d" * 32
    sandbox = {
        "id": "sb",
        "status": "RUNNING",
        "session_api_key": "sandbox-key",
        "exposed_urls": [
            {"name": "VSCODE", "url": "http://127.0.0.1:7/v"},
            {"name": "AGENT_SERVER", "url": "http://127.0.0.1:8"},
        ],
    }
    recorder = Recorder(json_response(200, [conversation(cid)]), json_response(200, [sandbox]))
    client, _ = make_client(recorder)
    agent = client.conversations.agent(cid)
    assert agent.url == "http://127.0.0.1:8" and agent.session_api_key == "sandbox-key"
    assert agent.conversation_id == cid
    paused = Recorder(json_response(200, [conversation(cid, sandbox="PAUSED", execution=None)]))
    with pytest.raises(ohctl.SandboxNotRunningError, match="ensure_running"):
        make_client(paused)[0].conversations.agent(cid)
    gone = Recorder(json_response(200, [conversation(cid, sandbox="MISSING", execution=None)]))
    with pytest.raises(ohctl.SandboxFailedError):
        make_client(gone)[0].conversations.agent(cid)


def test_agent_takes_conversation_refs_like_the_app_client() -> None:
    agent = ohctl.AgentServer("http://127.0.0.1:9", "k")
    ready = ohctl.types.StartTask.model_validate({"id": "a" * 32, "status": "READY", "app_conversation_id": "b" * 32})
    assert agent._conversation_id(ready) == "b" * 32  # the conversation, never the start task's own id
    working = ohctl.types.StartTask.model_validate({"id": "a" * 32, "status": "WORKING"})
    with pytest.raises(ohctl.IdKindError, match="READY"):
        agent._conversation_id(working)
    info = ohctl.types.ConversationInfo(id="12345678-1234-1234-1234-123456789abc")
    assert agent._conversation_id(info) == "12345678123412341234123456789abc"
