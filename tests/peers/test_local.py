"""``ohctl.local`` and ``ohctl demo`` for real: the launcher users get, with its own scripted-model
process, its session key, crash detection, and nothing left running after ``down``."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import ohctl
from ohctl.local import APP_SERVER, LocalServer
from ohctl.local.install import COMPLETE, is_installed, python_of
from ohctl.local.processes import marked as _marked
from tests.support.broken_env import REFUSAL, linked_copy, refuse_fernet_keys, replace_file
from tests.support.harness import app_server_python
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import ScriptedLLM


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalServer]:
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    app_server_python()  # installed by setup (fails with the hint otherwise)
    server = LocalServer("test", state_dir=tmp_path / "local")
    yield server
    server.down()


def test_up_conversation_crash_and_down(local: LocalServer) -> None:
    started = time.monotonic()
    status = local.up()
    assert status.running and status.scripted_model and status.url
    up_seconds = time.monotonic() - started
    # The generated session key guards every /api route; /health stays open.
    assert httpx.get(f"{status.url}/api/v1/users/me", timeout=10).status_code == 401
    with local.client() as client:
        conv = client.conversations.start("Hello [ohctl:default]", wait="finished", timeout=180)
        assert conv.execution_status == "finished"
        assert local.session_key not in repr(client)
    assert local.up().pid == status.pid  # a second `up` reuses the running server
    record = local._record()
    assert record is not None
    assert _marked(record.run_id), "the run's processes carry its marker"

    os.kill(status.pid or 0, signal.SIGKILL)  # the server dies: `status` says so
    deadline = time.monotonic() + 10
    while local.status().state != "crashed" and time.monotonic() < deadline:
        time.sleep(0.2)
    crashed = local.status()
    assert crashed.state == "crashed" and crashed.problem

    again = local.up()  # cleans up what the crashed run left, then starts afresh
    assert again.running and again.pid != status.pid
    assert not _marked(record.run_id), "the crashed run's sandboxes were ended"
    new_record = local._record()
    assert new_record is not None
    local.down()
    assert local.status().state == "stopped"
    assert not _marked(new_record.run_id), "down leaves nothing running"
    print(f"\nlocal server: first up {up_seconds:.1f}s")


CIPHER_CHECK = """
import base64, hashlib, sys
from pydantic import SecretStr
from openhands.sdk.utils.cipher import Cipher
def standard_only(s):  # its key holds '+' or '/': the 74% that cryptography 51 refuses
    return set("+/") & set(base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())
secret = next(s for s in (f"key-{i}" for i in range(100)) if standard_only(s))
print(Cipher(secret).decrypt(Cipher(secret).encrypt(SecretStr("round trip"))).get_secret_value())
"""


def _cipher_check(python: Path) -> str:
    """What the agent server's cipher does with a standard-alphabet key: "round trip", or the error."""
    result = subprocess.run([str(python), "-c", CIPHER_CHECK], capture_output=True, text=True, timeout=120)
    return result.stdout.strip() if result.returncode == 0 else (result.stderr.strip().splitlines() or ["?"])[-1]


def _broken_pre_lock_cache(cache: Path) -> Path:
    """A server cache as made before ohctl locked its servers (the old marker), broken as cryptography 51
    broke it: Fernet refuses the agent server's standard-alphabet keys."""
    package, version = APP_SERVER
    env = linked_copy(cache)
    replace_file(env / COMPLETE, f"{package}=={version}\n")  # the marker every pre-lock install wrote
    refuse_fernet_keys(env, "any(c in key for c in ((b'+', b'/') if isinstance(key, bytes) else ('+', '/')))")
    return env


def test_demo_end_to_end_repairs_a_broken_pre_lock_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first command, as a user runs it (its own state dir and config dir), on a machine
    whose server cache was made before the locks and broken by an upstream release: the demo rebuilds
    it from the lock, says so in one line, and passes, with nothing for the user to do."""
    from click.testing import CliRunner

    from ohctl.cli.main import cli

    app_server_python()
    broken = _broken_pre_lock_cache(tmp_path / "cache")
    premise = _cipher_check(python_of(broken))
    assert premise == f"ValueError: {REFUSAL}", f"the broken cache must fail as users saw it fail: {premise}"
    monkeypatch.setenv("OHCTL_SERVER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("OHCTL_LOCAL_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_BASE_URL", "OPENHANDS_BASE_URL", "OPENHANDS_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    started = time.monotonic()
    try:
        result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
        seconds = time.monotonic() - started
        assert result.exit_code == 0, result.output
        out = result.output
        rebuilt = [line for line in out.splitlines() if "rebuilding" in line]
        assert len(rebuilt) == 1 and "installed before ohctl locked its servers" in rebuilt[0], out
        assert is_installed(*APP_SERVER) and _cipher_check(python_of(broken)) == "round trip"
        assert "offline scripted model" in out
        assert "test_add (test_calc.AddTest.test_add) ... ok" in out
        assert "finished" in out and "calc.py" in out and "test_calc.py" in out
        assert "trajectory_" in out and ".zip" in out
        repo = next((tmp_path / "state" / "default" / "demo").glob("repo-*"))
        assert (repo / "calc.py").read_text().startswith("def add(")
        # The local server is now the default profile: OpenHands() with no arguments reaches it.
        with ohctl.OpenHands() as client:
            assert client.conversations.count() >= 1
        print(f"\nohctl demo: {seconds:.1f}s end to end (server start included)")
    finally:
        LocalServer("default", state_dir=tmp_path / "state" / "default").down()


def test_no_browser_is_needed(shared: Shared, base_url: str) -> None:
    """Conversations need no browser on the machine: the launcher builds the agent without its browser
    tools (upstream, the default agent always gets them, and a sandbox without Chromium fails every
    start). Checked on the agent itself, so it holds whether or not a browser is installed here (the
    setup installs Debian's chromium for the docs test)."""
    with ohctl.OpenHands(base_url=base_url) as client, client.conversations.agent(shared.conversation.id) as agent:
        info = agent.conversations.info(shared.conversation.id).to_dict()
    tools = [tool["name"] for tool in info["agent"]["tools"]]
    assert "terminal" in tools and not [name for name in tools if "browser" in name], tools
    assert shared.conversation.execution_status == "finished"


def test_a_killed_session_is_cleaned_up_by_the_next(llm: ScriptedLLM) -> None:
    """A test session killed mid-run leaves its servers behind; the next session's first server start
    ends them (their directory names an owner process that no longer exists)."""
    import subprocess

    from tests.support import harness

    peer = harness.start_app_server(llm.base_url)
    assert peer.local is not None
    record = peer.local._record()
    assert record is not None and _marked(record.run_id)
    gone = subprocess.Popen(["true"])
    gone.wait()  # a PID that no longer exists: the "killed session"
    owner = peer.local.state_dir.parent / "owner"
    owner.write_text(str(gone.pid))
    try:
        ended = harness.reap()
        assert record.pid in ended
        assert not _marked(record.run_id), "nothing of the killed session is left running"
        assert not owner.parent.exists()
    finally:
        peer.stop()
