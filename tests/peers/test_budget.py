"""Spending limits against the real app server: the scripted model's ``spend`` scenario reports a known
number of tokens per model answer (``SPEND_STEP_USAGE``), so a wait, a poll or a batch with a token
limit sees it reached in the app server's metrics (which trail the agent by a few seconds, up to its
webhook's 30 s), pauses the agent and ends over budget, with nothing deleted. Each step sleeps, so the
agent is still at work when the limit is seen.

Costs: the 1.11 app server cannot store a non-zero cost (its database lacks the table its statistics
update writes a cost event to, so that whole update fails): the limits are exercised with tokens here,
and the last test pins that server behaviour, so that it says when cost can be tested as well."""

from __future__ import annotations

from pathlib import Path

import pytest

import ohctl
from tests.support.peer_suite import Shared, eventually
from tests.support.scripted_llm import SPEND_STEP_COST, SPEND_STEP_USAGE, spend_marker

STEPS = 40  # far more than the limits allow: a run that ends finished was never stopped
STEP_SECONDS = 2.0
STEP_TOKENS = SPEND_STEP_USAGE["prompt_tokens"] + SPEND_STEP_USAGE["completion_tokens"]
FULL_TOKENS = (STEPS + 1) * STEP_TOKENS  # every answer counts, the finish too


def execution(client: ohctl.OpenHands, cid: str) -> str:
    return str(client.conversations.retrieve(cid).execution_status)


def spend(client: ohctl.OpenHands, shared: Shared, what: str) -> ohctl.types.AppConversation:
    return client.conversations.start(
        f"{what} {spend_marker(STEPS, STEP_SECONDS)}", sandbox_id=shared.sandbox_id, wait="ready"
    )


def test_a_wait_pauses_the_agent_at_its_token_limit(client: ohctl.OpenHands, shared: Shared) -> None:
    limit = 4 * STEP_TOKENS
    conv = spend(client, shared, "Spend tokens")
    result = client.conversations.wait(conv.id, timeout=300, max_tokens=limit, raise_on_outcome=False)
    assert result.outcome == ohctl.Outcome.OVER_BUDGET, result
    assert result.budget is not None and result.budget.limit == "tokens" and result.budget.paused, result.budget
    assert result.budget.maximum == limit and limit <= result.budget.value < FULL_TOKENS
    # Paused at once, or pausing when its step in flight ends (a loaded machine: the step outlasts
    # the 10 s the stop waits); either way it is paused below.
    said = result.budget.describe()
    assert f"reached the limit {limit:,}; the agent " in said, said
    assert said.endswith("was paused" if not result.budget.pausing else "pauses when its step in flight ends"), said
    assert ohctl.exit_code_for(result.outcome) == ohctl.ExitCode.OVER_BUDGET == 10
    # Paused, not deleted: the agent stops after its step in flight, and the conversation stays.
    eventually(lambda: execution(client, conv.id) == "paused", timeout=60, what="the agent pauses")
    kept = client.conversations.retrieve(conv.id)
    assert kept.tokens < FULL_TOKENS and str(kept.sandbox_status) == "RUNNING"
    # Waiting again on the paused conversation over its limit says so at once (and raises by default).
    with pytest.raises(ohctl.OverBudgetError) as caught:
        client.conversations.wait(conv.id, timeout=60, max_tokens=limit)
    assert caught.value.budget is not None and caught.value.budget.limit == "tokens"
    assert "over budget: " in str(caught.value) and "nothing was deleted" in str(caught.value)
    # Without a limit the same conversation is just paused: nothing else was changed.
    [plain] = client.conversations.poll([conv.id], stall_after=None).values()
    assert plain.outcome is None and plain.budget is None


def test_wait_many_pauses_only_the_conversation_past_its_limit(client: ohctl.OpenHands, shared: Shared) -> None:
    limit = 5 * STEP_TOKENS
    spender = spend(client, shared, "Spend many tokens")
    quick = client.conversations.start(f"Spend few {spend_marker(1)}", sandbox_id=shared.sandbox_id, wait="ready")
    results = client.conversations.wait_many([spender.id, quick.id], timeout=300, max_tokens=limit, stall_after=None)
    assert results[quick.id].outcome == ohctl.Outcome.FINISHED and results[quick.id].budget is None
    over = results[spender.id]
    assert over.outcome == ohctl.Outcome.OVER_BUDGET and over.budget is not None and over.budget.paused, over
    eventually(lambda: execution(client, spender.id) == "paused", timeout=60, what="the agent pauses")
    assert execution(client, quick.id) == "finished"


def test_a_batch_ends_a_task_at_its_line_limit_and_finishes_the_others(
    client: ohctl.OpenHands, shared: Shared, tmp_path: Path
) -> None:
    lines = [
        {
            "key": "big",
            "message": f"Spend {spend_marker(STEPS, STEP_SECONDS)}",
            "sandbox_id": shared.sandbox_id,
            "max_tokens": 3 * STEP_TOKENS,  # the line's limit wins over the batch's per-task one
        },
        {"key": "small", "message": f"Spend a little {spend_marker(1)}", "sandbox_id": shared.sandbox_id},
    ]
    batch = ohctl.Batch(tmp_path / "b.db", lines, client=client, poll_interval=1, max_tokens_per_task=FULL_TOKENS)
    results = {r.key: r for r in batch.run()}
    assert results["small"].state == "finished", results["small"]
    big = results["big"]
    assert big.state == "over_budget" and big.outcome == "over_budget", big
    assert big.error is not None and f"reached the limit {3 * STEP_TOKENS:,}" in big.error, big.error
    assert "told to stop" in big.error
    status = batch.status()
    assert status.over_budget == ["big"] and status.budget_stop is None
    assert status.limits["max_tokens_per_task"] == FULL_TOKENS and status.counts["over_budget"] == 1
    assert big.conversation_id is not None
    eventually(lambda: execution(client, str(big.conversation_id)) == "paused", timeout=90, what="the agent pauses")


def test_a_batch_stops_at_its_total_leaving_the_rest_unstarted(
    client: ohctl.OpenHands, shared: Shared, tmp_path: Path
) -> None:
    lines = [
        {"key": f"t{n}", "message": f"Spend {n} {spend_marker(STEPS, STEP_SECONDS)}", "sandbox_id": shared.sandbox_id}
        for n in range(4)
    ]
    events: list[ohctl.batch.BatchEvent] = []
    batch = ohctl.Batch(
        tmp_path / "total.db",
        lines,
        client=client,
        concurrency=2,
        poll_interval=1,
        max_tokens=6 * STEP_TOKENS,
        on_event=events.append,
    )
    ended: dict[str, ohctl.batch.TaskResult] = {}
    with pytest.raises(ohctl.batch.BatchPausedError) as caught:
        for result in batch.run():
            ended[result.key] = result
    assert "the batch's total" in str(caught.value) and "2 task(s) not started" in str(caught.value)
    # The two that ran were paused at the total; the other two never started.
    assert {k: r.state for k, r in ended.items()} == {"t0": "over_budget", "t1": "over_budget"}, ended
    assert all("over budget: the batch's total" in (r.error or "") for r in ended.values())
    status = batch.status()
    assert status.counts["pending"] == 2 and status.counts["over_budget"] == 2
    assert status.budget_stop is not None and "reached the limit" in status.budget_stop
    assert sorted(status.over_budget) == ["t0", "t1"]
    assert [e.kind for e in events].count("budget") == 1
    assert {r.key: r.conversation_id for r in batch.results() if r.state == "pending"} == {"t2": None, "t3": None}
    ids = [str(r.conversation_id) for r in ended.values()]

    def both_paused() -> bool:
        return all(execution(client, cid) == "paused" for cid in ids)

    eventually(both_paused, timeout=90, interval=2, what="both agents paused")
    # Resumed with the same total, it stops again at once: nothing more starts.
    again = ohctl.Batch(tmp_path / "total.db", client=client, poll_interval=1)
    with pytest.raises(ohctl.batch.BatchPausedError):
        list(again.run())
    assert again.status().counts["pending"] == 2


def test_the_app_server_does_not_store_a_priced_agents_metrics(client: ohctl.OpenHands, shared: Shared) -> None:
    """Why the limits above use tokens: a step that costs money reaches the agent server's statistics,
    but the 1.11 app server fails to store them (cost and tokens alike). If this test fails, the
    server stores costs now: test ``max_cost`` against it too."""
    conv = client.conversations.start(
        f"Spend money {spend_marker(2, priced=True)}", sandbox_id=shared.sandbox_id, wait="finished", timeout=300
    )
    with client.conversations.agent(conv.id) as agent:
        [info] = agent.conversations.get([conv.id])
        assert info is not None
        spent = info.model_dump().get("stats", {}).get("usage_to_metrics", {}).get("agent", {})
    assert spent.get("accumulated_cost") == pytest.approx(3 * SPEND_STEP_COST), spent
    stored = client.conversations.retrieve(conv.id)
    assert stored.cost == 0.0 and stored.tokens < 3 * STEP_TOKENS, stored.metrics
