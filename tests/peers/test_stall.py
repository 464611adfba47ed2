"""Stall detection against the real app server and agent server: a scripted step that waits in
silence (``stall_marker``: a command with a hard timeout, so the terminal's 30 s no-output check sends
nothing meanwhile) is reported stalled once ``stall_after`` passes without an event, with the time and
kind of the last event (that command). The test ends the silent step by creating its release file, so
no agent is left running for the tests after it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

import ohctl
from ohctl.batch.ledger import make_tag
from tests.support.peer_suite import Shared, eventually
from tests.support.scripted_llm import stall_marker

# The silent step outlasts the detection by far: the app server's updated_at trails the agent by up to
# the webhook's 30 s flush, so a stall of STALL_AFTER seconds is seen about 40 s into the step.
SILENCE = 240
STALL_AFTER = 8.0
# The batch's silent step is shorter: its agents are told to stop, which takes effect when the step ends
# (at the latest after BATCH_SILENCE; the test ends it sooner).
BATCH_SILENCE = 90


def execution(client: ohctl.OpenHands, cid: str) -> str:
    return str(client.conversations.retrieve(cid).execution_status)


def test_a_silent_step_is_a_stall_for_wait_and_poll_with_its_last_event(
    client: ohctl.OpenHands, shared: Shared, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    conv = client.conversations.start(
        f"Nap in silence {stall_marker(SILENCE, str(release))}", sandbox_id=shared.sandbox_id, wait="ready"
    )
    try:
        result = client.conversations.wait(conv.id, timeout=SILENCE, stall_after=STALL_AFTER, raise_on_outcome=False)
        assert result.outcome == ohctl.Outcome.STALLED, result
        assert result.stall is not None and result.stall.last_event_kind == "ActionEvent (terminal)", result.stall
        assert result.stall.silent_for >= STALL_AFTER
        at = result.stall.last_event_at
        assert at is not None and at.tzinfo is not None and at <= datetime.now(timezone.utc)
        with client.conversations.agent(conv.id) as agent:  # the event named is the sleep, the newest action
            [action] = agent.events.search(kind="ActionEvent", sort_order="TIMESTAMP_DESC", limit=1)
            command = str((action.to_dict().get("action") or {}).get("command"))
            assert command.startswith(f"timeout {SILENCE} sh -c 'until [ -e"), command
        # The same conversation in one look: stalled, unless stall detection is off.
        [looked] = client.conversations.poll([conv.id], stall_after=STALL_AFTER).values()
        assert looked.outcome == ohctl.Outcome.STALLED and looked.stall is not None
        [plain] = client.conversations.poll([conv.id], stall_after=None).values()
        assert (
            plain.outcome is None
            and str(plain.conversation.execution_status if plain.conversation else "") == "running"
        )
        with pytest.raises(ohctl.StalledError) as caught:  # the default: it raises
            client.conversations.wait(conv.id, timeout=60, stall_after=STALL_AFTER)
        assert "ActionEvent (terminal) at" in str(caught.value) and "no event for" in str(caught.value)
        # Stopping it: the agent server holds the pause until the silent step ends, so stop reports
        # the pause under way instead of waiting for the step; it takes effect once the step ends.
        stopped = client.conversations.stop(conv.id)
        assert (stopped.agent_paused, stopped.pausing) == (False, True), stopped
        assert execution(client, conv.id) == "running"
        release.touch()
        eventually(lambda: execution(client, conv.id) == "paused", timeout=90, what="the agent pauses")
    finally:
        release.touch()  # the silent step ends (within a second), and with it the run
        eventually(lambda: execution(client, conv.id) != "running", timeout=120, what="the run ends")


def test_a_batch_stops_a_stalled_task_and_starts_it_afresh_once(
    client: ohctl.OpenHands, shared: Shared, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    lines = [
        {
            "key": "sleepy",
            "message": f"Nap in silence {stall_marker(BATCH_SILENCE, str(release))}",
            "sandbox_id": shared.sandbox_id,
        },
        {"key": "quick", "message": "Hello [ohctl:default]", "sandbox_id": shared.sandbox_id},
    ]
    events: list[ohctl.batch.BatchEvent] = []
    batch = ohctl.Batch(
        tmp_path / "b.db",
        lines,
        client=client,
        max_starting=1,
        poll_interval=1,
        stall_after=STALL_AFTER,
        on_stall="retry",
        on_event=events.append,
    )
    try:
        results = {r.key: r for r in batch.run()}
    finally:
        release.touch()  # both attempts' silent steps end, and the pauses they were sent take effect
    assert results["quick"].state == "finished", results["quick"]
    sleepy = results["sleepy"]
    assert sleepy.state == "stalled" and sleepy.error is not None, sleepy
    assert "ActionEvent (terminal)" in sleepy.error and "told to stop" in sleepy.error, sleepy.error
    assert [e.key for e in events if e.kind == "retry"] == ["sleepy"]
    ledger = ohctl.batch.Ledger(tmp_path / "b.db")
    try:
        log = [(event, detail) for _, key, event, detail in ledger.log() if key == "sleepy"]
        tag = make_tag(ledger.batch_id, "sleepy")
    finally:
        ledger.close()
    events = [event for event, _ in log]
    assert events.count("retry") == 1 and events.count("stalled") == 1 and "stop_failed" not in events, log
    # Two starts on the server, each with its own tag (a crash in between would not mix them up), and
    # both agents told to stop: each is paused once its silent step has ended.
    starts = {str((t.request or {}).get("title", "")): t for t in client.start_tasks.search(limit=100)}
    assert {tag, f"{tag}:retry1"} <= set(starts), sorted(starts)
    ids = [starts[tag].app_conversation_id, starts[f"{tag}:retry1"].app_conversation_id]
    assert ids[1] == sleepy.conversation_id and ids[0] != ids[1]

    def both_paused() -> bool:
        found = client.conversations.get([i for i in ids if i is not None])
        return len(found) == 2 and all(c is not None and str(c.execution_status) == "paused" for c in found)

    eventually(both_paused, timeout=120, interval=2, what="both stalled agents paused")
