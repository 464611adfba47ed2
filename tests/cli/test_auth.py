"""``ohctl auth`` against REAL app servers: the suite's (no auth) and one started here with
SESSION_API_KEY, where a wrong key is refused and the right one accepted."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

import ohctl
from tests.support.cli_runner import Run, secret
from tests.support.harness import Peer, start_app_server
from tests.support.keyrings import MemoryKeyring
from tests.support.scripted_llm import ScriptedLLM


@pytest.fixture(scope="module")
def keyed(llm: ScriptedLLM) -> Iterator[tuple[Peer, str]]:
    """An app server of its own that requires ``X-Session-API-Key`` (the open-source server's auth)."""
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    key = secret(f"ohctl-cli-session-{uuid.uuid4().hex}")
    peer = start_app_server(llm.base_url, session_api_key=key)
    yield peer, key
    peer.stop()


def test_login_refused_key_is_not_stored(run: Run, keyed: tuple[Peer, str], isolated: Path) -> None:
    peer, _ = keyed
    wrong = secret(f"wrong-{uuid.uuid4().hex}")
    result = run("auth", "login", "--server", peer.base_url, "--session-key", "--with-token", input=wrong + "\n")
    assert result.code == 4, result
    assert "refused the key" in result.stderr and "nothing was stored" in result.stderr
    assert ohctl.list_profiles() == []
    assert not (isolated / "credentials.json").exists()


def test_login_status_token_logout(run: Run, keyed: tuple[Peer, str], isolated: Path) -> None:
    peer, key = keyed
    result = run("auth", "login", "--server", peer.base_url, "--session-key", "--with-token", input=key + "\n")
    assert result.code == 0, result
    assert f"Logged in to {peer.base_url}" in result.stderr
    keys = isolated / "credentials.json"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert json.loads(keys.read_text()) == {"default": key}

    status = run("auth", "status", "--json")
    assert status.code == 0, status
    info = json.loads(status.stdout)
    assert info["logged_in"] and info["server"] == peer.base_url and info["auth"] == "session-key"
    assert info["profile"] == "default" and info["server_source"] == "profile default"
    assert info["key_source"] == f"profile default ({keys})"

    human = run("auth", "status", tty=True)
    assert "Key:     from profile default" in human.stdout and "X-Session-API-Key" in human.stdout

    # every other command uses the stored profile (the server refuses requests without the key)
    assert run("sandboxes", "list", "--json").code == 0
    assert run("api", "GET", "/api/v1/users/me", "--jq", ".git_user_name").code == 0

    token = run("auth", "token", allow_secret=True)
    assert (token.code, token.stdout) == (0, key + "\n")

    listed = run("auth", "list", "--json")
    [row] = json.loads(listed.stdout)
    assert (row["name"], row["server"], row["auth"], row["key"], row["default"]) == (
        "default",
        peer.base_url,
        "session-key",
        "file",
        True,
    )

    assert run("auth", "logout").code == 0
    assert ohctl.list_profiles() == [] and json.loads(keys.read_text()) == {}
    after = run("auth", "status", "--json")
    assert after.code == 4 and not json.loads(after.stdout)["logged_in"]
    assert run("auth", "logout").code == 1


def test_a_refused_stored_key_is_exit_4(run: Run, keyed: tuple[Peer, str]) -> None:
    peer, _ = keyed
    ohctl.save_profile("stale", base_url=peer.base_url, api_key=secret("stale-" + uuid.uuid4().hex), auth="session-key")
    status = run("--profile", "stale", "auth", "status", "--json")
    assert status.code == 4
    assert "refused" in json.loads(status.stdout)["error"]
    listing = run("--profile", "stale", "sandboxes", "list")
    assert listing.code == 4 and "auth login" in listing.stderr


def test_login_prompts_on_a_terminal_only(run: Run, keyed: tuple[Peer, str]) -> None:
    peer, key = keyed
    no_tty = run("auth", "login", "--server", peer.base_url, "--session-key")
    assert no_tty.code == 2 and "--with-token" in no_tty.stderr
    prompted = run(
        "auth", "login", "--server", peer.base_url, "--session-key", "--profile", "lab", input=key + "\n", tty=True
    )
    assert prompted.code == 0, prompted
    assert key not in prompted.stdout  # the prompt hides the input
    stored = ohctl.load_profile("lab")
    assert stored is not None and stored.api_key == key


def test_login_into_the_keyring(
    run: Run, keyed: tuple[Peer, str], isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    peer, key = keyed
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("OHCTL_KEYRING", "1")
    try:
        result = run("auth", "login", "--server", peer.base_url, "--session-key", "--with-token", input=key)
        assert result.code == 0, result
        assert "key stored in the OS keyring" in result.stderr
        assert backend.store == {("ohctl", "default"): key}
        assert not (isolated / "credentials.json").exists()
        status = json.loads(run("auth", "status", "--json").stdout)
        assert status["logged_in"] and status["key_source"] == "profile default (keyring)"
        assert run("auth", "logout").code == 0
        assert backend.store == {}
    finally:
        keyring.set_keyring(previous)


def test_status_with_environment_only(run: Run, base_url: str) -> None:
    key = secret(f"env-key-{uuid.uuid4().hex}")
    result = run("auth", "status", "--json", env={"OPENHANDS_BASE_URL": base_url, "OPENHANDS_API_KEY": key})
    assert result.code == 0, result
    info = json.loads(result.stdout)
    assert (info["server"], info["server_source"], info["key_source"]) == (
        base_url,
        "OPENHANDS_BASE_URL",
        "OPENHANDS_API_KEY",
    )
    assert info["logged_in"] and info["profile"] is None
    keyless = json.loads(run("auth", "status", "--json", env={"OPENHANDS_APP_BASE": base_url}).stdout)
    assert keyless["key_source"] is None and keyless["server_source"] == "OPENHANDS_APP_BASE" and keyless["logged_in"]
    token = run("auth", "token", env={"OH_API_KEY": key, "OPENHANDS_BASE_URL": base_url}, allow_secret=True)
    assert token.stdout == key + "\n"


def test_no_key_for_the_cloud_is_exit_4(run: Run) -> None:
    result = run("auth", "status")
    assert result.code == 4
    assert "No API key" in result.stdout + result.stderr
    assert run("auth", "token").code == 4


def test_list_and_switch(run: Run, base_url: str) -> None:
    assert run("auth", "list", "--json").stdout.strip() == "[]"
    ohctl.save_profile("one", base_url=base_url, api_key=secret("k-one-" + uuid.uuid4().hex))
    ohctl.save_profile("two", base_url="https://two.example.com", make_default=False)
    table = run("auth", "list", tty=True)
    assert "one" in table.stdout and "two" in table.stdout and "*" in table.stdout
    switched = run("auth", "switch", "two")
    assert switched.code == 0 and ohctl.default_profile_name() == "two"
    missing = run("auth", "switch", "nope")
    assert missing.code == 1 and "No stored profile 'nope'" in missing.stderr
    status = json.loads(run("--profile", "one", "auth", "status", "--json").stdout)
    assert status["server"] == base_url and status["profile"] == "one" and status["logged_in"]


def test_debug_logs_of_a_real_process_hold_no_key(base_url: str, isolated: Path) -> None:
    """The installed command with OHCTL_LOG=debug: requests are logged, the key is not."""
    key = secret(f"proc-key-{uuid.uuid4().hex}")
    env = {**os.environ, "OPENHANDS_BASE_URL": base_url, "OPENHANDS_API_KEY": key, "OHCTL_LOG": "debug"}
    done = subprocess.run(
        [sys.executable, "-m", "ohctl", "sandboxes", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "/api/v1/sandboxes/search" in done.stderr  # the debug log is on
    assert key not in done.stdout + done.stderr
