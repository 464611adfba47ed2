"""``ohctl sandboxes``, ``settings``, ``settings profiles`` and ``secrets`` against the REAL app server.

The server may be shared with other test runs: these tests only touch sandboxes, profiles and
secrets they created, and put back the settings they change.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

import ohctl
from tests.support.cli_runner import Run, secret
from tests.support.scripted_llm import ScriptedLLM


@pytest.fixture
def env(base_url: str) -> dict[str, str]:
    return {"OPENHANDS_BASE_URL": base_url}


def test_sandbox_lifecycle(run: Run, env: dict[str, str], client: ohctl.OpenHands) -> None:
    sandbox = client.sandboxes.wait(client.sandboxes.create().id, timeout=180)
    try:
        assert sandbox.session_api_key
        secret(sandbox.session_api_key)
        listed = run("sandboxes", "list", env=env)
        assert listed.code == 0, listed
        rows = [json.loads(line) for line in listed.stdout.splitlines()]  # NDJSON when piped
        mine = next(r for r in rows if r["id"] == sandbox.id)
        assert mine["status"] == "RUNNING" and mine["session_api_key_set"] and "session_api_key" not in mine

        table = run("sandboxes", "list", env=env, tty=True)
        assert "AGENT SERVER" in table.stdout and sandbox.id in table.stdout
        shown = run("sandboxes", "show", sandbox.id, "--json", "id,status", env=env)
        assert json.loads(shown.stdout) == {"id": sandbox.id, "status": "RUNNING"}
        human = run("sandboxes", "show", sandbox.id, env=env, tty=True)
        assert "url AGENT_SERVER:" in human.stdout

        paused = run("sandboxes", "pause", sandbox.id, env=env)
        assert paused.code == 0 and f"Paused sandbox {sandbox.id}" in paused.stderr
        assert str(client.sandboxes.retrieve(sandbox.id).status) == "PAUSED"
        resumed = run("sandboxes", "resume", sandbox.id, "--wait", "--timeout", "120", env=env)
        assert resumed.code == 0, resumed
        assert "is RUNNING" in resumed.stderr
        refused = run("sandboxes", "delete", sandbox.id, env=env)  # not a terminal: --yes is required
        assert refused.code == 2 and "--yes" in refused.stderr
        deleted = run("sandboxes", "delete", sandbox.id, "--yes", env=env)
        assert deleted.code == 0, deleted
    finally:
        try:
            client.sandboxes.delete(sandbox.id)
        except ohctl.NotFoundError:
            pass
    assert [s for s in client.sandboxes.get([sandbox.id]) if s is not None and str(s.status) == "RUNNING"] == []
    assert run("sandboxes", "show", sandbox.id, env=env).code == 5
    assert run("sandboxes", "pause", "nosuchsandbox", env=env).code == 5


@pytest.fixture
def restore_settings(client: ohctl.OpenHands) -> Iterator[None]:
    before = client.settings.get()
    yield
    llm = dict((before.agent_settings or {}).get("llm") or {})
    keep = {k: llm.get(k) for k in ("model", "base_url")}
    client.settings.update(language=before.language, agent_settings_diff={"llm": {**keep, "api_key": "x"}})


def test_settings_show_set_and_llm(
    run: Run, env: dict[str, str], client: ohctl.OpenHands, llm: ScriptedLLM, restore_settings: None
) -> None:
    shown = run("settings", "show", "--json", env=env)
    assert shown.code == 0, shown
    data = json.loads(shown.stdout)
    assert data["agent_settings"]["llm"]["model"] == "openai/scripted"

    assert run("settings", "set", "language=fr", env=env).code == 0
    assert client.settings.get().language == "fr"
    assert run("settings", "show", "--jq", ".language", env=env).stdout.strip() == "fr"
    summary = run("settings", "show", env=env, tty=True)
    assert "llm model:" in summary.stdout and "language:" in summary.stdout

    refused = run("settings", "set", "agent_settings.llm.api_key=sk-in-argv", env=env)
    assert refused.code == 2 and "--api-key-env" in refused.stderr
    assert run("settings", "set", "nonsense", env=env).code == 2

    llm_key = secret(f"sk-llm-{uuid.uuid4().hex}")
    flags = run(
        "settings",
        "llm",
        "--model",
        "openai/scripted",
        "--base-url",
        llm.base_url,
        "--api-key-env",
        "MY_LLM_KEY",
        env={**env, "MY_LLM_KEY": llm_key},
    )
    assert flags.code == 0, flags
    assert "API key set (from MY_LLM_KEY)" in flags.stderr
    assert client.settings.get().llm_api_key_set
    from_env = run("settings", "llm", env={**env, "LLM_MODEL": "openai/scripted", "LLM_API_KEY": llm_key})
    assert from_env.code == 0 and "from LLM_API_KEY" in from_env.stderr
    assert run("settings", "llm", env=env).code == 2  # nothing to set
    assert run("settings", "llm", "--api-key-env", "UNSET_VAR_X", env=env).code == 2
    # the key the server keeps never comes back: not in any output above, nor here
    everything = run("settings", "show", "--json", env=env)
    assert everything.code == 0 and llm_key not in everything.stdout


def test_llm_profiles(run: Run, env: dict[str, str], client: ohctl.OpenHands, llm: ScriptedLLM) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    renamed = name + "-b"
    key = secret(f"sk-profile-{uuid.uuid4().hex}")
    try:
        saved = run(
            "settings",
            "profiles",
            "save",
            name,
            "--model",
            "openai/scripted",
            "--base-url",
            llm.base_url,
            "--api-key-env",
            "PROFILE_KEY",
            env={**env, "PROFILE_KEY": key},
        )
        assert saved.code == 0, saved
        rows = [json.loads(line) for line in run("settings", "profiles", "list", env=env).stdout.splitlines()]
        mine = next(r for r in rows if r["name"] == name)
        assert mine["model"] == "openai/scripted" and mine["api_key_set"]
        shown = json.loads(run("settings", "profiles", "show", name, "--json", env=env).stdout)
        assert shown["config"]["model"] == "openai/scripted" and shown["api_key_set"]
        human = run("settings", "profiles", "show", name, env=env, tty=True)
        assert "api key:" in human.stdout and "set" in human.stdout
        assert run("settings", "profiles", "rename", name, renamed, env=env).code == 0
        activated = run("settings", "profiles", "activate", renamed, env=env)
        assert activated.code == 0 and "openai/scripted" in activated.stderr
        assert client.settings.profiles.list().active_profile == renamed
        assert run("settings", "profiles", "list", env=env, tty=True).stdout.count("*") >= 1
        assert run("settings", "profiles", "show", "no-such-profile", env=env).code == 5
        assert run("settings", "profiles", "delete", renamed, env=env).code == 0
        assert renamed not in client.settings.profiles.list().names()
    finally:
        for leftover in (name, renamed):
            client.settings.profiles.delete(leftover)


def test_secrets(run: Run, env: dict[str, str], client: ohctl.OpenHands) -> None:
    name = f"OHCTL_CLI_{uuid.uuid4().hex[:8].upper()}"
    first, second, third = (secret(f"secret-value-{uuid.uuid4().hex}") for _ in range(3))
    try:
        piped = run("secrets", "set", name, "--description", "from the CLI test", input=first + "\n", env=env)
        assert piped.code == 0, piped
        listed = [json.loads(line) for line in run("secrets", "list", env=env).stdout.splitlines()]
        assert {"name": name, "description": "from the CLI test"} in listed
        assert name in run("secrets", "list", env=env, tty=True).stdout
        from_env = run("secrets", "set", name, "--value-env", "SECRET_SRC", env={**env, "SECRET_SRC": second})
        assert from_env.code == 0, from_env
        prompted = run("secrets", "set", name, input=third + "\n", env=env, tty=True)
        assert prompted.code == 0 and third not in prompted.stdout
        assert run("secrets", "set", name, "--value-env", "UNSET_VAR_X", env=env).code == 2
        assert run("secrets", "set", name, input="", env=env).code == 2
        assert run("secrets", "delete", name, env=env).code == 0
        assert run("secrets", "delete", name, env=env).code == 5
        assert name not in [s.name for s in client.secrets.search(name_contains=name)]
    finally:
        try:
            client.secrets.delete(name)
        except ohctl.NotFoundError:
            pass
