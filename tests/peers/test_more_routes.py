"""Settings profiles, git-provider tokens, sandbox secrets, skills search and the agent server's tool
catalog, against the real app server 1.11.0 (its sandboxes run agent server 1.34.0) and the
standalone agent server 1.58.2."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

import ohctl
from ohctl import (
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    SessionKeyError,
    UnprocessableEntityError,
)
from ohctl._errors import ServerTooOldError
from ohctl.types import LLMProfileDetail, ProviderToken
from tests.support.harness import Peer
from tests.support.peer_suite import Shared

SECRET_KEY = "sk-ohctl-profile-" + uuid.uuid4().hex[:8]
FAKE_TOKEN = "ghp_ohctlfake" + uuid.uuid4().hex


def test_profiles_lifecycle(client: ohctl.OpenHands) -> None:
    profiles = client.settings.profiles
    before = client.settings.get().llm_model
    assert before == "openai/scripted"
    # A snapshot of the current LLM (no body) lets the test put the suite's LLM back.
    saved = profiles.save("ohctl-orig")
    assert saved.name == "ohctl-orig" and "saved" in saved.message
    try:
        profiles.save("ohctl-a", {"model": "openai/ohctl-other", "api_key": SECRET_KEY, "base_url": "http://x.invalid"})
        listed = profiles.list()
        by_name = {p.name: p for p in listed.profiles}
        assert {"ohctl-orig", "ohctl-a"} <= set(listed.names())
        assert by_name["ohctl-a"].model == "openai/ohctl-other" and by_name["ohctl-a"].api_key_set is True
        assert by_name["ohctl-orig"].model == "openai/scripted"

        detail = profiles.retrieve("ohctl-a")
        assert isinstance(detail, LLMProfileDetail) and detail.model == "openai/ohctl-other"
        assert detail.config["api_key"] is None and detail.api_key_set is True  # never echoed
        assert SECRET_KEY not in repr(detail) and SECRET_KEY not in repr(listed)

        # Saving with llm but no api_key keeps the stored key; include_secrets=False drops it.
        profiles.save("ohctl-a", {"model": "openai/ohctl-other2"})
        assert profiles.retrieve("ohctl-a").api_key_set is True
        profiles.save("ohctl-b", {"model": "openai/ohctl-b", "api_key": SECRET_KEY}, include_secrets=False)
        assert profiles.retrieve("ohctl-b").api_key_set is False

        # The server refuses unknown LLM fields (StrictLLM).
        with pytest.raises(UnprocessableEntityError, match="bogus"):
            profiles.save("ohctl-c", {"model": "m", "bogus": 1})

        activated = profiles.activate("ohctl-a")
        assert activated.model == "openai/ohctl-other2"
        assert client.settings.get().llm_model == "openai/ohctl-other2"
        assert profiles.list().active_profile == "ohctl-a"

        with pytest.raises(ConflictError, match="already exists"):
            profiles.rename("ohctl-a", "ohctl-b")
        renamed = profiles.rename("ohctl-a", "ohctl-a2")
        assert renamed.name == "ohctl-a2"
        assert profiles.list().active_profile == "ohctl-a2"  # the active flag follows the rename
        with pytest.raises(NotFoundError, match="not found"):
            profiles.retrieve("ohctl-a")
        with pytest.raises(NotFoundError):
            profiles.activate("ohctl-a")

        # Names are checked before any request.
        for bad in ("bad name", "", "x" * 65, "a/b"):
            with pytest.raises(InvalidArgumentError, match="profile name"):
                profiles.retrieve(bad)
    finally:
        profiles.activate("ohctl-orig")
        for name in ("ohctl-a", "ohctl-a2", "ohctl-b", "ohctl-c"):
            assert profiles.delete(name).name == name  # idempotent: missing ones answer 200 too
        profiles.delete("ohctl-orig")
    assert client.settings.get().llm_model == before
    assert not {n for n in profiles.list().names() if n.startswith("ohctl-")}


def test_profile_limit_is_ten(client: ohctl.OpenHands) -> None:
    profiles = client.settings.profiles
    existing = len(profiles.list().profiles)
    made = []
    try:
        with pytest.raises(ConflictError):
            for i in range(11 - existing):
                name = f"ohctl-limit-{i}"
                profiles.save(name, {"model": f"openai/limit-{i}"})
                made.append(name)
        assert len(profiles.list().profiles) == 10
    finally:
        for name in made:
            profiles.delete(name)


@pytest.mark.anyio
async def test_profiles_async(aclient: ohctl.AsyncOpenHands) -> None:
    await aclient.settings.profiles.save("ohctl-async", {"model": "openai/async"})
    try:
        listed = await aclient.settings.profiles.list()
        assert "ohctl-async" in listed.names()
        assert (await aclient.settings.profiles.retrieve("ohctl-async")).model == "openai/async"
    finally:
        await aclient.settings.profiles.delete("ohctl-async")
    assert "ohctl-async" not in (await aclient.settings.profiles.list()).names()


def test_git_provider_tokens(client: ohctl.OpenHands, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = ProviderToken(token=FAKE_TOKEN, host="github.com")
    assert FAKE_TOKEN not in repr(token) and FAKE_TOKEN not in str(token)
    # A host-only change (no token) is stored without asking the provider.
    assert client.secrets.set_git_providers({"gitlab": ProviderToken(host="gitlab.example.com")}) == (
        "Git providers stored"
    )
    # A new token is confirmed with its provider first: a fake one is refused (401 on the wire).
    with pytest.raises(InvalidArgumentError, match="token was refused") as refused:
        client.secrets.set_git_providers({"github": FAKE_TOKEN})
    assert FAKE_TOKEN not in str(refused.value)
    with pytest.raises(InvalidArgumentError, match="token was refused"):
        client.secrets.set_git_providers({ohctl.types.GitProvider.GITHUB: token})
    with pytest.raises(UnprocessableEntityError, match="github"):
        client.secrets.set_git_providers({"nothub": ProviderToken(host="x")})
    assert client.secrets.delete_git_providers() == "Unset Git provider tokens"
    assert not client.settings.get().provider_tokens_set
    assert FAKE_TOKEN not in caplog.text


def test_sandbox_secrets_need_the_sandbox_key(client: ohctl.OpenHands, shared: Shared) -> None:
    """The routes are the sandbox's own (LookupSecret): the user's key is not what they check."""
    client.sandboxes.ensure_running(shared.sandbox_id).close()
    sandbox = client.sandboxes.retrieve(shared.sandbox_id)
    assert sandbox.session_api_key
    client.secrets.create("OHCTL_SANDBOX_SECRET", "sandbox-secret-value")
    try:
        # The right key: the open-source server records no owner on its sandboxes, so it refuses.
        with pytest.raises(SessionKeyError, match="no associated user"):
            client.sandboxes.secret_names(sandbox)
        with pytest.raises(SessionKeyError, match="no associated user"):
            client.sandboxes.secret_value(shared.sandbox_id, "OHCTL_SANDBOX_SECRET")
        with pytest.raises(SessionKeyError, match="Invalid session API key"):
            client.sandboxes.secret_names(sandbox, session_api_key="not-the-key")
        # A key of one sandbox used for another sandbox's path.
        with pytest.raises(PermissionDeniedError, match="does not match sandbox"):
            client.sandboxes.secret_names("ohctl-other-sandbox", session_api_key=sandbox.session_api_key)
        # The user's own credentials are not what these routes check: without the header, 401.
        with pytest.raises(ohctl.AuthenticationError, match="X-Session-API-Key header is required"):
            client.request("GET", f"/api/v1/sandboxes/{sandbox.id}/settings/secrets")
    finally:
        client.secrets.delete("OHCTL_SANDBOX_SECRET")
    with pytest.raises(InvalidArgumentError):
        client.sandboxes.secret_value(sandbox, "")


def test_skills_search(client: ohctl.OpenHands, app_server: Peer) -> None:
    # The server reads user skills from ~/.openhands/microagents of its own HOME.
    folder = app_server.workdir / "home" / ".openhands" / "microagents"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for i, kind in enumerate(("knowledge", "task", "knowledge")):
            path = folder / f"ohctl-skill-{i}.md"
            triggers = f"triggers:\n  - ohctl{i}\n" if kind == "knowledge" else ""
            path.write_text(f"---\nname: ohctl-skill-{i}\ntype: {kind}\n{triggers}---\nBody {i}\n")
            written.append(path)
        (folder / "README.md").write_text("---\nname: not-a-skill\n---\n")
        written.append(folder / "README.md")
        skills = [s for s in client.skills.search(page_size=1) if s.name.startswith("ohctl-skill-")]
        assert [s.name for s in skills] == ["ohctl-skill-0", "ohctl-skill-1", "ohctl-skill-2"]
        assert all(s.source == "user" for s in skills)
        assert skills[0].type == "knowledge" and skills[0].triggers == ["ohctl0"]
        assert skills[1].type == "task" and skills[1].triggers is None
        first = client.skills.search(page_size=2).first_page()
        assert len(first.items) == 2 and first.next_page_id == first.items[-1].name  # the cursor is a name
        assert len(list(client.skills.search(limit=2))) == 2
    finally:
        for path in written:
            path.unlink(missing_ok=True)
    assert not [s for s in client.skills.search() if s.name.startswith("ohctl-skill-")]


def test_tools_catalog_on_158(agent: ohctl.AgentServer) -> None:
    catalog = agent.tools_catalog()
    by_name = {t.name: t for t in catalog}
    assert {"terminal", "file_editor", "task_tracker"} <= set(by_name)
    assert by_name["terminal"].in_default_set and by_name["terminal"].user_selectable and by_name["terminal"].usable
    assert any(not t.user_selectable for t in catalog)
    assert agent.info().version == "1.58.2"


def test_tools_catalog_too_old_on_134(client: ohctl.OpenHands, shared: Shared) -> None:
    client.sandboxes.ensure_running(shared.sandbox_id).close()
    with client.conversations.agent(shared.id) as old:
        assert old.info().version == "1.34.0"
        assert old.tools()  # the names-only route exists there
        with pytest.raises(ServerTooOldError, match=r"1\.34\.0 .* has no GET /api/tools/catalog") as err:
            old.tools_catalog()
    assert err.value.version == "1.34.0" and err.value.route == "/api/tools/catalog"
    assert isinstance(err.value, ohctl.OhctlError)


@pytest.mark.parametrize(
    "args",
    [
        ("Hello there", "6f1c3c2e-3d5b-4c8e-9a57-3c4f8a0b1d2e"),  # the old (message, conversation) order
        ("Hello there",),  # the old order with the default conversation
    ],
)
def test_agent_send_message_takes_conversation_first(agent: ohctl.AgentServer, args: tuple[Any, ...]) -> None:
    with pytest.raises(InvalidArgumentError, match=r"send_message takes \(conversation, message\)"):
        agent.conversations.send_message(*args)
