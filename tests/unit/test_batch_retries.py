"""Batch retries (``retries=N``): the failure classification and the retry decision over every
input, the ledger's record of each try (and an older ledger without one), and the runner against
the in-process stub app server (bench/batch_stub.py): a failed or vanished sandbox and a failed
start are retried in a new conversation; the agent's own error, a refused start and a stall with
``on_stall="stop"`` are not."""

from __future__ import annotations

import asyncio
import importlib
import itertools
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import ohctl
from ohctl.batch import AsyncBatch, Ledger, TaskResult, parse_tasks
from ohctl.batch import following as following_module
from ohctl.batch.ledger import ENDED, STATES, Ended, make_tag
from ohctl.batch.retries import STALL_RETRIES, FailureKind, FailureReason, failure_reason, should_retry
from ohctl.types.conversations import ExecutionStatus
from ohctl.types.sandboxes import SandboxStatus

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
StubAppServer: Any = importlib.import_module("batch_stub").StubAppServer

BASE = "http://127.0.0.1:9"
INFRASTRUCTURE = {
    FailureReason.SANDBOX_ERROR,
    FailureReason.SANDBOX_MISSING,
    FailureReason.START_ERROR,
    FailureReason.LOST_START,
    FailureReason.STALLED,
}
# Every ledger state, the two outcomes of issue 24's other parts, and one this ohctl does not know.
ALL_STATES = (*STATES, "over_budget", "invalid_output", "some_new_state")
EXECUTIONS = (None, "not-a-status", *(s.value for s in ExecutionStatus))
SANDBOXES = (None, "NOT-A-STATUS", *(s.value for s in SandboxStatus))
STARTS = (None, FailureReason.START_ERROR, FailureReason.LOST_START)


# -- classification ---------------------------------------------------------------------
def expected_reason(state: str, execution: str | None, sandbox: str | None, start: FailureReason | None) -> Any:
    """The rule, written out plainly, to check the implementation against on every input."""
    if state in ("pending", "starting", "running", "finished", "needs_input"):
        return None
    fixed = {
        "stalled": FailureReason.STALLED,
        "timed_out": FailureReason.TIMED_OUT,
        "over_budget": FailureReason.OVER_BUDGET,
        "invalid_output": FailureReason.INVALID_OUTPUT,
        "cancelled": FailureReason.CANCELLED,
        "error": FailureReason.REFUSED,
    }
    if state in fixed:
        return fixed[state]
    if state != "failed":
        return FailureReason.UNKNOWN
    if execution == "error":
        return FailureReason.AGENT_ERROR
    if execution == "stuck":
        return FailureReason.AGENT_STUCK
    if start is not None:
        return start
    if sandbox == "ERROR":
        return FailureReason.SANDBOX_ERROR
    if sandbox == "MISSING":
        return FailureReason.SANDBOX_MISSING
    return FailureReason.UNKNOWN


def test_failure_reason_on_every_state_status_and_start_reason() -> None:
    checked = 0
    for state, execution, sandbox, start in itertools.product(ALL_STATES, EXECUTIONS, SANDBOXES, STARTS):
        got = failure_reason(state, execution_status=execution, sandbox_status=sandbox, start=start)
        assert got == expected_reason(state, execution, sandbox, start), (state, execution, sandbox, start)
        checked += 1
    assert checked == len(ALL_STATES) * len(EXECUTIONS) * len(SANDBOXES) * len(STARTS)


def test_the_enum_members_of_the_statuses_classify_like_their_values() -> None:
    assert failure_reason("failed", execution_status=ExecutionStatus.ERROR) is FailureReason.AGENT_ERROR
    assert failure_reason("failed", sandbox_status=SandboxStatus.MISSING) is FailureReason.SANDBOX_MISSING
    assert failure_reason("failed", sandbox_status=SandboxStatus.ERROR) is FailureReason.SANDBOX_ERROR


def test_only_infrastructure_reasons_are_the_infrastructure_kind() -> None:
    for reason in FailureReason:
        assert (reason.kind is FailureKind.INFRASTRUCTURE) == (reason in INFRASTRUCTURE), reason
    assert FailureReason.AGENT_ERROR.kind is FailureKind.AGENT and FailureReason.AGENT_STUCK.kind is FailureKind.AGENT
    assert FailureReason.OVER_BUDGET.kind is FailureKind.LIMIT and FailureReason.TIMED_OUT.kind is FailureKind.LIMIT
    assert FailureReason.INVALID_OUTPUT.kind is FailureKind.AGENT
    assert str(FailureReason.SANDBOX_MISSING) == "sandbox_missing" and str(FailureKind.LIMIT) == "limit"


def test_the_agent_failing_wins_over_its_sandbox_failing() -> None:
    for sandbox in ("ERROR", "MISSING"):
        for start in STARTS:
            reason = failure_reason("failed", execution_status="error", sandbox_status=sandbox, start=start)
            assert reason is FailureReason.AGENT_ERROR


# -- the decision -----------------------------------------------------------------------
def expected_retry(reason: FailureReason | None, retried: int, retries: int | None, on_stall: str) -> bool:
    if reason not in INFRASTRUCTURE:
        return False
    if reason is FailureReason.STALLED:
        if on_stall != "retry":
            return False
        return retried < (STALL_RETRIES if retries is None else retries)
    return retried < (retries or 0)


def test_should_retry_on_every_reason_count_budget_and_stall_policy() -> None:
    for reason, retried, retries, on_stall in itertools.product(
        (None, *FailureReason), range(5), (None, 0, 1, 2, 3), following_module.ON_STALL
    ):
        got = should_retry(reason, retried, retries=retries, on_stall=on_stall)
        assert got == expected_retry(reason, retried, retries, on_stall), (reason, retried, retries, on_stall)


def test_never_retried_whatever_the_budget() -> None:
    never = set(FailureReason) - INFRASTRUCTURE
    assert {FailureReason.AGENT_ERROR, FailureReason.AGENT_STUCK, FailureReason.OVER_BUDGET} <= never
    assert {FailureReason.INVALID_OUTPUT, FailureReason.REFUSED, FailureReason.UNKNOWN} <= never
    for reason in never:
        assert not should_retry(reason, 0, retries=100, on_stall="retry")
    for state in ("over_budget", "invalid_output", "error", "cancelled", "timed_out", "some_new_state"):
        assert not should_retry(failure_reason(state, sandbox_status="MISSING"), 0, retries=100, on_stall="retry")


def test_the_default_keeps_on_stall_retry_as_it_was() -> None:
    # No retries given: one retry after a stall (on_stall="retry"), none after anything else.
    assert should_retry(FailureReason.STALLED, 0, retries=None, on_stall="retry")
    assert not should_retry(FailureReason.STALLED, 1, retries=None, on_stall="retry")
    assert not should_retry(FailureReason.SANDBOX_MISSING, 0, retries=None, on_stall="retry")
    assert not should_retry(FailureReason.STALLED, 0, retries=5, on_stall="stop")


# -- the ledger -------------------------------------------------------------------------
def make_ledger(path: Path) -> Ledger:
    specs = parse_tasks([{"key": "a", "message": "x"}, {"key": "b", "message": "y"}])
    return Ledger.create(path, specs, {"concurrency": 2, "base_url": BASE})


def test_a_retry_keeps_the_try_and_gives_a_new_conversation_and_tag(tmp_path: Path) -> None:
    ledger = make_ledger(tmp_path / "b.db")
    try:
        first = ledger.task("a")
        assert first.tag == make_tag(ledger.batch_id, "a")
        assert not ledger.retry("a", "not running yet", reason="sandbox_missing")  # only a running task
        ledger.mark_starting("a")
        ledger.mark_running("a", "s1")
        ended = Ended(error="sandbox MISSING, agent None", cost=0.5, prompt_tokens=10, completion_tokens=1)
        assert ledger.retry("a", "sandbox gone", reason="sandbox_missing", state="failed", ended=ended)
        again = ledger.task("a")
        assert again.state == "pending" and again.start_task_id is None and again.started_at is None
        assert again.conversation_id != first.conversation_id and again.tag == f"{first.tag}:retry1"
        ledger.mark_starting("a")
        ledger.mark_running("a", "s2")
        assert ledger.retry("a", "start failed", reason="start_error", state="failed")
        assert ledger.task("a").tag == f"{first.tag}:retry2" and ledger.retries("a") == 2
        ledger.mark_starting("a")
        ledger.mark_running("a", "s3")
        ledger.end("a", "finished", Ended(cost=0.25, prompt_tokens=5, completion_tokens=2))
        tries = ledger.tries()["a"]
        assert [(t.number, t.reason, t.state, t.start_task_id) for t in tries] == [
            (1, "sandbox_missing", "failed", "s1"),
            (2, "start_error", "failed", "s2"),
        ]
        assert tries[0].conversation_id == first.conversation_id and tries[0].cost == 0.5
        assert tries[0].error == "sandbox MISSING, agent None" and tries[1].error == "start failed"
        assert ledger.tries("b") == {} and ledger.tries_cost() == 0.5
        assert ledger.summary()[1] == 0.75  # the tries' cost counts
    finally:
        ledger.close()
    from ohctl.batch.results import results, status

    opened = Ledger(tmp_path / "b.db")
    try:
        done = {r.key: r for r in results(opened)}
        batch = status(opened)
    finally:
        opened.close()
    a = done["a"]
    assert a.tries == 3 and [t.reason for t in a.retried] == ["sandbox_missing", "start_error"]
    assert a.cost == 0.75 and a.prompt_tokens == 15 and a.completion_tokens == 3
    assert done["b"].tries == 1 and done["b"].retried == () and done["b"].cost is None
    data = a.to_json()
    assert data["tries"] == 3 and data["retries"][0]["kind"] == "infrastructure"
    assert data["retries"][0]["reason"] == "sandbox_missing" and data["retries"][1]["try"] == 2
    assert batch.retries == {"sandbox_missing": 1, "start_error": 1} and batch.cost == 0.75
    assert batch.prompt_tokens == 15 and batch.to_json()["retries"] == batch.retries


def test_a_ledger_from_before_retries_opens_and_reads(tmp_path: Path) -> None:
    """An older ledger has no ``tries`` table; its stall retries are log entries only."""
    ledger = make_ledger(tmp_path / "old.db")
    ledger.close()
    db = sqlite3.connect(tmp_path / "old.db")
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'tries'").fetchone() is None
    db.execute("UPDATE tasks SET state = 'stalled', tag = tag || ':retry1' WHERE key = 'a'")
    db.execute("INSERT INTO log (at, key, event, detail) VALUES (1.0, 'a', 'retry', 'stalled: no event for 900s')")
    db.commit()
    db.close()
    opened = Ledger(tmp_path / "old.db")
    try:
        from ohctl.batch.results import results, status

        found = {r.key: r for r in results(opened)}
        assert found["a"].tries == 2 and found["a"].retried[0].reason == "stalled"
        assert found["a"].retried[0].error == "stalled: no event for 900s"
        assert found["a"].to_json()["retries"][0]["conversation_id"] is None
        assert status(opened).retries == {"stalled": 1} and opened.summary()[1] == 0.0
        assert opened.setting("retries") is None
    finally:
        opened.close()


# -- the runner ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    # A failure that rests on the sandbox alone is confirmed at once here (15 s on a real server).
    monkeypatch.setattr(following_module, "SANDBOX_CONFIRM", 0.0)


def run(stub: Any, ledger: Path, tasks: list[dict[str, Any]] | None, **options: Any) -> list[TaskResult]:
    async def go() -> list[TaskResult]:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url=BASE, http_client=http, max_retries=0) as client:
            batch = AsyncBatch(client, ledger, tasks, poll_interval=0.02, stall_after=60, **options)
            try:
                return [r async for r in batch.run()]
            finally:
                batch.close()

    return asyncio.run(go())


def titles(stub: Any) -> list[str]:
    return [str(t["request"].get("title")) for t in stub.tasks.values()]


def test_infrastructure_failures_are_retried_in_new_conversations(tmp_path: Path) -> None:
    stub = StubAppServer(lambda m: 0.05)
    tasks = [
        {"key": "vanish", "message": "work [sandbox-fail:1]"},
        {"key": "nostart", "message": "work [start-fail:2]"},
        {"key": "plain", "message": "work"},
    ]
    results = {r.key: r for r in run(stub, tmp_path / "b.db", tasks, retries=2)}
    assert {k: r.state for k, r in results.items()} == {
        "vanish": "finished",
        "nostart": "finished",
        "plain": "finished",
    }
    assert results["vanish"].tries == 2 and [t.reason for t in results["vanish"].retried] == ["sandbox_missing"]
    assert results["nostart"].tries == 3
    assert [t.reason for t in results["nostart"].retried] == ["start_error", "start_error"]
    assert results["plain"].tries == 1 and results["plain"].retried == ()
    # Each conversation started exactly once: 2 + 3 + 1 starts, 6 distinct ids and titles.
    assert len(stub.starts) == 6 and set(stub.starts.values()) == {1}
    assert len(set(titles(stub))) == 6
    assert sorted(t.rsplit(":", 1)[-1] for t in titles(stub) if "nostart" in t) == ["nostart", "retry1", "retry2"]
    earlier = results["vanish"].retried[0]
    assert earlier.conversation_id != results["vanish"].conversation_id and earlier.cost == 0.002
    assert results["vanish"].cost == pytest.approx(0.012)  # both tries' costs
    assert "sandbox MISSING" in (earlier.error or "")


def test_retries_run_out_and_the_last_failure_stands(tmp_path: Path) -> None:
    stub = StubAppServer(lambda m: 0.05)
    events: list[ohctl.batch.BatchEvent] = []
    results = run(
        stub, tmp_path / "b.db", [{"key": "v", "message": "[sandbox-fail:9]"}], retries=2, on_event=events.append
    )
    assert results[0].state == "failed" and results[0].tries == 3 and len(stub.starts) == 3
    retries = [e.message for e in events if e.kind == "retry"]
    assert len(retries) == 2 and retries[0].startswith("retry 1 (sandbox_missing)")
    assert [e.kind for e in events].count("ended") == 1


def test_the_agents_own_failure_is_never_retried(tmp_path: Path) -> None:
    stub = StubAppServer(lambda m: 0.05)
    tasks = [{"key": "agent", "message": "work [fail]"}, {"key": "input", "message": "work [input]"}]
    results = {r.key: r for r in run(stub, tmp_path / "b.db", tasks, retries=3)}
    assert results["agent"].state == "failed" and results["agent"].tries == 1
    assert results["input"].state == "needs_input" and results["input"].tries == 1
    assert len(stub.starts) == 2


def test_a_refused_start_is_never_retried(tmp_path: Path) -> None:
    def refuse(method: str, path: str, body: dict[str, Any]) -> httpx.Response | None:
        return httpx.Response(422, json={"detail": "bad repository"})

    stub = StubAppServer(lambda m: 0.05, refuse=refuse)
    results = run(stub, tmp_path / "b.db", [{"key": "r", "message": "work"}], retries=3)
    assert results[0].state == "error" and results[0].tries == 1
    assert stub.requests["POST /api/v1/app-conversations"] == 1


def test_without_retries_an_infrastructure_failure_ends_the_task(tmp_path: Path) -> None:
    stub = StubAppServer(lambda m: 0.05)
    results = run(stub, tmp_path / "b.db", [{"key": "v", "message": "[sandbox-fail:1]"}])
    assert results[0].state == "failed" and results[0].tries == 1 and len(stub.starts) == 1
    assert "sandbox MISSING" in (results[0].error or "")


def test_stalls_share_the_retry_budget_and_on_stall_stop_is_never_retried(tmp_path: Path) -> None:
    stub = StubAppServer(agent_url=BASE)
    results = run(stub, tmp_path / "a.db", [{"key": "s", "message": "[stall]"}], on_stall="retry", retries=2)
    assert results[0].state == "stalled" and results[0].tries == 3
    assert [t.reason for t in results[0].retried] == ["stalled", "stalled"] and len(stub.stopped) == 3
    stub = StubAppServer(agent_url=BASE)
    results = run(stub, tmp_path / "b.db", [{"key": "s", "message": "[stall]"}], on_stall="stop", retries=2)
    assert results[0].state == "stalled" and results[0].tries == 1 and len(stub.starts) == 1


def test_the_retries_setting_is_kept_in_the_ledger_for_a_resume(tmp_path: Path) -> None:
    stub = StubAppServer(lambda m: 0.05)
    path = tmp_path / "b.db"
    # Written (not run) with retries=2: a resume without the option uses the ledger's.
    ohctl.Batch(path, [{"key": "v", "message": "[sandbox-fail:1]"}], base_url=BASE, retries=2)
    results = run(stub, path, None)
    assert results[0].state == "finished" and results[0].tries == 2
    opened = Ledger(path)
    try:
        assert opened.setting("retries") == 2
    finally:
        opened.close()


def test_bad_retries_are_refused_before_the_ledger_is_written(tmp_path: Path) -> None:
    for bad in (-1, 1.5, True):
        with pytest.raises(ohctl.InvalidArgumentError, match="retries"):
            run(StubAppServer(), tmp_path / "b.db", [{"key": "a", "message": "x"}], retries=bad)
    assert not (tmp_path / "b.db").exists()


def test_the_cli_takes_retries_and_status_and_results_show_the_tries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ohctl.cli.main import cli

    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OPENHANDS_BASE_URL", BASE)
    path = tmp_path / "b.db"
    ledger = make_ledger(path)
    ledger.mark_starting("a")
    ledger.mark_running("a", "s1")
    ledger.retry("a", "sandbox gone", reason="sandbox_missing", state="failed", ended=Ended(cost=0.5))
    ledger.close()
    runner = CliRunner()
    import ohctl.cli.output as output_module

    piped = output_module.make_output
    monkeypatch.setattr(output_module, "make_output", lambda *a, **k: output_module.Output(tty=True, color=False))
    status = runner.invoke(cli, ["batch", "status", str(path)])
    assert status.exit_code == 0 and "retries: 1 (sandbox_missing 1)" in status.output, status.output
    table = runner.invoke(cli, ["batch", "results", str(path)])
    assert "TRIES" in table.output and "sandbox_missing" in table.output, table.output
    monkeypatch.setattr(output_module, "make_output", piped)
    rows = [json.loads(x) for x in runner.invoke(cli, ["batch", "results", str(path), "--json"]).output.splitlines()]
    assert rows[0]["tries"] == 2 and rows[0]["retries"][0]["reason"] == "sandbox_missing"
    bad = runner.invoke(cli, ["batch", "resume", str(path), "--retries", "-1"])
    assert bad.exit_code == 2 and "--retries" in bad.output
    assert set(ENDED) <= set(ALL_STATES)


class Crash(Exception):
    """The runner dies here (as after a kill): what the ledger committed stays."""


@pytest.mark.parametrize("when", ["retry", "second starting"])
def test_a_crash_around_a_retry_starts_the_new_try_once_and_never_mistakes_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    from ohctl.batch import reconcile as reconcile_module
    from ohctl.batch import runner as runner_module

    monkeypatch.setattr(reconcile_module, "SETTLE", 0.0)
    monkeypatch.setattr(runner_module, "SETTLE", 0.0)
    stub = StubAppServer(lambda m: 0.05)
    path = tmp_path / "b.db"
    seen: list[str] = []

    def crash(event: ohctl.batch.BatchEvent) -> None:
        seen.append(event.kind)
        # "retry": committed, the task pending again; "second starting": marked starting with its new
        # id and tag, the start request never sent (the old try's start is on the server).
        if (when == "retry" and event.kind == "retry") or (when != "retry" and seen.count("starting") == 2):
            raise Crash

    with pytest.raises(Crash):
        run(stub, path, [{"key": "v", "message": "[sandbox-fail:1]"}], retries=1, on_event=crash)
    ledger = Ledger(path)
    try:
        row = ledger.task("v")
        assert row.state == ("pending" if when == "retry" else "starting") and row.tag.endswith(":retry1")
        assert ledger.retries("v") == 1 and len(stub.starts) == 1 and row.conversation_id not in stub.starts
    finally:
        ledger.close()
    results = run(stub, path, None)  # resumed: the ledger's retries (1) apply
    assert results[0].state == "finished" and results[0].tries == 2
    assert len(stub.starts) == 2 and set(stub.starts.values()) == {1}
    assert sorted(t.rsplit(":", 1)[-1] for t in titles(stub)) == ["retry1", "v"]
