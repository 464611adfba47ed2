"""``run --confirm``, ``pending``, ``approve``, ``reject`` and what ``watch`` and ``run --wait`` show
of a pending action, against the REAL app server and its agent server (scripted model). New
conversations reuse the suite's shared sandbox (process sandboxes share this machine's files, so a
rejected command's file can be looked for here)."""

from __future__ import annotations

import json
from pathlib import Path

import ohctl
from tests.support.cli_runner import Oh, Result
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import FINISH_MESSAGE, command_marker


def events_of(client: ohctl.OpenHands, cid: str, kind: str) -> list[ohctl.types.Event]:
    with client.conversations.agent(cid) as agent:
        return list(agent.events.search(cid, kind=kind))


def start_waiting(oh: Oh, shared: Shared, task: str) -> tuple[str, Result]:
    started = oh(
        "run", "--no-repo", "--sandbox", shared.sandbox_id, "--confirm", "always", "--wait", "--timeout", "300", task
    )
    assert started.code == int(ohctl.ExitCode.NEEDS_INPUT), started
    return started.stdout.split()[0], started


def test_always_waits_then_pending_shows_it_and_approve_runs_it_to_finished(
    oh: Oh, shared: Shared, client: ohctl.OpenHands
) -> None:
    cid, started = start_waiting(oh, shared, "Say hello")
    # run --wait ends on the pending action: what it is, and the two commands that answer it.
    assert "waiting for your approval (1 action):" in started.stderr, started
    assert "$ echo hello from ohctl" in started.stderr
    assert f"ohctl approve {cid}" in started.stderr and f"ohctl reject {cid} --reason TEXT" in started.stderr
    assert not events_of(client, cid, "ObservationEvent")  # nothing ran before the answer

    watched = oh("watch", cid, "--exit-status", "--timeout", "60")
    assert watched.code == int(ohctl.ExitCode.NEEDS_INPUT), watched
    assert "$ echo hello from ohctl" in watched.stderr and f"ohctl approve {cid}" in watched.stderr

    listed = oh("pending", cid, "--json")
    assert listed.code == 0, listed
    [action] = json.loads(listed.stdout)
    assert (action["command"], action["tool"], action["risk"]) == ("echo hello from ohctl", "terminal", "LOW")

    approved = oh("approve", cid, "--wait", "--timeout", "180")
    assert approved.code == 0, approved
    assert f"approved 1 action of {cid}" in approved.stderr
    assert any("hello from ohctl" in e.text for e in events_of(client, cid, "ObservationEvent"))
    assert str(client.conversations.retrieve(cid).execution_status) == "finished"

    none = oh("pending", cid, "--json")
    assert none.code == 0 and json.loads(none.stdout) == [], none
    again = oh("approve", cid)
    assert again.code == 1 and "not waiting for confirmation" in again.stderr, again


def test_reject_gives_the_agent_the_reason_and_the_command_never_runs(
    oh: Oh, shared: Shared, client: ohctl.OpenHands, tmp_path: Path
) -> None:
    target = tmp_path / "rejected.txt"
    cid, _ = start_waiting(oh, shared, f"Create a file {command_marker(f'touch {target}')}")
    reason = "Do not create files here; say what you would do instead"
    rejected = oh("reject", cid, "--reason", reason, "--wait", "--timeout", "180")
    assert rejected.code == 0, rejected  # the agent went on without the command and finished
    assert f"rejected 1 action of {cid}" in rejected.stderr
    assert not target.exists()
    [answer] = events_of(client, cid, "UserRejectObservation")
    assert answer.text == reason
    finishes = [e for e in events_of(client, cid, "ActionEvent") if e.to_dict().get("tool_name") == "finish"]
    assert len(finishes) == 1 and FINISH_MESSAGE in str(finishes[0].to_dict().get("action"))


def test_an_unknown_policy_is_a_usage_error(oh: Oh) -> None:
    result = oh("run", "--no-repo", "--confirm", "sometimes", "Hi")
    assert result.code == 2 and "'sometimes' is not one of" in result.stderr, result
