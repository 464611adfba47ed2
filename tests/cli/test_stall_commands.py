"""``--stall-after`` on the command line against the real app server: ``run --wait``, ``run --follow``,
``approve --wait`` and ``watch --exit-status`` exit 9 on a scripted step that sleeps in silence, naming
the last event."""

from __future__ import annotations

import re

import ohctl
from tests.support.cli_runner import Run, secret
from tests.support.peer_suite import Shared

SILENCE = 240  # far longer than the detection takes (about 40 s: see tests/peers/test_stall.py)


def test_run_wait_and_watch_exit_9_on_a_stalled_agent(
    run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared
) -> None:
    env = {"OPENHANDS_BASE_URL": base_url}
    task = f"Nap in silence [ohctl:stall:{SILENCE}]"
    started = run("run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", "--stall-after", "8s", task, env=env)
    cid = started.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", cid), started
    conv = client.conversations.retrieve(cid)
    if conv.session_api_key:
        secret(conv.session_api_key)
    try:
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
    finally:
        with client.conversations.agent(cid) as agent:
            agent.conversations.pause(cid)  # the agent stops after the step; the sleep ends on its own


def test_run_follow_prints_the_events_then_exits_9_when_the_stream_falls_silent(
    run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared
) -> None:
    env = {"OPENHANDS_BASE_URL": base_url}
    task = f"Nap in silence [ohctl:stall:{SILENCE}]"
    followed = run("run", "--no-repo", "--sandbox", shared.sandbox_id, "-f", "--stall-after", "8s", task, env=env)
    cid = followed.stdout.split()[0]
    assert re.fullmatch(r"[0-9a-f]{32}", cid), followed
    try:
        assert followed.code == 9, followed
        assert f"sleep {SILENCE}" in followed.stdout  # the events up to the silent step were printed live
        assert re.search(
            r"stalled: running with no event for \d+s \(the last: ActionEvent \(terminal\)", followed.stderr
        )
    finally:
        with client.conversations.agent(cid) as agent:
            agent.conversations.pause(cid)


def test_approve_wait_exits_9_when_the_approved_step_falls_silent(
    run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared
) -> None:
    env = {"OPENHANDS_BASE_URL": base_url}
    task = f"Nap in silence [ohctl:stall:{SILENCE}]"
    args = ("run", "--no-repo", "--sandbox", shared.sandbox_id, "--confirm", "always", "--wait", "--timeout", "300")
    started = run(*args, task, env=env)
    cid = started.stdout.split()[0]
    assert started.code == ohctl.ExitCode.NEEDS_INPUT, started  # the sleep waits for approval
    try:
        approved = run("approve", cid, "--wait", "--stall-after", "8s", "--timeout", "200", env=env)
        assert approved.code == 9, approved
        assert f"approved 1 action of {cid}" in approved.stderr
        assert "stalled: running with no event for" in approved.stderr and "(the last: " in approved.stderr
    finally:
        with client.conversations.agent(cid) as agent:
            agent.conversations.pause(cid)
