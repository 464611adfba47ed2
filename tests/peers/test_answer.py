"""Answering the agent against the REAL app server and its agent server (scripted model): the
confirmation policy set at start holds before the first action, ``risky`` lets the agent's LOW-rated
step run and stops at its HIGH-rated one, ``pending`` names it with the agent's rating, and ``approve``
lets the run go on to finished. The conversation runs in the suite's shared sandbox."""

from __future__ import annotations

import ohctl
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import FINISH_MESSAGE


def outputs(client: ohctl.OpenHands, cid: str) -> list[str]:
    with client.conversations.agent(cid) as agent:
        return [e.text for e in agent.events.search(cid, kind="ObservationEvent")]


def test_risky_stops_at_the_high_risk_step_and_approve_runs_it(client: ohctl.OpenHands, shared: Shared) -> None:
    conv = client.conversations.start(
        "Two steps [ohctl:risky]", sandbox_id=shared.sandbox_id, confirmation_policy="risky", timeout=300
    )
    result = client.conversations.wait(conv.id, timeout=180, raise_on_outcome=False)
    assert result.outcome == ohctl.Outcome.NEEDS_INPUT, result
    [waiting] = client.conversations.pending(conv.id)
    assert (waiting.command, waiting.risk, waiting.tool) == ("echo high risk step", "HIGH", "terminal"), waiting
    assert waiting.reason == "a HIGH risk step"  # no thought in the scripted call: its summary
    seen = outputs(client, conv.id)
    assert any("low risk step" in text for text in seen), seen  # LOW ran without asking
    assert not any("high risk step" in text for text in seen), seen

    [approved] = client.conversations.approve(conv.id)
    assert approved.id == waiting.id
    done = client.conversations.wait(conv.id, timeout=180, fresh=True, raise_on_outcome=False)
    assert done.outcome == ohctl.Outcome.FINISHED, done
    seen = outputs(client, conv.id)
    assert any("high risk step" in text for text in seen), seen
    assert any(FINISH_MESSAGE in text for text in seen), seen
    assert client.conversations.pending(conv.id) == []
