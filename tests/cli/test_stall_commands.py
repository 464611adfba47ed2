"""``--stall-after`` on the command line against the real app server: ``run --wait``, ``run --follow``,
``approve --wait`` and ``watch --exit-status`` exit 9 on a scripted step that waits in silence, naming
the last event; ``ohctl stop`` on such a step says the pause is under way instead of waiting for the
step. Each test ends its silent step by creating the step's release file, so no agent is left running."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import ohctl
from tests.support.cli_runner import Run, secret
from tests.support.peer_suite import Shared, eventually
from tests.support.scripted_llm import stall_marker

SILENCE = 240  # far longer than the detection takes (about 40 s: see tests/peers/test_stall.py)


def execution(client: ohctl.OpenHands, cid: str) -> str:
    return str(client.conversations.retrieve(cid).execution_status)


class Silent:
    """A silent task's text, and the ids of the conversations that run it (their steps end at the end)."""

    def __init__(self, release: Path) -> None:
        self.release = release
        self.task = f"Nap in silence {stall_marker(SILENCE, str(release))}"
        self.ids: list[str] = []


@pytest.fixture
def silent(tmp_path: Path, client: ohctl.OpenHands) -> Iterator[Silent]:
    task = Silent(tmp_path / "release")
    yield task
    task.release.touch()  # the silent steps end within a second, and with them the runs
    for cid in task.ids:
        ended = lambda cid=cid: execution(client, cid) != "running"  # noqa: E731
        eventually(ended, timeout=120, what=f"the run of {cid} ends")


def test_run_wait_and_watch_exit_9_on_a_stalled_agent_and_stop_says_the_pause_is_under_way(
    run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared, silent: Silent
) -> None:
    env = {"OPENHANDS_BASE_URL": base_url}
    args = ("run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", "--stall-after", "8s")
    started = run(*args, silent.task, env=env)
    cid = started.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", cid), started
    silent.ids.append(cid)
    conv = client.conversations.retrieve(cid)
    if conv.session_api_key:
        secret(conv.session_api_key)
    assert started.code == ohctl.ExitCode.STALLED == 9, started
    assert re.search(
        r"stalled: running with no event for \d+s \(the last: ActionEvent \(terminal\) at ", started.stderr
    )
    assert f"ohctl events {cid}" in started.stderr  # the hint
    # watch on the same conversation: stalled at its first look, with --exit-status its code.
    watched = run("watch", cid, "--exit-status", "--stall-after", "8s", "--interval", "1", env=env)
    assert watched.code == 9, watched
    assert "stalled: running with no event for" in watched.stdout and "ActionEvent (terminal)" in watched.stdout
    # Without --exit-status watch ends there too, with 0; with stall detection off it would wait on.
    assert run("watch", cid, "--stall-after", "8s", env=env).code == 0
    timed = run("watch", cid, "--stall-after", "off", "--timeout", "3", "--exit-status", env=env)
    assert timed.code == ohctl.ExitCode.PENDING, timed
    # The agent server answers a pause only when the silent step ends: stop says it is under way.
    stopped = run("stop", cid, env=env)
    assert stopped.code == 0, stopped
    assert f"stopped {cid}: agent pausing (the agent pauses when its step in flight ends" in stopped.stderr
    assert execution(client, cid) == "running"
    silent.release.touch()
    eventually(lambda: execution(client, cid) == "paused", timeout=90, what="the agent pauses")


def test_run_follow_prints_the_events_then_exits_9_when_the_stream_falls_silent(
    run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared, silent: Silent
) -> None:
    env = {"OPENHANDS_BASE_URL": base_url}
    args = ("run", "--no-repo", "--sandbox", shared.sandbox_id, "-f", "--stall-after", "8s")
    followed = run(*args, silent.task, env=env)
    cid = followed.stdout.split()[0]
    assert re.fullmatch(r"[0-9a-f]{32}", cid), followed
    silent.ids.append(cid)
    assert followed.code == 9, followed
    assert "until [ -e" in followed.stdout  # the events up to the silent step were printed live
    assert re.search(r"stalled: running with no event for \d+s \(the last: ActionEvent \(terminal\)", followed.stderr)


def test_approve_wait_exits_9_when_the_approved_step_falls_silent(
    run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared, silent: Silent
) -> None:
    env = {"OPENHANDS_BASE_URL": base_url}
    args = ("run", "--no-repo", "--sandbox", shared.sandbox_id, "--confirm", "always", "--wait", "--timeout", "300")
    started = run(*args, silent.task, env=env)
    cid = started.stdout.split()[0]
    silent.ids.append(cid)
    assert started.code == ohctl.ExitCode.NEEDS_INPUT, started  # the silent command waits for approval
    approved = run("approve", cid, "--wait", "--stall-after", "8s", "--timeout", "200", env=env)
    assert approved.code == 9, approved
    assert f"approved 1 action of {cid}" in approved.stderr
    assert "stalled: running with no event for" in approved.stderr and "(the last: " in approved.stderr
