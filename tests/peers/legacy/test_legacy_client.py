"""``ohctl.legacy`` against the REAL V0 server (openhands-ai 1.6.0): every V0 method of the module."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

import ohctl
from ohctl.legacy import (
    LegacyConversationNotFoundError,
    LegacyOpenHands,
    LegacyUnavailableError,
)
from tests.support.harness import Peer
from tests.support.legacy_harness import V0_KEY
from tests.support.legacy_suite import NOTE, NOTE_TEXT, Finished, legacy_client
from tests.support.scripted_llm import FINISH_MESSAGE, command_marker


def test_settings_read_and_write_keep_the_key_secret(legacy: LegacyOpenHands) -> None:
    before = legacy.settings.get()
    assert before.llm_model == "openai/scripted" and before.llm_api_key_set
    assert before.llm_base_url and before.llm_base_url.startswith("http://127.0.0.1:")
    legacy.settings.update(max_iterations=40)  # a partial save keeps the LLM settings
    after = legacy.settings.get()
    assert after.max_iterations == 40 and after.llm_model == before.llm_model and after.llm_api_key_set
    assert "llm_api_key" not in after.to_dict() and "x" not in repr(after).split("llm_api_key_set")[0][-5:]


def test_a_finished_conversation_reads_like_v0(legacy: LegacyOpenHands, finished: Finished) -> None:
    conv = legacy.conversations.get(finished.id)
    assert conv.conversation_id == finished.id and len(finished.id) == 32
    # V0's status says whether the runtime is up, not whether the agent is done: the events say that.
    assert conv.status in ("RUNNING", "STOPPED")
    assert legacy.events.agent_state(finished.id) == "finished"
    result = legacy.conversations.wait(finished.id, timeout=5)
    assert result.ok and result.agent_state == "finished" and result.conversation is not None

    summary = legacy.conversations.summary(finished.id)
    assert summary.outcome == "finished" and summary.status == "finished"
    assert summary.first_user_message is not None and "Write a note" in summary.first_user_message
    assert summary.last_agent_message == FINISH_MESSAGE
    assert legacy.events.count(finished.id) >= summary.event_count > 5  # a close may add one
    assert summary.model and "scripted" in summary.model
    assert summary.prompt_tokens > 0


def test_events_page_by_start_id_and_filter(legacy: LegacyOpenHands, finished: Finished) -> None:
    total = legacy.events.count(finished.id)
    first = legacy.events.page(finished.id, limit=3)
    assert [e.id for e in first.events] == [0, 1, 2] and first.has_more
    second = legacy.events.page(finished.id, start_id=3, limit=3)
    assert second.events[0].id == 3
    # (The server's idle close may append a "stopped" state change at any time: compare prefixes.)
    walked = [e.id for e in legacy.events.list(finished.id, page_size=4)]  # pages of 4, following start_id
    assert walked == list(range(len(walked))) and len(walked) >= total
    backwards = [e.id for e in legacy.events.list(finished.id, reverse=True, page_size=5)]
    assert backwards == list(reversed(range(len(backwards)))) and len(backwards) >= total
    assert legacy.events.list(finished.id, start_id=2, end_id=4) and all(
        2 <= e.id <= 4 for e in legacy.events.list(finished.id, start_id=2, end_id=4)
    )

    runs = legacy.events.list(finished.id, kinds=["run"])
    assert {e.kind for e in runs} == {"action:run", "observation:run"}
    assert any(NOTE_TEXT in (e.content or "") for e in runs if e.observation == "run")
    found = legacy.events.list(finished.id, query=NOTE_TEXT)  # the server's text filter
    assert found and len(found) < total and all(NOTE_TEXT in json.dumps(e.to_dict()) for e in found)
    by_agent = legacy.events.list(finished.id, source="agent")
    assert by_agent and all(e.source == "agent" for e in by_agent)
    assert legacy.events.list(finished.id, limit=2, source="user")[0].source == "user"
    with pytest.raises(ohctl.InvalidArgumentError, match="limit"):
        legacy.events.page(finished.id, limit=101)


def test_files_config_and_vscode_of_a_live_conversation(
    legacy: LegacyOpenHands, finished: Finished, tmp_path: Path
) -> None:
    live = legacy.conversations.ensure_running(finished.id)  # file routes need a live runtime
    assert live.status == "RUNNING" and legacy.conversations.get(finished.id).status == "RUNNING"
    names = legacy.files.list(finished.id)
    assert NOTE in names
    assert legacy.files.read(finished.id, NOTE).strip() == NOTE_TEXT
    saved = legacy.files.download_workspace(finished.id, tmp_path)
    assert saved.path is not None and Path(saved.path).name == "workspace.zip"
    with zipfile.ZipFile(saved.path) as archive:
        assert any(name.endswith(NOTE) for name in archive.namelist())
    buffer = io.BytesIO()
    legacy.files.download_workspace(finished.id, buffer)
    assert zipfile.is_zipfile(io.BytesIO(buffer.getvalue()))
    config = legacy.conversations.config(finished.id)
    assert config.session_id == finished.id
    assert legacy.conversations.vscode_url(finished.id) is None  # the VS Code plugin is off here


def test_trajectory_and_its_fallback(legacy: LegacyOpenHands, finished: Finished, tmp_path: Path) -> None:
    from_route = legacy.files.trajectory(finished.id)
    count = legacy.events.count(finished.id)
    assert len(from_route) >= count - 1 and from_route[0]["id"] == 0
    saved = legacy.files.save_trajectory(finished.id, tmp_path)
    assert json.loads(saved.read_text())["trajectory"] == from_route

    # A server whose trajectory route fails (500 {"trajectory": null, "error"}) is read from the events.
    import httpx

    real = httpx.Client()

    def broken(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/trajectory"):
            return httpx.Response(500, json={"trajectory": None, "error": "scripted failure"})
        forwarded = real.send(real.build_request(request.method, request.url, headers=request.headers))
        return httpx.Response(forwarded.status_code, headers=forwarded.headers, content=forwarded.content)

    transport = httpx.MockTransport(broken)
    with LegacyOpenHands(
        base_url=legacy.base_url, api_key=V0_KEY, auth="session-key", http_client=httpx.Client(transport=transport)
    ) as patched:
        fallback = patched.files.trajectory(finished.id)
        assert [e["id"] for e in fallback] == list(range(len(fallback))) and len(fallback) >= count
        with pytest.raises(ohctl.InternalServerError):
            patched.files.trajectory(finished.id, fallback=False)
    real.close()


def test_create_list_rename_message_stop_delete(v0_server: Peer) -> None:
    with legacy_client(v0_server) as oh:
        a = oh.conversations.create(f"First {command_marker('echo first')}", conversation_instructions="Be brief.")
        b = oh.conversations.create(f"Second {command_marker('echo second')}")
        assert a.status == "ok" and a.conversation_id != b.conversation_id
        for cid in (a.conversation_id, b.conversation_id):
            assert oh.conversations.wait(cid, timeout=120, poll_interval=0.5).outcome == "finished"

        pager = oh.conversations.list(page_size=1)
        first = pager.first_page()
        assert len(first.items) == 1 and first.next_page_id
        ids = [c.conversation_id for c in oh.conversations.list(page_size=1)]
        assert {a.conversation_id, b.conversation_id} <= set(ids) and len(ids) == len(set(ids))
        assert pager.pages_fetched >= 1
        resumed = [c.conversation_id for c in oh.conversations.list(page_size=1).resume(first.next_page_id)]
        assert resumed == ids[1:]
        assert len(oh.conversations.search(limit=1).to_list()) == 1

        assert oh.conversations.update_title(a.conversation_id, "ohctl legacy title")
        assert oh.conversations.get(a.conversation_id).title == "ohctl legacy title"
        with pytest.raises(ohctl.InvalidArgumentError):
            oh.conversations.update_title(a.conversation_id, "x" * 201)
        many = oh.conversations.get_many([a.conversation_id, "0" * 32])
        assert many[0] is not None and many[1] is None

        # A follow-up message runs the agent again (the scenario replays); wait for THIS turn.
        oh.conversations.stop(a.conversation_id)  # then start it again, as a script would
        assert oh.conversations.start(a.conversation_id).conversation_id == a.conversation_id
        oh.conversations.ensure_running(a.conversation_id)
        before = oh.events.count(a.conversation_id) - 1
        follow_up = f"Again {command_marker('echo again')}"
        assert oh.conversations.send_message(a.conversation_id, follow_up)
        again = oh.conversations.wait(
            a.conversation_id, timeout=120, poll_interval=0.5, after_event=before, message=follow_up
        )
        assert again.outcome == "finished"
        texts = [e.text for e in oh.events.list(a.conversation_id, start_id=before + 1, source="user")]
        assert any(t and "Again" in t for t in texts)

        stopped = oh.conversations.stop(b.conversation_id)
        assert stopped.conversation_id == b.conversation_id
        assert oh.conversations.get(b.conversation_id).status == "STOPPED"
        assert oh.files.trajectory(b.conversation_id)  # works when STOPPED
        with pytest.raises(ohctl.NotFoundError):
            oh.conversations.send_message(b.conversation_id, "not running")
        with pytest.raises(ohctl.NotFoundError):
            oh.files.list(b.conversation_id)

        for cid in (a.conversation_id, b.conversation_id):
            assert oh.conversations.delete(cid)
            with pytest.raises(LegacyConversationNotFoundError):
                oh.conversations.get(cid)


def test_unknown_id_is_not_found_not_null(legacy: LegacyOpenHands) -> None:
    with pytest.raises(LegacyConversationNotFoundError) as caught:
        legacy.conversations.get("f" * 32)
    assert isinstance(caught.value, ohctl.NotFoundError) and caught.value.status_code == 404
    assert "f" * 32 in str(caught.value) and "list()" in str(caught.value)


def test_a_v1_only_server_names_the_replacement(base_url: str) -> None:
    # The shared V1 app server (openhands-ai 1.11.0) has no V0 routes, like the hosted Cloud.
    with LegacyOpenHands(base_url=base_url) as oh, pytest.raises(LegacyUnavailableError) as caught:
        oh.conversations.list().first_page()
    assert caught.value.replacement == "GET /api/v1/app-conversations/search"
    assert "GET /api/v1/app-conversations/search" in str(caught.value)
    assert isinstance(caught.value, ohctl.NotFoundError)


def test_connect_tells_the_servers_apart(v0_server: Peer, base_url: str) -> None:
    found = ohctl.probe(v0_server.base_url, V0_KEY, auth="session-key")
    assert (found.v0, found.v1, found.client) == (True, False, "LegacyOpenHands")
    with ohctl.connect(v0_server.base_url, V0_KEY, auth="session-key") as client:
        assert isinstance(client, LegacyOpenHands)
        assert client.settings.get().llm_model == "openai/scripted"
    with ohctl.connect(base_url) as v1:
        assert isinstance(v1, ohctl.OpenHands)
    assert ohctl.probe(base_url).client == "OpenHands" and not ohctl.probe(base_url).v0


@pytest.mark.anyio
async def test_async_client_reads_the_same(v0_server: Peer, finished: Finished) -> None:
    from ohctl.legacy import AsyncLegacyOpenHands

    async with AsyncLegacyOpenHands(base_url=v0_server.base_url, api_key=V0_KEY, auth="session-key") as oh:
        conv = await oh.conversations.get(finished.id)
        assert conv.conversation_id == finished.id
        assert await oh.events.agent_state(finished.id) == "finished"
        assert [c.conversation_id async for c in oh.conversations.list(limit=50)].count(finished.id) == 1
        summary = await oh.conversations.summary(finished.id)
        assert summary.last_agent_message == FINISH_MESSAGE
        client = await ohctl.aconnect(v0_server.base_url, V0_KEY, auth="session-key")
        assert isinstance(client, AsyncLegacyOpenHands)
        await client.close()
