"""The legacy V0 client without a server (MockTransport): detection, V0's 200 ``null`` as a typed
NotFound, the migration error on servers without V0, create never retried, and the wait logic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import ohctl
from ohctl.legacy import (
    LegacyConversationNotFoundError,
    LegacyOpenHands,
    LegacyUnavailableError,
    outcome_of,
    replacement_for,
)
from tests.support.helpers import Recorder, json_response

CID = "a" * 32
HTML = httpx.Response(200, content=b"<!doctype html><html>app</html>", headers={"content-type": "text/html"})
NOT_FOUND = json_response(404, {"detail": "Not Found"})


def legacy(recorder: Recorder, **kwargs: Any) -> LegacyOpenHands:
    return LegacyOpenHands(
        base_url="http://127.0.0.1:9",
        api_key="k",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        sleep=lambda _: None,
        **kwargs,
    )


def test_null_for_an_unknown_id_raises_a_typed_not_found() -> None:
    with legacy(Recorder(json_response(200, None))) as oh, pytest.raises(LegacyConversationNotFoundError) as caught:
        oh.conversations.get(CID)
    assert isinstance(caught.value, ohctl.NotFoundError) and caught.value.status_code == 404
    assert CID in str(caught.value)


def test_a_conversation_not_found_404_stays_a_plain_not_found() -> None:
    answer = json_response(404, {"detail": f"Conversation {CID} not found"})
    with legacy(Recorder(answer)) as oh, pytest.raises(ohctl.NotFoundError) as caught:
        oh.conversations.config(CID)
    assert not isinstance(caught.value, LegacyUnavailableError)


@pytest.mark.parametrize(
    ("call", "replacement"),
    [
        (lambda oh: oh.conversations.list().first_page(), "GET /api/v1/app-conversations/search"),
        (lambda oh: oh.conversations.create("hi"), "POST /api/v1/app-conversations"),
        (lambda oh: oh.conversations.get(CID), "GET /api/v1/app-conversations?ids={id}"),
        (lambda oh: oh.conversations.send_message(CID, "x"), "POST /api/v1/app-conversations/{id}/send-message"),
        (lambda oh: oh.events.page(CID), "GET /api/v1/conversation/{id}/events/search"),
        (lambda oh: oh.files.trajectory(CID, fallback=False), "GET /api/v1/app-conversations/{id}/download (a zip)"),
        (lambda oh: oh.settings.get(), "/api/v1/settings"),
    ],
)
@pytest.mark.parametrize("answer", [NOT_FOUND, HTML], ids=["oss-404", "cloud-html"])
def test_a_server_without_v0_names_the_v1_replacement(call: Any, replacement: str, answer: httpx.Response) -> None:
    with legacy(Recorder(answer)) as oh, pytest.raises(LegacyUnavailableError) as caught:
        call(oh)
    assert caught.value.replacement == replacement
    text = str(caught.value)
    assert replacement in text and "ohctl.OpenHands" in text and "k" not in text.split("replacement")[0][-2:]
    assert isinstance(caught.value, ohctl.NotFoundError)


def test_replacements_cover_the_main_routes() -> None:
    assert replacement_for("POST", f"/api/conversations/{CID}/stop") == "POST /api/v1/sandboxes/{sandbox_id}/pause"
    assert replacement_for("GET", f"/api/conversations/{CID}/vscode-url") is not None
    assert replacement_for("DELETE", f"/api/conversations/{CID}") == "DELETE /api/v1/app-conversations/{id}"
    assert replacement_for("GET", "/api/options/models") is None


def test_create_sends_every_option_and_is_never_retried() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), json_response(200, {"status": "ok", "conversation_id": CID}))
    with legacy(recorder) as oh:
        created = oh.conversations.create(
            "Fix it",
            repository="me/repo",
            branch="main",
            git_provider="github",
            conversation_instructions="Be brief.",
        )
    assert created.conversation_id == CID
    body = json.loads(recorder.requests[-1].content)
    assert body == {
        "initial_user_msg": "Fix it",
        "repository": "me/repo",
        "selected_branch": "main",
        "git_provider": "github",
        "conversation_instructions": "Be brief.",
    }
    # A connect error never reached the server: that one retry is safe. A reset after sending is not.
    reset = Recorder(httpx.RemoteProtocolError("reset"), json_response(200, {"conversation_id": CID}))
    with legacy(reset) as oh, pytest.raises(ohctl.APIConnectionError, match="list"):
        oh.conversations.create("Fix it")
    assert len(reset.requests) == 1


def test_settings_update_sends_only_what_is_given_and_never_shows_the_key() -> None:
    recorder = Recorder(json_response(200, {"message": "Settings stored"}))
    with legacy(recorder) as oh:
        oh.settings.update(llm_model="openai/gpt", llm_api_key="sk-secret-123", llm_base_url="http://x")
    assert json.loads(recorder.requests[0].content) == {
        "llm_model": "openai/gpt",
        "llm_api_key": "sk-secret-123",
        "llm_base_url": "http://x",
    }
    got = Recorder(json_response(200, {"llm_model": "m", "llm_api_key": "sk-secret-123", "llm_api_key_set": True}))
    with legacy(got) as oh:
        settings = oh.settings.get()
    assert "sk-secret-123" not in repr(settings) and "sk-secret-123" not in json.dumps(settings.to_dict())
    assert "k" not in repr(oh).split("api_key=")[1].split("from")[0]


def _events(*states: str) -> dict[str, Any]:
    events = [
        {"id": i, "source": "environment", "observation": "agent_state_changed", "extras": {"agent_state": s}}
        for i, s in enumerate(states)
    ]
    return {"events": list(reversed(events)), "has_more": False}


def test_wait_reads_the_agent_state_not_the_status() -> None:
    running = json_response(200, {"conversation_id": CID, "status": "RUNNING"})

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            done = sum(1 for r in recorder.requests if r.url.path.endswith("/events")) > 2
            return json_response(200, _events("loading", "running", "finished") if done else _events("running"))
        return running

    recorder = Recorder(answer)
    with legacy(recorder) as oh:
        result = oh.conversations.wait(CID, timeout=30, poll_interval=0.01)
    assert result.outcome == "finished" and result.conversation is not None
    assert result.conversation.status == "RUNNING"  # V0 keeps RUNNING after the agent is done
    events = [r for r in recorder.requests if r.url.path.endswith("/events")]
    assert events[0].url.params["reverse"] == "true"


def test_wait_times_out_with_the_last_state() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):
            return json_response(200, _events("running"))
        return json_response(200, {"conversation_id": CID, "status": "RUNNING"})

    with legacy(Recorder(answer)) as oh, pytest.raises(ohctl.WaitTimeoutError, match="agent running"):
        oh.conversations.wait(CID, timeout=0)


@pytest.mark.parametrize(
    ("state", "status", "outcome"),
    [
        ("finished", "RUNNING", "finished"),
        ("finished", "STOPPED", "finished"),
        ("error", "RUNNING", "failed"),
        ("awaiting_user_input", "RUNNING", "needs_input"),
        ("awaiting_user_confirmation", "RUNNING", "needs_input"),
        ("running", "RUNNING", None),
        (None, "STARTING", None),
        ("running", "STOPPED", "failed"),
        (None, "ERROR", "failed"),
        ("some_new_state", "RUNNING", None),
    ],
)
def test_outcomes(state: str | None, status: str, outcome: str | None) -> None:
    assert outcome_of(state, status) == outcome


def test_event_pages_follow_start_id() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start_id"])
        ids = [i for i in range(start, min(start + 2, 5))]
        body = {"events": [{"id": i, "action": "run", "source": "agent"} for i in ids], "has_more": ids[-1] < 4}
        return json_response(200, body)

    recorder = Recorder(answer)
    with legacy(recorder) as oh:
        assert [e.id for e in oh.events.list(CID, page_size=2)] == [0, 1, 2, 3, 4]
    assert [r.url.params["start_id"] for r in recorder.requests] == ["0", "2", "4"]


def test_unknown_fields_and_statuses_are_kept() -> None:
    body = {"conversation_id": CID, "status": "HIBERNATING", "new_field": {"x": 1}, "pr_number": None}
    with legacy(Recorder(json_response(200, body))) as oh:
        conv = oh.conversations.get(CID)
    assert conv.status == "HIBERNATING" and conv.model_extra == {"new_field": {"x": 1}} and conv.pr_number == []


@pytest.mark.parametrize(
    ("v1", "v0", "client"),
    [
        (json_response(200, {"app_mode": "oss"}), NOT_FOUND, "OpenHands"),
        (NOT_FOUND, json_response(200, {"results": [], "next_page_id": None}), "LegacyOpenHands"),
        (json_response(200, {}), json_response(200, {"results": []}), "OpenHands"),
        (HTML, HTML, None),
        (json_response(401, {"detail": "Unauthorized"}), NOT_FOUND, "OpenHands"),
        (NOT_FOUND, json_response(401, {"detail": "Unauthorized"}), "LegacyOpenHands"),
    ],
)
def test_probe_tells_v0_from_v1(v1: httpx.Response, v0: httpx.Response, client: str | None) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return v1 if request.url.path.startswith("/api/v1/") else v0

    transport = httpx.MockTransport(answer)
    found = ohctl.probe("http://127.0.0.1:9", "k", http_client=httpx.Client(transport=transport))
    assert found.client == client and found.advice
    if client is None:
        with pytest.raises(ohctl.ConfigurationError, match="neither"):
            ohctl.connect("http://127.0.0.1:9", "k", http_client=httpx.Client(transport=transport))
        return
    made = ohctl.connect("http://127.0.0.1:9", "k", http_client=httpx.Client(transport=transport))
    assert type(made).__name__ == client
    made.close()


@pytest.mark.anyio
async def test_aconnect_returns_the_async_legacy_client() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/v1/"):
            return json_response(404, {"detail": "Not Found"})
        return json_response(200, {"results": []})

    client = await ohctl.aconnect(
        "http://127.0.0.1:9", http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer))
    )
    assert type(client).__name__ == "AsyncLegacyOpenHands"
    await client.close()


def test_wait_after_a_message_ignores_the_earlier_turn() -> None:
    """After ``send_message``: the previous turn's ``finished`` (and a restarted runtime's replayed
    states) do not end the wait; only states after the new user message do."""
    old = [("environment", "agent_state_changed", "finished"), ("environment", "agent_state_changed", "stopped")]
    new = [("user", "message", None), ("environment", "agent_state_changed", "running")]
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/events"):
            return json_response(200, {"conversation_id": CID, "status": "RUNNING"})
        calls["n"] += 1
        rows = old + new + ([("environment", "agent_state_changed", "finished")] if calls["n"] > 4 else [])
        events = []
        for i, (source, name, state) in enumerate(rows):
            event: dict[str, Any] = {"id": i, "source": source}
            if name == "message":
                event.update(action="message", args={"content": "again"})
            else:
                event.update(observation=name, extras={"agent_state": state})
            events.append(event)
        start = int(request.url.params["start_id"])
        chosen = [e for e in events if e["id"] >= start]
        if request.url.params["reverse"] == "true":
            chosen.reverse()
        body = json.loads(request.content or b"{}")
        if body.get("source"):
            chosen = [e for e in chosen if e["source"] == body["source"]]
        return json_response(200, {"events": chosen, "has_more": False})

    with legacy(Recorder(answer)) as oh:
        result = oh.conversations.wait(CID, timeout=30, poll_interval=0.01, after_event=1)
        assert result.outcome == "finished" and calls["n"] > 4
        assert oh.events.agent_state(CID) == "finished"
        assert oh.events.agent_state(CID, after=2) == "finished"


def test_the_v0_server_is_an_installable_peer(monkeypatch: pytest.MonkeyPatch) -> None:
    from ohctl.local import install as installer

    assert installer.PEERS["v0"] == ("openhands-ai", "1.6.0") == installer.V0_SERVER
    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(installer, "is_installed", lambda package, version: True)
    monkeypatch.setattr(
        installer, "install", lambda package, version, **_: asked.append((package, version)) or Path("py")
    )
    installer.main(["v0"])
    assert asked == [("openhands-ai", "1.6.0")]
    with pytest.raises(SystemExit):
        installer.main(["v9"])


def test_the_scripted_model_speaks_v0_when_offered_execute_bash() -> None:
    from ohctl.local.scripted_model import Step, for_tools, tool_names

    v0 = {"tools": [{"type": "function", "function": {"name": n}} for n in ("execute_bash", "finish", "think")]}
    v1 = {"tools": [{"type": "function", "function": {"name": n}} for n in ("terminal", "finish")]}
    step = Step("terminal", {"command": "ls", "summary": "scripted", "security_risk": "LOW"})
    assert for_tools(step, tool_names(v0)) == Step("execute_bash", {"command": "ls", "security_risk": "LOW"})
    assert for_tools(step, tool_names(v1)) is step
    finish = Step("finish", {"message": "done"})
    assert for_tools(finish, tool_names(v0)) is finish


def test_with_options_keeps_the_v0_translation() -> None:
    recorder = Recorder(json_response(404, {"detail": "Not Found"}))
    with legacy(recorder) as oh:
        quick = oh.with_options(max_retries=0, headers={"X-Test": "1"})
        assert type(quick) is LegacyOpenHands and quick.options.max_retries == 0
        with pytest.raises(LegacyUnavailableError):
            quick.settings.get()
    assert recorder.requests[-1].headers["X-Test"] == "1"


def test_trajectory_falls_back_to_the_runtime_with_its_session_key_only() -> None:
    """The app host fails the trajectory (its maintenance page, a 503): V0 scripts then asked the
    conversation's runtime at its ``url`` with its ``session_api_key``; the client's key stays home."""
    runtime_url = f"https://runtime-1.example.test/api/conversations/{CID}"
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "runtime-1.example.test":
            return json_response(200, {"trajectory": [{"id": 0, "source": "user", "action": "message"}]})
        if request.url.path.endswith("/trajectory"):
            return httpx.Response(503, content=b"<html>maintenance</html>", headers={"content-type": "text/html"})
        return json_response(200, {"conversation_id": CID, "url": runtime_url, "session_api_key": "sess-123"})

    with legacy(Recorder(answer), allow_insecure=False) as oh:
        assert oh.files.trajectory(CID) == [{"id": 0, "source": "user", "action": "message"}]
    to_runtime = [r for r in seen if r.url.host == "runtime-1.example.test"]
    assert len(to_runtime) == 1 and to_runtime[0].url.path == f"/api/conversations/{CID}/trajectory"
    assert to_runtime[0].headers["X-Session-API-Key"] == "sess-123"
    assert "authorization" not in to_runtime[0].headers  # the client's own key never goes to the runtime


def test_a_local_runtime_is_not_asked_twice() -> None:
    """A runtime on the app host itself (a relative or same-origin url) would fail the same way: the
    events are read instead."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/trajectory"):
            return json_response(500, {"trajectory": None, "error": "boom"})
        if request.url.path.endswith("/events"):
            return json_response(200, {"events": [{"id": 0, "action": "message"}], "has_more": False})
        return json_response(200, {"conversation_id": CID, "url": f"/api/conversations/{CID}"})

    recorder = Recorder(answer)
    with legacy(recorder) as oh:
        assert [e["id"] for e in oh.files.trajectory(CID)] == [0]
    assert sum(r.url.path.endswith("/trajectory") for r in recorder.requests) == 1


@pytest.mark.parametrize(
    ("oldest_first", "state"),
    [
        (["loading", "running", "finished"], "finished"),
        (["loading", "running", "finished", "stopped"], "finished"),  # the idle close
        (["running", "finished", "stopped", "loading", "awaiting_user_input"], "finished"),  # a restart
        (["running", "stopped"], "stopped"),  # stopped while the agent ran: it did not finish
        (["loading", "running"], "running"),
        (["running", "error", "stopped"], "error"),
        (["loading", "awaiting_user_input"], None),  # a restored runtime, no turn yet: newest is kept
        (["finished", "running", "awaiting_user_confirmation"], "awaiting_user_confirmation"),
        ([], None),
    ],
)
def test_the_settled_state_skips_the_runtime_life_cycle(oldest_first: list[str], state: str | None) -> None:
    from ohctl._async.legacy.events import settled_state

    got = settled_state(list(reversed(oldest_first)))
    assert got == (state if state is not None else (oldest_first[-1] if oldest_first else None))
