"""Best of N without a real server: the winner rule (hypothesis), the attempt note and path, the
table, the scripted model's ``attempts`` scenario, and the run against the batch stub of the app
server (``bench/batch_stub.py``): starts refused for the concurrency limit, stopping and pausing the
losers."""

from __future__ import annotations

import asyncio
import importlib
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ohctl
from ohctl._best_of import (
    PREFER,
    BestOf,
    BestOfAttempt,
    attempt_of,
    attempt_path,
    attempt_task,
    choose_winner,
    ranking_key,
    table_lines,
    tail,
)
from ohctl.local.scripted_model import attempts_marker, plan

OUTCOMES = [None, *ohctl.Outcome]
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


@st.composite
def attempt_lists(draw: st.DrawFn) -> list[BestOfAttempt]:
    count = draw(st.integers(1, 6))
    attempts = []
    for index in range(1, count + 1):
        has_diff = draw(st.booleans())
        attempts.append(
            BestOfAttempt(
                index=index,
                conversation_id=f"{index:032x}",
                outcome=draw(st.sampled_from(OUTCOMES)),
                select_exit_code=draw(st.sampled_from([None, 0, 0, 1, 2])),
                error=draw(st.sampled_from([None, None, None, "could not run"])),
                diff=ohctl.PatchStats(files=1, additions=draw(st.integers(0, 5)), deletions=draw(st.integers(0, 5)))
                if has_diff
                else None,
                cost=draw(st.sampled_from([0.0, 0.1, 0.25, 1.0])),
                duration=draw(st.sampled_from([None, 5.0, 10.0, 30.0])),
            )
        )
    return attempts


@given(attempt_lists(), st.sampled_from(PREFER))
def test_the_winner_is_the_best_ranked_passing_attempt(attempts: list[BestOfAttempt], prefer: str) -> None:
    winner = choose_winner(attempts, prefer)  # type: ignore[arg-type]
    passing = [a for a in attempts if a.outcome == ohctl.Outcome.FINISHED and a.select_exit_code in (0, None)]
    passing = [a for a in passing if a.error is None]
    if not passing:
        assert winner is None
        return
    assert winner is not None and winner in passing and winner.passed
    for other in passing:
        assert ranking_key(winner, prefer) <= ranking_key(other, prefer)  # type: ignore[arg-type]
    # What each preference puts first.
    if prefer == "diff":
        assert winner.diff_size == min(a.diff_size for a in passing)
        assert winner.cost == min(a.cost for a in passing if a.diff_size == winner.diff_size)
    elif prefer == "cost":
        assert winner.cost == min(a.cost for a in passing)
    else:
        took = [math.inf if a.duration is None else a.duration for a in passing]
        assert (math.inf if winner.duration is None else winner.duration) == min(took)


@given(attempt_lists())
def test_an_attempt_that_did_not_finish_never_wins(attempts: list[BestOfAttempt]) -> None:
    for attempt in attempts:
        if attempt.outcome != ohctl.Outcome.FINISHED:
            attempt.select_exit_code, attempt.error = 0, None
    for prefer in PREFER:
        winner = choose_winner(attempts, prefer)
        assert winner is None or winner.outcome == ohctl.Outcome.FINISHED


def test_the_rule_in_examples() -> None:
    def attempt(index: int, lines: int | None, cost: float, took: float, code: int | None = 0) -> BestOfAttempt:
        diff = None if lines is None else ohctl.PatchStats(files=1, additions=lines, deletions=0)
        return BestOfAttempt(
            index=index, outcome=ohctl.Outcome.FINISHED, select_exit_code=code, diff=diff, cost=cost, duration=took
        )

    small_dear, big_cheap, fast, failing = (
        attempt(1, 2, 1.0, 50),
        attempt(2, 9, 0.1, 40),
        attempt(3, 5, 0.5, 10),
        attempt(4, 1, 0.0, 1, 1),
    )
    tried = [small_dear, big_cheap, fast, failing]
    assert choose_winner(tried) is small_dear  # the smallest change that passes (failing is smaller)
    assert choose_winner(tried, "cost") is big_cheap
    assert choose_winner(tried, "time") is fast
    same = [attempt(1, 3, 0.5, 20), attempt(2, 3, 0.2, 30), attempt(3, 3, 0.2, 25)]
    assert choose_winner(same) is same[2]  # same change: the cheaper, then the quicker
    unknown = [attempt(1, None, 0.0, 1), attempt(2, 40, 1.0, 50)]
    assert choose_winner(unknown) is unknown[1]  # a change that could not be read ranks after any other
    assert choose_winner([attempt(1, 1, 0, 1, None)]) is not None  # without a command, finishing passes
    assert choose_winner([]) is None


@given(st.text(max_size=200), st.integers(1, 10), st.integers(1, 10))
def test_the_attempt_note_is_read_back(task: str, index: int, total: int) -> None:
    text = attempt_task(task, index, max(index, total))
    if max(index, total) == 1:
        assert text == task
    else:
        assert text.startswith(task) and text.endswith(f"(attempt {index} of {max(index, total)})")
        assert attempt_of(text) == (attempt_of(task) if "(attempt " in task and attempt_of(task) != 1 else index)


def test_attempt_path_and_tail() -> None:
    assert attempt_path("work-{attempt}", 3) == "work-3" and attempt_path("repo", 2) == "repo"
    assert attempt_path(None, 1) is None
    assert tail("\n".join(str(n) for n in range(100)), lines=3) == "97\n98\n99"
    assert tail("x" * 5000 + "\n", chars=10) == "x" * 10


def test_the_table_marks_the_winner_and_shows_why_the_others_lost() -> None:
    result = BestOf(
        task="t",
        select="pytest -q",
        attempts=[
            BestOfAttempt(
                index=1, conversation_id="a" * 32, outcome=ohctl.Outcome.FINISHED, select_exit_code=1,
                select_output="line\n1 failed, 3 passed", diff=ohctl.PatchStats(files=2, additions=3, deletions=1),
                cost=0.125, duration=75.0, stopped=True,
            ),
            BestOfAttempt(
                index=2, conversation_id="b" * 32, outcome=ohctl.Outcome.FINISHED, select_exit_code=0,
                select_output="4 passed", diff=ohctl.PatchStats(files=1, additions=1, deletions=1), cost=0.5,
                duration=42.0,
            ),
            BestOfAttempt(index=3, error="the server refused the start: 400", outcome=ohctl.Outcome.FAILED),
            BestOfAttempt(index=4, conversation_id="c" * 32, stopped=True),
        ],
        winner_index=2,
    )  # fmt: skip
    lines = result.table()
    assert lines == table_lines(result)
    assert lines[0].split() == ["#", "CONVERSATION", "OUTCOME", "SELECT", "DIFF", "COST", "TIME"]
    assert lines[1].split() == ["1", "a" * 32, "finished", "exit", "1", "2f", "+3", "-1", "$0.1250", "1m", "15s"]
    assert lines[2].split() == ["*", "2", "b" * 32, "finished", "exit", "0", "1f", "+1", "-1", "$0.5000", "42s"]
    assert lines[3].split() == ["3", "-", "failed", "$0.0000"]
    assert lines[4].split() == ["4", "c" * 32, "stopped", "$0.0000"]
    assert lines[5:] == [
        "attempt 1:", "  line", "  1 failed, 3 passed", "attempt 2:", "  4 passed",
        "attempt 3:", "  the server refused the start: 400",
    ]  # fmt: skip
    assert result.winner is result.attempts[1] and result.winner_id == "b" * 32


def test_the_scripted_model_runs_the_command_of_its_attempt() -> None:
    marker = attempts_marker(["echo one", "echo two"])

    def first_step(text: str) -> str:
        scenario, step = plan([{"role": "user", "content": text}])
        assert scenario == "attempts" and step is not None and step.tool == "terminal"
        return str(step.arguments["command"])

    assert first_step(attempt_task(f"do it {marker}", 2, 3)) == "echo two"
    assert first_step(attempt_task(f"do it {marker}", 3, 3)) == "echo two"  # past the list: the last
    assert first_step(f"do it {marker}") == "echo one"  # no note: the first
    _, then = plan([{"role": "user", "content": marker}, {"role": "assistant", "content": "ran it"}])
    assert then is not None and then.tool == "finish"
    with pytest.raises(ValueError):
        attempts_marker([])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attempts": 0}, "attempts must be 1 to 10, not 0"),
        ({"attempts": 11}, "attempts must be 1 to 10, not 11"),
        ({"prefer": "speed"}, "prefer must be one of diff, cost, time, not 'speed'"),
        ({"select": "  "}, "select is empty"),
    ],
)
def test_bad_arguments_are_refused_before_anything_starts(kwargs: dict[str, object], message: str) -> None:
    with ohctl.OpenHands(base_url="http://127.0.0.1:9", max_retries=0) as client:
        with pytest.raises(ohctl.InvalidArgumentError, match=message.replace("(", r"\(")):
            ohctl.best_of(client, "task", **kwargs)  # type: ignore[arg-type]


AGENT = "http://127.0.0.1:9"  # the stub's agent server: a loopback address, so the session key may go there


def _stub_run(stub: Any, **options: Any) -> ohctl.BestOf:
    async def quick(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.02))

    async def go() -> ohctl.BestOf:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(
            base_url="http://127.0.0.1:9", http_client=http, max_retries=0, sleep=quick
        ) as client:
            return await ohctl.abest_of(client, "fix it", timeout=30, **options)

    return asyncio.run(go())


def test_starts_refused_for_the_concurrency_limit_wait_for_an_attempt_to_end() -> None:
    stub_module = importlib.import_module("batch_stub")
    refused: list[str] = []

    def refuse(method: str, path: str, body: dict[str, Any]) -> httpx.Response | None:
        now = time.time()
        live = [t for t in stub.tasks.values() if now < t["ready_at"] + t["duration"]]
        if len(live) >= 2:
            refused.append(body["initial_message"]["content"][0]["text"])
            body = {"detail": {"error": "CONCURRENCY_LIMIT_REACHED", "message": "limit", "limit": 2, "current": 2}}
            return httpx.Response(429, json=body)
        return None

    stub = stub_module.StubAppServer(lambda message: 0.3, refuse=refuse, agent_url=AGENT)
    updates: list[tuple[int, str]] = []
    result = _stub_run(stub, attempts=3, on_update=lambda a, what: updates.append((a.index, what)))
    assert refused and all(text.endswith("(attempt 3 of 3)") for text in refused)  # the third waited
    assert sorted(stub.starts.values()) == [1, 1, 1]  # each attempt started once
    assert [a.outcome for a in result.attempts] == [ohctl.Outcome.FINISHED] * 3
    assert all(a.cost == 0.01 and a.duration is not None for a in result.attempts)
    # Without a selection command every finished attempt passes; changes unread (no git here) and
    # costs alike, so the quickest attempt wins.
    assert all(a.diff is None and a.diff_error for a in result.attempts)
    quickest = min(result.attempts, key=lambda a: a.duration or 0.0)
    assert result.winner is quickest
    losers = [a for a in result.attempts if a is not quickest]
    assert all(a.stopped for a in losers) and not quickest.stopped
    assert sorted(stub.paused) == sorted(str(a.sandbox_id) for a in losers)  # their own sandboxes, paused
    assert [what for index, what in updates if index == 3][:1] == ["started"]


def test_keep_leaves_the_losers_sandboxes_running() -> None:
    stub_module = importlib.import_module("batch_stub")
    stub = stub_module.StubAppServer(lambda message: 0.3 if "attempt 1 " in message else 0.05, agent_url=AGENT)
    result = _stub_run(stub, attempts=2, keep=True, prefer="cost")
    assert result.winner is not None and stub.paused == []
    loser = next(a for a in result.attempts if a is not result.winner)
    assert loser.stopped and not loser.sandbox_paused


def test_a_look_that_fails_for_a_moment_is_ridden_through() -> None:
    stub = importlib.import_module("batch_stub").StubAppServer(lambda message: 0.1, agent_url=AGENT)
    handle, failed = stub.handle, []

    async def flaky(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/v1/app-conversations" and len(failed) < 2:
            failed.append(request)
            return httpx.Response(503, json={"detail": "busy"})
        response: httpx.Response = await handle(request)
        return response

    stub.handle = flaky
    result = _stub_run(stub, attempts=2)
    assert len(failed) == 2 and result.winner is not None
    assert [a.outcome for a in result.attempts] == [ohctl.Outcome.FINISHED] * 2


def test_an_attempt_still_starting_when_the_first_passes_is_followed_and_stopped() -> None:
    """prefer="time" ends at the first passing attempt; one whose start is still in flight becomes a
    conversation later, so it is followed to it and stopped (not left to run unattended)."""
    stub = importlib.import_module("batch_stub").StubAppServer(lambda message: 0.05, agent_url=AGENT)
    handle = stub.handle

    async def slow_second_start(request: httpx.Request) -> httpx.Response:
        response: httpx.Response = await handle(request)
        if request.method == "POST" and request.url.path == "/api/v1/app-conversations":
            task = stub.tasks[response.json()["id"]]
            if "(attempt 2 of 2)" in json.dumps(task["request"]):
                task["ready_at"] = time.time() + 0.6  # ready well after attempt 1 has passed
        return response

    stub.handle = slow_second_start
    result = _stub_run(stub, attempts=2, prefer="time")
    first, second = result.attempts
    assert result.winner is first and first.outcome == ohctl.Outcome.FINISHED
    assert second.outcome is None and second.conversation_id is not None  # followed to its conversation
    assert second.stopped and second.conversation_id in stub.stopped
