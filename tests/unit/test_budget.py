"""Spending limits: the pure check (``ohctl.Budget``), and waits, ``wait_many`` and ``poll`` that read
the limits from the metrics their polls fetch anyway, pause the agent of a conversation over its limit
(``conversations.stop``) and end it as OVER_BUDGET (exit code 10), or raise OverBudgetError."""

from __future__ import annotations

import asyncio
import importlib
import math
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ohctl
from ohctl import ExitCode, Outcome, exit_code_for
from ohctl.batch import BatchPausedError, Ledger
from ohctl.local.scripted_model import SPEND_STEP_USAGE, plan, spend_marker
from tests.support.helpers import conversation, json_response, make_async_client, make_client

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
StubAppServer: Any = importlib.import_module("batch_stub").StubAppServer

BASE = "http://127.0.0.1:9"
CID = "c" * 32
OTHER = "d" * 32
AGENT = "http://127.0.0.1:8000"


def metered(
    cid: str, *, cost: float = 0.0, prompt: int = 0, completion: int = 0, execution: str = "running"
) -> dict[str, Any]:
    conv = conversation(cid, "RUNNING", execution)
    conv["conversation_url"] = f"{AGENT}/api/conversations/{cid}"
    conv["session_api_key"] = "session-key"
    conv["metrics"] = {
        "accumulated_cost": cost,
        "accumulated_token_usage": {"prompt_tokens": prompt, "completion_tokens": completion},
    }
    return conv


class Server:
    """The app server (each conversation's states in turn, the last one repeated) and the agent
    server's pause route (``pause_status``)."""

    def __init__(self, states: dict[str, list[dict[str, Any]]], pause_status: int = 200) -> None:
        self.states = states
        self.pause_status = pause_status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/api/v1/app-conversations":
            found = []
            for cid in request.url.params.get_list("ids"):
                seen = self.states[cid]
                found.append(seen.pop(0) if len(seen) > 1 else seen[0])
            return json_response(200, found)
        if path.startswith("/api/conversations/") and path.endswith("/pause"):
            return json_response(self.pause_status, {"success": self.pause_status == 200})
        return json_response(404, {"detail": f"unexpected {request.method} {path}"})

    def pauses(self) -> list[str]:
        return [r.url.path.split("/")[3] for r in self.requests if r.url.path.endswith("/pause")]

    def looks(self) -> int:
        return sum(r.url.path == "/api/v1/app-conversations" for r in self.requests)


# -- the pure check ---------------------------------------------------------------------------
def conv(cost: float = 0.0, prompt: int = 0, completion: int = 0) -> ohctl.types.AppConversation:
    return ohctl.types.AppConversation.model_validate(metered(CID, cost=cost, prompt=prompt, completion=completion))


def test_a_limit_is_reached_at_its_value_cost_first_then_tokens() -> None:
    budget = ohctl.Budget(max_cost=0.5, max_tokens=1000)
    assert budget.check(conv(0.49, 600, 399)) is None
    assert budget.check(conv(0.5)) == ohctl.BudgetHit("cost", 0.5, 0.5)
    assert budget.check(conv(0.1, 900, 100)) == ohctl.BudgetHit("tokens", 1000, 1000)
    hit = budget.check(conv(0.7, 5000, 0))
    assert hit is not None and hit.limit == "cost"  # both passed: the money is named
    assert budget.check(None) is None
    # No metrics at all (a server that reports none): nothing was spent that ohctl can see.
    bare = ohctl.types.AppConversation.model_validate(conversation(CID))
    assert (bare.cost, bare.tokens) == (0.0, 0) and budget.check(bare) is None


def test_what_a_hit_says() -> None:
    assert ohctl.BudgetHit("cost", 0.0612, 0.05).describe() == "cost $0.0612 reached the limit $0.0500"
    assert ohctl.BudgetHit("cost", 2.5, 2.0, paused=True).describe() == (
        "cost $2.50 reached the limit $2.00; the agent was paused"
    )
    assert ohctl.BudgetHit("tokens", 12345, 10000, problem="HTTP 503").describe() == (
        "12,345 tokens reached the limit 10,000; the agent could not be paused: HTTP 503"
    )
    assert ohctl.Budget(max_cost=3, max_tokens=5000).describe() == "cost $3.00 or 5,000 tokens"


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, True, "5"])
def test_a_limit_must_be_a_positive_number(bad: Any) -> None:
    with pytest.raises(ohctl.InvalidArgumentError, match="max_cost must be a positive number"):
        ohctl.Budget(max_cost=bad)
    with pytest.raises(ohctl.InvalidArgumentError, match="max_tokens must be a positive number"):
        ohctl.Budget(max_tokens=bad)


def test_no_limit_is_no_budget() -> None:
    assert ohctl.Budget.of(None, None) is None
    assert ohctl.Budget.of(1.0, None) == ohctl.Budget(max_cost=1.0)


@given(
    cost=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    limit=st.floats(min_value=1e-9, max_value=1e6, allow_nan=False),
    prompt=st.integers(min_value=0, max_value=10**9),
    completion=st.integers(min_value=0, max_value=10**9),
    max_tokens=st.integers(min_value=1, max_value=2 * 10**9),
)
def test_the_check_is_hit_exactly_when_a_value_reaches_its_limit(
    cost: float, limit: float, prompt: int, completion: int, max_tokens: int
) -> None:
    hit = ohctl.Budget(max_cost=limit, max_tokens=max_tokens).check(conv(cost, prompt, completion))
    assert (hit is not None) == (cost >= limit or prompt + completion >= max_tokens)
    if hit is not None:
        assert hit.value >= hit.maximum
        assert hit.limit == ("cost" if cost >= limit else "tokens")


# -- waits ------------------------------------------------------------------------------------
def test_a_wait_pauses_the_agent_at_its_cost_limit_and_ends_over_budget() -> None:
    server = Server({CID: [metered(CID, cost=0.01), metered(CID, cost=0.04), metered(CID, cost=0.06)]})
    client, _ = make_client(server)  # type: ignore[arg-type]
    result = client.conversations.wait(CID, max_cost=0.05, live=False, stall_after=None, raise_on_outcome=False)
    assert result.outcome == Outcome.OVER_BUDGET and exit_code_for(result.outcome) == ExitCode.OVER_BUDGET == 10
    assert result.budget == ohctl.BudgetHit("cost", 0.06, 0.05, paused=True)
    assert server.pauses() == [CID]
    # Three polls, and the stop's own look at the conversation: nothing else was asked for the limit.
    assert server.looks() == 4


def test_a_wait_that_finishes_under_its_limit_pauses_nothing() -> None:
    server = Server({CID: [metered(CID, prompt=100), metered(CID, prompt=900, execution="finished")]})
    client, _ = make_client(server)  # type: ignore[arg-type]
    done = client.conversations.wait(CID, max_tokens=1000, live=False, stall_after=None)
    assert str(done.execution_status) == "finished" and server.pauses() == [] and server.looks() == 2


def test_a_conversation_that_finished_past_its_limit_is_finished() -> None:
    """The money is spent and the work done: a finished agent is not paused after the fact."""
    server = Server({CID: [metered(CID, cost=9.0, execution="finished")]})
    client, _ = make_client(server)  # type: ignore[arg-type]
    result = client.conversations.wait(CID, max_cost=1.0, live=False, raise_on_outcome=False)
    assert result.outcome == Outcome.FINISHED and result.budget is None and server.pauses() == []


def test_a_wait_raises_over_budget_with_the_limit() -> None:
    server = Server({CID: [metered(CID, prompt=4000, completion=1000)]})
    client, _ = make_client(server)  # type: ignore[arg-type]
    with pytest.raises(ohctl.OverBudgetError) as caught:
        client.conversations.wait(CID, max_tokens=5000, live=False)
    assert isinstance(caught.value, ohctl.WaitError)
    assert caught.value.budget == ohctl.BudgetHit("tokens", 5000, 5000, paused=True)
    assert "5,000 tokens reached the limit 5,000; the agent was paused" in str(caught.value)
    assert f"ohctl show {CID}" in str(caught.value) and "nothing was deleted" in str(caught.value)
    assert ohctl.describe_failure(caught.value).code == ExitCode.OVER_BUDGET


def test_an_agent_that_cannot_be_paused_is_still_over_budget_and_says_why() -> None:
    server = Server({CID: [metered(CID, cost=2.0)]}, pause_status=403)
    client, _ = make_client(server)  # type: ignore[arg-type]
    result = client.conversations.wait(CID, max_cost=1.0, live=False, raise_on_outcome=False)
    assert result.outcome == Outcome.OVER_BUDGET and result.budget is not None
    assert not result.budget.paused and result.budget.problem
    assert "could not be paused" in result.budget.describe()


def test_a_follow_up_over_its_limit_is_over_budget_even_before_the_agent_is_seen_running() -> None:
    """``fresh`` ignores the previous run's terminal status, not a limit: the total counts."""
    server = Server({CID: [metered(CID, cost=3.0, execution="idle")]})
    client, _ = make_client(server)  # type: ignore[arg-type]
    result = client.conversations.wait(CID, max_cost=1.0, fresh=True, live=False, raise_on_outcome=False)
    assert result.outcome == Outcome.OVER_BUDGET and server.pauses() == [CID]


def test_wait_many_pauses_only_the_conversation_over_its_limit() -> None:
    server = Server(
        {
            CID: [metered(CID, cost=0.2), metered(CID, cost=0.3, execution="finished")],
            OTHER: [metered(OTHER, cost=0.9), metered(OTHER, cost=1.2)],
        }
    )
    client, _ = make_client(server)  # type: ignore[arg-type]
    results = client.conversations.wait_many([CID, OTHER], max_cost=1.0, stall_after=None)
    assert results[CID].outcome == Outcome.FINISHED and results[CID].budget is None
    assert results[OTHER].outcome == Outcome.OVER_BUDGET and results[OTHER].budget is not None
    assert server.pauses() == [OTHER]


def test_poll_with_a_limit_pauses_and_without_one_only_looks() -> None:
    server = Server({CID: [metered(CID, cost=5.0)]})
    client, _ = make_client(server)  # type: ignore[arg-type]
    [plain] = client.conversations.poll([CID], stall_after=None).values()
    assert plain.outcome is None and server.pauses() == []
    [looked] = client.conversations.poll([CID], stall_after=None, max_cost=5.0).values()
    assert looked.outcome == Outcome.OVER_BUDGET and looked.budget is not None and looked.budget.paused
    assert server.pauses() == [CID]


def test_a_bad_limit_fails_before_any_request() -> None:
    server = Server({CID: [metered(CID)]})
    client, _ = make_client(server)  # type: ignore[arg-type]
    with pytest.raises(ohctl.InvalidArgumentError):
        client.conversations.wait(CID, max_cost=-1)
    assert server.requests == []


@pytest.mark.anyio
async def test_the_async_wait_pauses_at_the_limit_too() -> None:
    server = Server({CID: [metered(CID, cost=0.5)]})
    client, _ = make_async_client(server)  # type: ignore[arg-type]
    async with client:
        result = await client.conversations.wait(CID, max_cost=0.5, live=False, raise_on_outcome=False)
    assert result.outcome == Outcome.OVER_BUDGET and server.pauses() == [CID]


# -- the scripted model's spend scenario ------------------------------------------------------
def test_the_spend_scenario_marks_each_answer_with_its_usage() -> None:
    messages = [{"role": "user", "content": f"go {spend_marker(2, 1.5)}"}]
    scenario, step = plan(messages)
    assert scenario == "spend" and step is not None and step.spend and not step.priced
    assert step.arguments["command"] == "sleep 1.5; echo spend step 1"
    messages += [{"role": "assistant", "content": ""}, {"role": "assistant", "content": ""}]
    _, last = plan(messages)
    assert last is not None and last.tool == "finish" and last.spend  # the finish answer costs too
    _, priced = plan([{"role": "user", "content": spend_marker(1, priced=True)}])
    assert priced is not None and priced.priced and priced.arguments["command"] == "echo spend step 1"
    assert SPEND_STEP_USAGE["total_tokens"] == SPEND_STEP_USAGE["prompt_tokens"] + SPEND_STEP_USAGE["completion_tokens"]


# -- batches (the in-process stub app server, bench/batch_stub.py) -----------------------------
def run_batch(stub: Any, ledger: Path, tasks: list[dict[str, Any]], **options: Any) -> list[Any]:
    from ohctl.batch import AsyncBatch

    async def go() -> list[Any]:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url=BASE, http_client=http, max_retries=0) as client:
            batch = AsyncBatch(client, ledger, tasks, poll_interval=0.02, stall_after=None, **options)
            try:
                return [r async for r in batch.run()]
            finally:
                batch.close()

    return asyncio.run(go())


def test_a_batch_task_at_its_limit_is_paused_and_ends_over_budget(tmp_path: Path) -> None:
    stub = StubAppServer(agent_url=BASE)
    tasks = [
        {"key": "spender", "message": "spend [spend]", "max_tokens": 2000},  # the line's limit wins
        {"key": "quick", "message": "be quick"},
    ]
    results = {r.key: r for r in run_batch(stub, tmp_path / "b.db", tasks, max_tokens_per_task=10**9)}
    assert results["quick"].state == "finished"
    spender = results["spender"]
    assert spender.state == "over_budget" and spender.error is not None, spender
    assert "tokens reached the limit 2,000" in spender.error and "told to stop" in spender.error
    assert spender.prompt_tokens is not None and spender.prompt_tokens >= 2000  # recorded as last seen
    assert stub.stopped == [spender.conversation_id]  # its agent paused (in the background, then settled)
    ledger = Ledger(tmp_path / "b.db")
    try:
        assert [e for _, k, e, _ in ledger.log() if k == "spender"][-3:] == ["over_budget", "over_budget", "stopped"]
        assert ledger.setting("max_tokens_per_task") == 10**9
    finally:
        ledger.close()


def test_a_batch_at_its_total_stops_starting_and_pauses_the_running(tmp_path: Path) -> None:
    stub = StubAppServer(agent_url=BASE)
    tasks = [{"key": f"t{n}", "message": f"spend {n} [spend]"} for n in range(5)]
    ended: list[Any] = []
    events: list[Any] = []

    async def go() -> None:
        from ohctl.batch import AsyncBatch

        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url=BASE, http_client=http, max_retries=0) as client:
            batch = AsyncBatch(
                client,
                tmp_path / "b.db",
                tasks,
                concurrency=2,
                poll_interval=0.02,
                max_cost=0.05,
                on_event=events.append,
            )
            try:
                async for result in batch.run():
                    ended.append(result)
            finally:
                batch.close()

    with pytest.raises(BatchPausedError) as caught:
        asyncio.run(go())
    assert "the batch's total cost $" in str(caught.value) and "3 task(s) not started" in str(caught.value)
    assert sorted(r.key for r in ended) == ["t0", "t1"] and {r.state for r in ended} == {"over_budget"}
    assert sorted(stub.stopped) == sorted(str(r.conversation_id) for r in ended)
    assert len(stub.starts) == 2  # nothing started after the total was reached
    assert [e.kind for e in events].count("budget") == 1
    status = ohctl.Batch(tmp_path / "b.db").status()
    assert status.counts["pending"] == 3 and status.budget_stop is not None and status.cost >= 0.05
    # Resumed with the same total: it stops again before starting anything; a higher total goes on.
    with pytest.raises(BatchPausedError):
        run_batch(stub, tmp_path / "b.db", tasks)
    assert len(stub.starts) == 2


def test_bad_batch_limits_are_refused_before_the_ledger_is_written(tmp_path: Path) -> None:
    for bad in ({"max_cost": 0}, {"max_tokens": -1}, {"max_cost_per_task": math.nan}, {"max_tokens_per_task": 0}):
        with pytest.raises(ohctl.InvalidArgumentError):
            run_batch(StubAppServer(agent_url=BASE), tmp_path / "b.db", [{"message": "m"}], **bad)
        assert not (tmp_path / "b.db").exists()


def test_a_pause_held_by_a_long_step_is_reported_as_under_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from ohctl._sync.lib import bulk  # the sync client's twin of the library's stop

    monkeypatch.setattr(bulk, "PAUSE_HOLD", 0.1)
    server = Server({CID: [metered(CID, cost=2.0)]})

    def held(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/pause"):
            server.requests.append(request)
            raise httpx.ReadTimeout("held until the step ends", request=request)
        return server(request)

    client, _ = make_client(held)  # type: ignore[arg-type]
    result = client.conversations.wait(CID, max_cost=1.0, live=False, raise_on_outcome=False)
    assert result.outcome == Outcome.OVER_BUDGET and result.budget is not None
    assert result.budget.paused and result.budget.pausing and server.pauses() == [CID]
    assert result.budget.describe().endswith("; the agent pauses when its step in flight ends")
