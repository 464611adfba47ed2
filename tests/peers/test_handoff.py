"""From the REAL app server to its sandboxes' agent servers (1.34, as openhands-ai 1.11 launches them):
hand-off, ensure_running on a paused sandbox, live waits, app-side streams, trajectories."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

import ohctl
from tests.support.peer_suite import LONG_STEPS, Shared


def test_agent_handoff_on_shared_sandbox(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    with client.conversations.agent(shared.id) as agent:
        assert agent.conversation_id == shared.id
        assert agent.session_api_key and agent.session_api_key not in repr(agent)
        info = agent.info()
        assert info.version == "1.34.0"
        # 1.34 hands out a URL (with the key in it) even though VS Code is not running: the client
        # checks the status first unless told not to.
        assert agent.vscode_status().running is False
        assert agent.vscode_url() is None
        raw = agent.vscode_url(check=False)
        assert raw is not None and "tkn=" in raw
        result = agent.bash.execute("echo handed-off; pwd", cwd="/tmp")
        assert result.ok and result.stdout.splitlines() == ["handed-off", "/tmp"]
        # Agent server 1.34 has no create_directory route: the client falls back to mkdir -p.
        target = tmp_path / "made" / "by" / "fallback"
        assert agent.files.create_directory(str(target)) is True and target.is_dir()
        # 1.34 matches ``kind`` only on the full class path; the client sends that.
        actions = list(agent.events.search(kind="ActionEvent"))
        assert len(actions) == LONG_STEPS + 1
        assert agent.events.count(kind="MessageEvent", source="user") >= 1
        unknown = "00000000-0000-4000-8000-000000000000"
        first = actions[0].id
        assert [e.id if e else None for e in agent.events.get([first, unknown])] == [
            first,
            None,
        ]  # 1.34: 500 per unknown id
        conv = agent.conversations.info()
        assert conv.execution_status == "finished"
        # The working directory comes back absolute (a server may report it relative to its own
        # directory), and it is where the agent's commands run.
        home = agent.conversations.working_directory()
        assert home.startswith("/") and agent.bash.execute("pwd", cwd=home).stdout.strip() == home
        streamed = [e.id for e in agent.stream_events(until_done=True)]
        assert streamed == [e.id for e in agent.events.search()]
    with client.sandboxes.agent(shared.sandbox_id) as by_sandbox:
        assert by_sandbox.bash.execute("echo via sandbox").stdout == "via sandbox\n"


def test_app_event_stream_and_trajectory(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    live = [e.id for e in client.events.stream(shared.id)]  # RUNNING: from the agent server, ends when done
    with client.conversations.agent(shared.id) as agent:
        assert live == [e.id for e in agent.events.search()]

    app_zip = client.conversations.save_trajectory(shared.id, tmp_path / "app.zip")
    assert app_zip.source == "app-zip" and app_zip.errors == []
    agent_zip = client.conversations.save_trajectory(shared.id, tmp_path, sources=("agent-zip",))
    assert agent_zip.source == "agent-zip" and Path(agent_zip.path).parent == tmp_path
    names = [p.name for p in ohctl.safe_extract(agent_zip.path, tmp_path / "agent")]
    assert "base_state.json" in names
    events_zip = client.conversations.save_trajectory(shared.id, tmp_path / "events.zip", sources=("events",))
    assert events_zip.source == "events" and events_zip.events == len(live)
    with zipfile.ZipFile(events_zip.path) as archive:
        listed = archive.namelist()
    assert "meta.json" in listed and sum(n.startswith("event_") for n in listed) == len(live)
    with pytest.raises(ValueError, match="Unknown trajectory sources"):
        client.conversations.save_trajectory(shared.id, tmp_path, sources=("nope",))


def test_ensure_running_resumes_a_paused_sandbox(client: ohctl.OpenHands, tmp_path: Path) -> None:
    """A sandbox of its own (pausing the shared one would disturb the rest of the suite)."""
    conv = client.conversations.start("Own sandbox [ohctl:default]", wait="finished", timeout=300)
    assert conv.sandbox_id
    try:
        client.sandboxes.pause(conv.sandbox_id)
        client.sandboxes.wait(conv.sandbox_id, status="PAUSED", timeout=60)
        paused = client.conversations.retrieve(conv.id)
        assert paused.session_api_key is None
        with pytest.raises(ohctl.SandboxNotRunningError, match="ensure_running") as info:
            client.conversations.agent(conv.id)
        assert not isinstance(info.value, ohctl.SandboxFailedError)
        # A paused sandbox still gives its history through the app server, then the stream ends
        # (what the app server stored: its webhook batches can miss the last few events).
        history = [e.id for e in client.events.stream(conv.id)]
        assert history and history == [e.id for e in client.events.search(conv.id)]

        started = time.monotonic()
        with client.conversations.ensure_running(conv.id, timeout=120) as agent:
            resumed_in = time.monotonic() - started
            assert agent.bash.execute("echo resumed").stdout == "resumed\n"
            assert agent.session_api_key
            assert str(agent.conversations.info().execution_status) == "finished"
        assert resumed_in < 120
        with client.sandboxes.ensure_running(conv.sandbox_id) as again:  # already running: no resume
            assert again.alive()
    finally:
        client.sandboxes.delete(conv.sandbox_id)
    with pytest.raises(ohctl.SandboxFailedError, match="MISSING"):
        client.conversations.ensure_running(conv.id, timeout=30)
    with pytest.raises(ohctl.ResourceNotFoundError):
        client.sandboxes.ensure_running(conv.sandbox_id, timeout=30)


def test_wait_notices_finish_live(client: ohctl.OpenHands, shared: Shared) -> None:
    """The wait listens on the agent server's socket: the finish ends it, not the next poll.

    The polls are an hour apart and the deadline is 5 minutes away: the wait polls once at the start
    (the agent is running then) and would poll again only at its deadline, which ends it as timed
    out. Finished before the deadline means the socket woke it (no bound on how fast the machine is)."""
    conv = client.conversations.start("Slow step [ohctl:slow:4]", sandbox_id=shared.sandbox_id, wait="ready")
    timeout = 300.0
    deadline = time.monotonic() + timeout
    result = client.conversations.wait(
        conv.id, timeout=timeout, poll_interval=3600.0, max_interval=3600.0, raise_on_outcome=False
    )
    assert result.outcome == ohctl.Outcome.FINISHED, result
    assert time.monotonic() < deadline, "the wait ended at its deadline: the socket never woke it"
