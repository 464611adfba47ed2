"""Sandboxes, specs, users, settings, secrets, git and config routes, and error mapping, on the real server."""

from __future__ import annotations

import uuid

import pytest

import ohctl
from ohctl.types import SandboxStatus
from tests.support.peer_suite import Shared


def test_users_and_settings(client: ohctl.OpenHands) -> None:
    me = client.users.me()
    assert me.llm_model == "openai/scripted"
    settings = client.settings.get()
    assert settings.llm_model == "openai/scripted" and settings.llm_api_key_set is True
    assert client.settings.update(git_user_name="ohctl-test") == "Settings stored"
    assert client.settings.get().git_user_name == "ohctl-test"
    assert client.settings.update(conversation_settings_diff={"max_iterations": 77})
    assert (client.settings.get().conversation_settings or {}).get("max_iterations") == 77
    assert client.settings.get().llm_model == "openai/scripted"  # a diff merges, it does not replace
    assert "properties" in client.settings.agent_schema() or client.settings.agent_schema()
    assert client.settings.conversation_schema()
    with pytest.raises(ValueError, match="_diff"):
        client.settings.update(agent_settings={"llm": {}})
    with pytest.raises(ohctl.PermissionDeniedError):
        client.users.git_info()  # no git provider linked on the test server


@pytest.mark.anyio
async def test_users_async(aclient: ohctl.AsyncOpenHands) -> None:
    me = await aclient.users.me()
    assert me.agent_settings is not None


def test_secrets_round_trip(client: ohctl.OpenHands) -> None:
    name = f"OHCTL_{uuid.uuid4().hex[:8].upper()}"
    assert client.secrets.create(name, "s3cret-value", description="first")
    found = list(client.secrets.search(name_contains=name))
    assert [(s.name, s.description) for s in found] == [(name, "first")]
    assert "s3cret-value" not in repr(found)
    client.secrets.update(name, description="second")
    renamed = name + "_B"
    client.secrets.update(name, new_name=renamed, description="third")
    assert [s.name for s in client.secrets.search(name_contains=name)] == [renamed]
    for i in range(3):
        client.secrets.create(f"{name}_P{i}", "v")
    paged = list(client.secrets.search(name_contains=name, page_size=1))
    assert len(paged) == 4
    client.secrets.delete(renamed)
    for i in range(3):
        client.secrets.delete(f"{name}_P{i}")
    assert list(client.secrets.search(name_contains=name)) == []
    with pytest.raises(ohctl.NotFoundError):
        client.secrets.delete(renamed)


def test_config_and_git_routes(client: ohctl.OpenHands) -> None:
    first = client.server_config.models(page_size=5).first_page()
    assert len(first.items) == 5 and first.next_page_id
    some = list(client.server_config.models(limit=12, page_size=5))
    assert len(some) == 12 and some[:5] == first.items
    openai = list(client.server_config.models(provider="openai", limit=20))
    assert openai and all(m.provider == "openai" for m in openai)
    providers = list(client.server_config.providers(limit=30))
    assert any(p.name == "openai" for p in providers)
    assert list(client.server_config.providers(query="anthropic"))
    # No git provider token on the test server: each git route answers 403 (mapped).
    with pytest.raises(ohctl.PermissionDeniedError):
        client.git.repositories("github").first_page()
    with pytest.raises(ohctl.PermissionDeniedError):
        client.git.branches("github", "octo/repo").first_page()
    with pytest.raises(ohctl.PermissionDeniedError):
        client.git.suggested_tasks().first_page()
    with pytest.raises(ohctl.OhctlError):
        client.git.installations("github").first_page()


def test_sandbox_specs(client: ohctl.OpenHands) -> None:
    specs = list(client.sandbox_specs.search())
    assert specs
    assert client.sandbox_specs.retrieve(specs[0].id).id == specs[0].id
    assert client.sandbox_specs.get([specs[0].id, "nope"])[1] is None
    with pytest.raises(ohctl.NotFoundError):
        client.sandbox_specs.retrieve("no-such-spec")


def test_sandbox_lifecycle(client: ohctl.OpenHands, shared: Shared) -> None:
    created = client.sandboxes.create()
    try:
        running = client.sandboxes.wait(created, timeout=240)
        assert running.status == SandboxStatus.RUNNING and running.session_api_key
        assert running.url_for("AGENT_SERVER")
        assert running.id in {s.id for s in client.sandboxes.search(page_size=1)}
        assert client.sandboxes.pause(running) is True
        paused = client.sandboxes.wait(running, status="PAUSED", timeout=30)
        assert paused.session_api_key is None and not paused.url_for()
        assert client.sandboxes.resume(running) is True
        back = client.sandboxes.wait(running, timeout=60)
        assert back.session_api_key
    finally:
        assert client.sandboxes.delete(created) is True
    assert client.sandboxes.get([created.id]) == [None]
    with pytest.raises(ohctl.NotFoundError):
        client.sandboxes.pause(created)


@pytest.mark.anyio
async def test_paused_sandbox_conversation(aclient: ohctl.AsyncOpenHands, shared: Shared) -> None:
    """Pausing a conversation's sandbox: send-message gives 409, PAUSED is not an outcome, resume works."""
    conv = await aclient.conversations.start("Pause me [ohctl:default]", wait="finished", timeout=240)
    assert conv.sandbox_id and conv.sandbox_id != shared.sandbox_id
    try:
        await aclient.sandboxes.pause(conv.sandbox_id)
        paused = await aclient.conversations.retrieve(conv.id)
        assert paused.sandbox_status == "PAUSED" and paused.execution_status is None
        results = await aclient.conversations.wait_many([conv.id], timeout=2, poll_interval=0.5)
        assert results[conv.id].outcome is None  # PAUSED does not end a wait
        with pytest.raises(ohctl.ConflictError, match="resume"):
            await aclient.conversations.send_message(conv.id, "while paused")
        await aclient.sandboxes.resume(conv.sandbox_id)
        await aclient.sandboxes.wait(conv.sandbox_id, timeout=60)
        assert (await aclient.conversations.wait(conv.id, timeout=60)).execution_status == "finished"
    finally:
        await aclient.sandboxes.delete(conv.sandbox_id)
    gone = await aclient.conversations.wait_many([conv.id], timeout=30)
    assert str(gone[conv.id].outcome) == "failed"  # sandbox MISSING ends the wait as failed
    with pytest.raises(ohctl.ConversationFailedError):
        await aclient.conversations.wait(conv.id, timeout=30)


def test_error_mapping(client: ohctl.OpenHands) -> None:
    with pytest.raises(ohctl.UnprocessableEntityError) as info:
        client.request("GET", "/api/v1/app-conversations/start-tasks", params={"ids": "not-a-uuid"})
    assert info.value.status_code == 422 and "ids" in info.value.detail
    with pytest.raises(ohctl.APIStatusError) as info2:
        client.request("GET", f"/api/v1/app-conversations/{uuid.uuid4().hex}")
    assert info2.value.status_code == 405
    with pytest.raises(ohctl.NotFoundError):
        client.conversations.update(uuid.uuid4().hex, title="x")
    with pytest.raises(ohctl.BadRequestError):
        client.request("GET", "/api/v1/app-conversations", params={"ids": [uuid.uuid4().hex for _ in range(100)]})
    many = [uuid.uuid4().hex for _ in range(205)]  # chunked to 99 per call, transparently
    assert client.conversations.get(many) == [None] * 205


def test_session_key_auth(llm: object) -> None:
    """A server started with SESSION_API_KEY: a wrong key is an AuthenticationError, the right one works."""
    from tests.support.harness import start_app_server

    key = uuid.uuid4().hex
    peer = start_app_server(llm.base_url, session_api_key=key)  # type: ignore[attr-defined]
    try:
        with ohctl.OpenHands(base_url=peer.base_url, api_key="wrong", auth="session-key") as bad:
            with pytest.raises(ohctl.AuthenticationError) as info:
                bad.users.me()
            assert "wrong" not in str(info.value)
        with ohctl.OpenHands(base_url=peer.base_url, api_key=key, auth="session-key") as good:
            assert good.settings.get().llm_model == "openai/scripted"
            assert key not in repr(good)
    finally:
        peer.stop()
