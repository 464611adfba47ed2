"""``--max-tokens`` on the command line against the real app server (the 1.11 server stores no cost:
see tests/peers/test_budget.py): ``run --wait`` and ``run --follow`` pause the agent at its limit and
exit 10 naming the limit, the value and the limit, and nothing is deleted; ``batch run`` with a total
stops starting tasks, pauses the running ones, reports the tasks not started and exits 10."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ohctl
from tests.support.cli_runner import Run, secret
from tests.support.peer_suite import Shared, eventually
from tests.support.scripted_llm import SPEND_STEP_USAGE, spend_marker

STEP_TOKENS = SPEND_STEP_USAGE["prompt_tokens"] + SPEND_STEP_USAGE["completion_tokens"]
TASK = f"Spend tokens {spend_marker(40, 2)}"  # 40 slow steps: far more than the limits allow


def execution(client: ohctl.OpenHands, cid: str) -> str:
    return str(client.conversations.retrieve(cid).execution_status)


def started_id(stdout: str) -> str:
    found = re.search(r"\b[0-9a-f]{32}\b", stdout)
    assert found, stdout
    return found.group(0)


def test_run_wait_and_follow_exit_10_at_the_token_limit_and_leave_the_agent_paused(
    run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared
) -> None:
    env = {"OPENHANDS_BASE_URL": base_url}
    limit = 4 * STEP_TOKENS
    for how in ("--wait", "--follow"):
        args = ("run", "--no-repo", "--sandbox", shared.sandbox_id, how, "--max-tokens", str(limit))
        done = run(*args, TASK, env=env)
        cid = started_id(done.stdout)
        conv = client.conversations.retrieve(cid)
        if conv.session_api_key:
            secret(conv.session_api_key)
        assert done.code == ohctl.ExitCode.OVER_BUDGET == 10, done
        # Paused at once, or (a loaded machine: the step in flight outlasts the 10 s the stop waits)
        # pausing when that step ends; either way it is paused below.
        said = re.search(
            r"over budget: ([\d,]+) tokens reached the limit ([\d,]+); "
            r"the agent (was paused|pauses when its step in flight ends)",
            done.stderr,
        )
        assert said, done.stderr
        assert said.group(2) == f"{limit:,}" and int(said.group(1).replace(",", "")) >= limit
        assert f"ohctl send {cid}" in done.stderr  # the hint: paused, nothing deleted
        eventually(lambda cid=cid: execution(client, cid) == "paused", timeout=60, what=f"{how}: the agent pauses")
        assert client.conversations.retrieve(cid).id == cid  # still there


def test_batch_run_stops_at_its_total_and_reports_it(run: Run, base_url: str, shared: Shared, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    lines = [{"key": f"t{n}", "message": f"{TASK} {n}", "sandbox_id": shared.sandbox_id} for n in range(3)]
    tasks.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    ledger = tmp_path / "tasks.batch.db"
    total = 5 * STEP_TOKENS
    done = run(
        "batch",
        "run",
        str(tasks),
        "--concurrency",
        "2",
        "--poll-interval",
        "1",
        "--max-tokens",
        str(total),
        env={"OPENHANDS_BASE_URL": base_url},
    )
    assert done.code == ohctl.ExitCode.OVER_BUDGET == 10, done
    assert f"limits: total {total:,} tokens" in done.stderr, done.stderr  # Budget.describe()
    assert re.search(
        r"total reached: the batch's total [\d,]+ tokens reached the limit [\d,]+; 1 task\(s\) not started", done.stderr
    ), done.stderr
    assert "over budget: 2 task(s): t0, t1" in done.stderr, done.stderr
    status = json.loads(run("batch", "status", str(ledger), "--json", env={"OPENHANDS_BASE_URL": base_url}).stdout)
    assert status["counts"]["pending"] == 1 and status["counts"]["over_budget"] == 2, status
    assert status["limits"]["max_tokens"] == total and status["budget_stop"]
