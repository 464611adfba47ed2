"""``--max-cost`` / ``--max-tokens`` on the command line (a fake server): every command that waits on an
agent pauses it at its limit and exits 10, naming the limit, the value and the limit; the options are
checked before anything starts; ``batch status`` reports the limits and which were reached."""

from __future__ import annotations

import json
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

import ohctl
from ohctl._sync.resources.conversations import Conversations
from ohctl.batch.ledger import OVER_BUDGET, Ended, Ledger
from ohctl.batch.spec import BatchInputError, parse_jsonl
from ohctl.cli.commands.batch import limit_lines
from ohctl.cli.commands.batch_progress import counts_line
from ohctl.cli.main import cli, main
from tests.support.helpers import json_response

AGENT = "http://127.0.0.1:8000"
CID = "f" * 32
TASK = "e" * 32


def serve(monkeypatch: pytest.MonkeyPatch, handler: Callable[[httpx.Request], httpx.Response]) -> None:
    """Every ``ohctl.OpenHands`` the CLI makes talks to ``handler`` and pauses for no real time."""
    real = ohctl.OpenHands

    def make(**kwargs: Any) -> ohctl.OpenHands:
        return real(http_client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=lambda _: None, **kwargs)

    monkeypatch.setattr(ohctl, "OpenHands", make)


def invoke(words: str, args: list[str]) -> tuple[int, str]:
    """``ohctl WORDS ARGS`` through ``main`` (its exit code, as a shell sees it) and its stderr."""
    runner = CliRunner()
    with runner.isolation() as (_, err, _):
        try:
            main([*words.split(), *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return code, err.getvalue().decode()


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    monkeypatch.setenv("OPENHANDS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("OPENHANDS_API_KEY", "sk-test-budget")
    for name in ("OHCTL_ORG", "OHCTL_LOG", "OHCTL_LEGACY", "OHCTL_PROFILE", "GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "sleep", lambda _: None)  # watch's own pause between looks
    monkeypatch.setattr(Conversations, "ensure_running", lambda *_, **__: types.SimpleNamespace(close=lambda: None))
    yield


class Spender:
    """A conversation whose agent spends 0.02 USD and 1,000 tokens per look at it, until paused."""

    def __init__(self) -> None:
        self.looks = 0
        self.paused = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/stream-start"):
            return json_response(200, [{"id": TASK, "status": "READY", "app_conversation_id": CID}])
        if path.endswith("/send-message") or path.endswith("/pending-actions"):
            return json_response(200, {"success": True})
        if path == f"/api/conversations/{CID}/pause":
            self.paused = True
            return json_response(200, {"success": True})
        if request.method == "GET" and path == "/api/v1/app-conversations":
            self.looks += 1
            return json_response(200, [self.conversation()])
        if "search" in path:
            return json_response(200, {"items": [], "next_page_id": None})
        if path.endswith("/count"):
            return json_response(200, 0)
        return json_response(404, {"detail": "Not Found"})

    def conversation(self) -> dict[str, Any]:
        return {
            "id": CID,
            "title": "t",
            "sandbox_id": "sb",
            "sandbox_status": "RUNNING",
            "execution_status": "paused" if self.paused else "running",
            "conversation_url": f"{AGENT}/api/conversations/{CID}",
            "session_api_key": "session-key",
            "metrics": {
                "accumulated_cost": 0.02 * self.looks,
                "accumulated_token_usage": {"prompt_tokens": 800 * self.looks, "completion_tokens": 200 * self.looks},
            },
        }


LIMITED = {
    "run --wait": ["--max-cost", "0.05", "hello"],
    "send --wait": [CID, "go on", "--max-tokens", "3000"],
    "watch --exit-status": [CID, "--max-cost", "0.05"],
}


@pytest.mark.parametrize("words", sorted(LIMITED))
def test_a_wait_at_its_limit_pauses_the_agent_and_exits_10(
    words: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = Spender()
    serve(monkeypatch, server)
    code, err = invoke(words, LIMITED[words])
    assert code == ohctl.ExitCode.OVER_BUDGET == 10, err
    assert server.paused, "the agent was not told to pause"
    if "watch" not in words:  # watch prints its status lines on stdout
        if "--max-cost" in LIMITED[words]:
            assert "over budget: cost $0.0600 reached the limit $0.0500; the agent was paused" in err, err
        else:
            assert "over budget: 3,000 tokens reached the limit 3,000; the agent was paused" in err, err
        assert f"ohctl send {CID}" in err  # the hint: paused, nothing deleted


def test_watch_prints_the_limit_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    serve(monkeypatch, Spender())
    result = CliRunner().invoke(cli, ["watch", CID, "--max-tokens", "2000", "--exit-status"])
    assert result.exit_code == 10, result.output
    assert "over budget: 2,000 tokens reached the limit 2,000; the agent was paused" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--max-cost", "1", "hello"],  # no --wait: nothing would watch the limit
        ["run", "--wait", "--max-cost", "0", "hello"],
        ["run", "--wait", "--max-tokens", "-5", "hello"],
        ["send", CID, "hi", "--max-tokens", "100"],
        ["approve", CID, "--max-cost", "2"],
        ["watch", CID, "--max-cost", "nan"],
    ],
)
def test_a_limit_without_a_wait_or_not_positive_is_a_usage_error(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = Spender()
    serve(monkeypatch, server)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert server.looks == 0  # refused before anything was asked of the server


# -- batch lines and reports ------------------------------------------------------------------
def test_a_line_may_set_its_own_limits_and_bad_ones_are_reported_by_line() -> None:
    [spec] = parse_jsonl(['{"message": "m", "max_cost": 2.5, "max_tokens": 9000}'])
    assert (spec.max_cost, spec.max_tokens) == (2.5, 9000)
    assert spec.to_json()["max_cost"] == 2.5  # kept in the ledger
    bare = parse_jsonl(['{"message": "m"}'])[0]
    assert "max_cost" not in bare.to_json()  # a ledger without limits reads as before
    with pytest.raises(BatchInputError) as caught:
        parse_jsonl(
            [
                '{"message": "a", "max_cost": 0}',
                '{"message": "b", "max_tokens": 1.5}',
                '{"message": "c", "max_cost": "2"}',
            ]
        )
    text = str(caught.value)
    assert "line 1: 'max_cost' must be a positive number (USD)" in text
    assert "line 2: 'max_tokens' must be a positive whole number" in text
    assert "line 3: 'max_cost' must be a positive number" in text


def test_batch_status_reports_the_limits_and_which_were_reached(tmp_path: Path) -> None:
    specs = parse_jsonl(
        ['{"key": "a", "message": "m"}', '{"key": "b", "message": "n"}', '{"key": "c", "message": "o"}']
    )
    path = tmp_path / "b.db"
    ledger = Ledger.create(path, specs, {"concurrency": 2, "max_cost": 1.0, "max_tokens_per_task": 5000})
    ledger.mark_starting("a")
    ledger.mark_running("a", "st-a")
    ledger.end("a", OVER_BUDGET, Ended(error="over budget: 5,000 tokens reached the limit 5,000", cost=0.4))
    ledger.set_meta("budget_stop", "the batch's total cost $1.02 reached the limit $1.00")
    ledger.close()
    status = ohctl.Batch(path).status()
    assert "over budget 1" in counts_line(status.counts, status.cost, status.total)
    assert limit_lines(status) == [
        "limits: total cost $1.00; per task 5,000 tokens",
        "total reached: the batch's total cost $1.02 reached the limit $1.00; 2 task(s) not started",
        "over budget: 1 task(s): a",
    ]
    data = json.loads(CliRunner().invoke(cli, ["batch", "status", str(path), "--json"]).output)
    assert data["limits"] == {
        "max_cost": 1.0,
        "max_tokens": None,
        "max_cost_per_task": None,
        "max_tokens_per_task": 5000,
    }
    assert data["over_budget"] == ["a"] and data["budget_stop"].startswith("the batch's total")


def test_an_older_ledger_without_limits_still_opens_and_reports_none(tmp_path: Path) -> None:
    specs = parse_jsonl(['{"key": "a", "message": "m"}'])
    Ledger.create(tmp_path / "old.db", specs, {"concurrency": 4, "timeout": None}).close()
    status = ohctl.Batch(tmp_path / "old.db").status()
    assert status.limits == dict.fromkeys(("max_cost", "max_tokens", "max_cost_per_task", "max_tokens_per_task"))
    assert status.budget_stop is None and status.over_budget == []
    assert limit_lines(status) == []
    result = CliRunner().invoke(cli, ["batch", "status", str(tmp_path / "old.db"), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["over_budget"] == [], result.output


def test_a_follow_with_limits_looks_at_the_metrics_and_ends_over_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from ohctl.cli import follow

    monkeypatch.setattr(follow, "BUDGET_LOOK", 0.2)
    hold = threading.Event()
    hit = ohctl.BudgetHit("cost", 1.5, 1.0, paused=True)
    looks: list[dict[str, Any]] = []

    def stream(conversation: str, *, until_done: bool) -> Iterator[str]:
        yield "e1"
        hold.wait(30)  # the agent goes on without an event the follow would end on

    def poll(ids: list[str], **options: Any) -> dict[str, Any]:
        looks.append(options)
        seen = hit if len(looks) >= 2 else None  # under the limit at the first look
        return {ids[0]: types.SimpleNamespace(budget=seen)}

    client = types.SimpleNamespace(
        events=types.SimpleNamespace(stream=stream), conversations=types.SimpleNamespace(poll=poll)
    )
    seen: list[str] = []
    with pytest.raises(follow.FollowOverBudgetError) as caught:
        for event in follow.follow_events(client, CID, timeout=20, limits=ohctl.Budget(max_cost=1.0)):  # type: ignore[arg-type]
            seen.append(event)
    hold.set()
    assert seen == ["e1"] and caught.value.result.budget is hit
    assert looks == [{"stall_after": None, "max_cost": 1.0, "max_tokens": None}] * 2
