"""Stopping and bulk plans (which conversations and sandboxes a bulk action picks, and why; executing
a plan), durations, and the hooks run when a conversation ends (their environment, no shell, failures
reported, not raised)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

import ohctl
from ohctl._bulk import idle_sandboxes, select_conversations
from ohctl._hooks import HOOK_VARIABLES
from ohctl.batch.results import TaskResult
from ohctl.types import AppConversation
from ohctl.types.sandboxes import Sandbox
from tests.support.helpers import json_response, make_client

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
CID = "a" * 32


def conv(
    n: int,
    *,
    days: float = 0,
    execution: str | None = "finished",
    sandbox: str | None = "RUNNING",
    repo: str | None = None,
    title: str = "",
    sandbox_id: str = "sb",
) -> AppConversation:
    return AppConversation.model_validate(
        {
            "id": f"{n:032x}",
            "sandbox_id": sandbox_id,
            "sandbox_status": sandbox,
            "execution_status": execution,
            "selected_repository": repo,
            "title": title,
            "updated_at": (NOW - timedelta(days=days)).isoformat(),
        }
    )


# -- durations ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "seconds"),
    [("7d", 7 * 86400), ("1h", 3600), ("90s", 90), ("15m", 900), ("2w", 14 * 86400), (" 1.5h ", 5400), (30, 30)],
)
def test_durations_read_as_timedeltas(text: Any, seconds: float) -> None:
    assert ohctl.parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["7", "d", "7 days", "-1h", "0s", "1y", ""])
def test_a_bad_duration_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ohctl.InvalidArgumentError, match="duration"):
        ohctl.parse_duration(text)


# -- which conversations a bulk action picks -------------------------------------------------
def test_delete_picks_old_conversations_and_never_a_running_agent() -> None:
    found = [conv(1, days=10), conv(2, days=1), conv(3, days=30, execution="running"), conv(4, days=8)]
    picked = select_conversations(found, now=NOW, older_than=timedelta(days=7))
    assert [c.id for c, _ in picked] == [f"{1:032x}", f"{4:032x}"]
    assert picked[0][1] == "last updated 240h 00m ago"


def test_delete_filters_narrow_by_status_repo_and_title() -> None:
    found = [
        conv(1, days=9, execution="finished", repo="Octo/Parser", title="Fix the flaky test"),
        conv(2, days=9, execution="error", repo="octo/parser", title="Fix the flaky test"),
        conv(3, days=9, execution="finished", repo="octo/other", title="Fix the flaky test"),
        conv(4, days=9, execution="finished", repo="octo/parser", title="Add a CLI"),
    ]
    picked = select_conversations(
        found, now=NOW, older_than=timedelta(days=7), status="finished", repo="octo/parser", title_contains="FLAKY"
    )
    assert [c.id for c, _ in picked] == [f"{1:032x}"]
    assert "status finished" in picked[0][1] and "repository Octo/Parser" in picked[0][1]
    # an outcome, an execution status and a sandbox status all match
    assert [c.id for c, _ in select_conversations(found, now=NOW, status="failed")] == [f"{2:032x}"]
    paused = [conv(5, execution="paused", sandbox="PAUSED")]
    assert len(select_conversations(paused, now=NOW, status="PAUSED")) == 1


def test_stop_all_running_picks_only_agents_at_work() -> None:
    found = [
        conv(1, execution="running"),
        conv(2, execution="idle"),
        conv(3, execution="running", sandbox="PAUSED"),
        conv(4, execution="finished"),
    ]
    picked = select_conversations(found, now=NOW, running=True)
    assert [(c.id, why) for c, why in picked] == [(f"{1:032x}", "the agent is running")]


def sandbox(sid: str, status: str = "RUNNING", days: float = 3) -> Sandbox:
    return Sandbox.model_validate({"id": sid, "status": status, "created_at": (NOW - timedelta(days=days)).isoformat()})


def test_prune_picks_sandboxes_idle_for_long_enough() -> None:
    boxes = [
        sandbox("busy"),
        sandbox("recent"),
        sandbox("idle"),
        sandbox("empty"),
        sandbox("new", days=0),
        sandbox("p", "PAUSED"),
    ]
    by_box = {
        "busy": [conv(1, days=2, execution="running", sandbox_id="busy")],
        "recent": [conv(2, days=2, sandbox_id="recent"), conv(3, days=0, sandbox_id="recent")],
        "idle": [conv(4, days=2, sandbox_id="idle")],
        "p": [conv(5, days=2, sandbox_id="p", sandbox="PAUSED")],
    }
    picked = idle_sandboxes(boxes, by_box, now=NOW, idle=timedelta(hours=1))
    assert [(s.id, why) for s, why in picked] == [
        ("idle", "running, last conversation update 48h 00m ago"),
        ("empty", "running, created 72h 00m ago"),
    ]
    with_paused = idle_sandboxes(boxes, by_box, now=NOW, idle=timedelta(hours=1), statuses=("RUNNING", "PAUSED"))
    assert [s.id for s, _ in with_paused] == ["idle", "empty", "p"]


# -- plans against a fake server ---------------------------------------------------------------
class FakeServer:
    """The app server's search, delete and sandbox routes, and one agent server's pause route."""

    def __init__(self, conversations: list[dict[str, Any]]) -> None:
        self.conversations = conversations
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append(f"{request.method} {path}")
        if path == "/api/v1/app-conversations/search":
            return json_response(200, {"items": self.conversations, "next_page_id": None})
        if path == "/api/v1/app-conversations":
            wanted = request.url.params.get_list("ids")
            return json_response(200, [c for c in self.conversations if c["id"] in wanted])
        if request.method == "DELETE":
            return json_response(200, {"success": not path.endswith("b" * 32)})
        if path.endswith("/pause"):
            return json_response(200, {"success": True})
        return json_response(404, {"detail": "no such route"})


def row(cid: str, *, days: float, execution: str = "finished") -> dict[str, Any]:
    return {
        "id": cid,
        "sandbox_id": "sb1",
        "sandbox_status": "RUNNING",
        "execution_status": execution,
        "conversation_url": f"http://127.0.0.1:9/agent/api/conversations/{cid}",
        "session_api_key": "session-key",
        "updated_at": (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(),
    }


def test_a_delete_plan_changes_nothing_until_executed_and_reports_each_failure() -> None:
    server = FakeServer([row(CID, days=9), row("b" * 32, days=9), row("c" * 32, days=1)])
    client, _ = make_client(server, api_key="k")  # type: ignore[arg-type]
    plan = client.conversations.plan_delete(older_than="7d")
    assert [a.id for a in plan] == [CID, "b" * 32]
    assert not any(call.startswith("DELETE") for call in server.calls)
    assert plan.lines()[0].startswith(f"delete conversation {CID}: last updated")
    result = client.conversations.execute(plan)
    assert result.done == [CID]
    assert result.failed == {"b" * 32: f"the server did not delete conversation {'b' * 32}"}
    assert not result.ok


def test_stop_pauses_the_agent_and_with_sandbox_the_sandbox() -> None:
    server = FakeServer([row(CID, days=0, execution="running")])
    client, _ = make_client(server, api_key="k")  # type: ignore[arg-type]
    done = client.conversations.stop(CID)
    assert (done.agent_paused, done.sandbox_paused) == (True, False)
    [paused] = [call for call in server.calls if call.endswith("/pause")]
    assert paused.startswith("POST /agent/api/conversations/") and "sandboxes" not in paused
    server.calls.clear()
    done = client.conversations.stop(CID, sandbox=True)
    assert done.sandbox_paused
    assert server.calls[-1] == "POST /api/v1/sandboxes/sb1/pause"


def test_a_pause_held_by_a_long_step_is_reported_under_way_once_and_not_resent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The agent server answers a pause only when the step in flight ends: stop waits PAUSE_HOLD for
    the answer, then says the pause is under way (it was sent: the read timed out), never resending it."""
    from ohctl._sync.lib import bulk  # the sync client's twin of the library's stop

    monkeypatch.setattr(bulk, "PAUSE_HOLD", 0.2)
    server = FakeServer([row(CID, days=0, execution="running")])

    def held(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(f"/{CID}/pause"):
            server.calls.append(f"{request.method} {request.url.path}")
            raise httpx.ReadTimeout("held until the step ends", request=request)
        return server(request)

    client, _ = make_client(held, api_key="k")  # type: ignore[arg-type]
    done = client.conversations.stop(CID, sandbox=True)
    assert (done.agent_paused, done.pausing, done.sandbox_paused) == (False, True, True)
    assert done.note is not None and "pauses when its step in flight ends" in done.note
    assert len([c for c in server.calls if c.endswith(f"/{CID}/pause")]) == 1  # no retry


def test_a_pause_that_never_connected_is_an_error_not_under_way() -> None:
    server = FakeServer([row(CID, days=0, execution="running")])

    def refused(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/pause"):
            raise httpx.ConnectTimeout("no route", request=request)
        return server(request)

    client, _ = make_client(refused, api_key="k", max_retries=0)  # type: ignore[arg-type]
    with pytest.raises(ohctl.APITimeoutError):
        client.conversations.stop(CID)


def test_stopping_a_paused_sandbox_says_there_is_no_agent_to_pause() -> None:
    paused = {**row(CID, days=0, execution="paused"), "sandbox_status": "PAUSED"}
    server = FakeServer([paused])
    client, _ = make_client(server, api_key="k")  # type: ignore[arg-type]
    done = client.conversations.stop(CID, sandbox=True)
    assert (done.agent_paused, done.sandbox_paused) == (False, False)
    assert done.note == "the sandbox is PAUSED: no agent runs"
    assert not any(call.endswith("/pause") for call in server.calls)


# -- hooks -----------------------------------------------------------------------------------
def dump_env_command(path: Path) -> list[str]:
    script = "import json, os, sys; json.dump({k: os.environ.get(k) for k in sys.argv[2:]}, open(sys.argv[1], 'w'))"
    return [sys.executable, "-c", script, str(path), *HOOK_VARIABLES]


def test_a_hook_gets_the_conversation_in_its_environment(tmp_path: Path) -> None:
    conversation = AppConversation.model_validate(
        {"id": CID, "pr_number": [12, 15], "metrics": {"accumulated_cost": 0.25}}
    )
    result = ohctl.WaitResult(ohctl.ConversationId(CID), ohctl.Outcome.FINISHED, conversation)
    out = tmp_path / "env.json"
    hook = ohctl.run_hook(dump_env_command(out), result, base_url="https://oh.example.test")
    assert hook.ok and hook.error is None
    env = json.loads(out.read_text())
    assert env == {
        "OHCTL_CONVERSATION_ID": CID,
        "OHCTL_OUTCOME": "finished",
        "OHCTL_COST": "0.2500",
        "OHCTL_URL": ohctl.conversation_web_url("https://oh.example.test", CID),
        "OHCTL_PR_NUMBERS": "12 15",
    }


def test_a_batch_task_result_gives_its_own_url_and_prs() -> None:
    task = TaskResult(
        key="k1",
        line=1,
        input={},
        state="timed_out",
        conversation_id=CID,
        url="https://x.test/c",
        prs=[3],
        cost=None,
        prompt_tokens=None,
        completion_tokens=None,
        duration=None,
        error=None,
        attempts=1,
    )
    assert ohctl.hook_env(task) == {
        "OHCTL_CONVERSATION_ID": CID,
        "OHCTL_OUTCOME": "timed_out",
        "OHCTL_COST": "",
        "OHCTL_URL": "https://x.test/c",
        "OHCTL_PR_NUMBERS": "3",
    }


def test_a_hook_runs_without_a_shell(tmp_path: Path) -> None:
    out = tmp_path / "args.json"
    script = "import json, sys; json.dump(sys.argv[1:], open(sys.argv[1], 'w'))"
    command = f"{sys.executable} -c \"{script}\" {out} '$OHCTL_OUTCOME' ';' 'rm -rf x'"
    result = ohctl.WaitResult(ohctl.ConversationId(CID), ohctl.Outcome.FAILED, None)
    assert ohctl.run_hook(command, result).ok
    assert json.loads(out.read_text()) == [str(out), "$OHCTL_OUTCOME", ";", "rm -rf x"]


def test_a_failing_or_missing_hook_is_reported_not_raised(tmp_path: Path) -> None:
    result = ohctl.WaitResult(ohctl.ConversationId(CID), ohctl.Outcome.FINISHED, None)
    failed = ohctl.run_hook([sys.executable, "-c", "raise SystemExit(3)"], result)
    assert (failed.ok, failed.returncode, failed.error) == (False, 3, "hook command exited with status 3")
    missing = ohctl.run_hook(str(tmp_path / "no-such-program"), result)
    assert missing.returncode is None
    assert missing.error == f"hook command not found: {tmp_path / 'no-such-program'}"
    with pytest.raises(ohctl.InvalidArgumentError, match="empty"):
        ohctl.run_hook("  ", result)


def test_a_batch_runs_its_hook_once_per_ended_task_with_a_conversation(tmp_path: Path) -> None:
    from ohctl.batch.sync import Batch

    batch = Batch.__new__(Batch)  # only the hook step: no ledger, no server
    batch.on_task_done = [sys.executable, "-c", "raise SystemExit(0)"]
    batch.hook_runs = []

    def task(state: str, conversation_id: str | None) -> TaskResult:
        return TaskResult(
            key=state,
            line=1,
            input={},
            state=state,
            conversation_id=conversation_id,
            url=None,
            prs=[],
            cost=None,
            prompt_tokens=None,
            completion_tokens=None,
            duration=None,
            error=None,
            attempts=1,
        )

    for result in (task("finished", CID), task("running", CID), task("error", None)):
        batch._hook(result)
    assert [(h.conversation_id, h.ok) for h in batch.hook_runs] == [(CID, True)]


def test_stopping_a_finished_agent_pauses_nothing() -> None:
    server = FakeServer([row(CID, days=0, execution="finished")])
    client, _ = make_client(server, api_key="k")  # type: ignore[arg-type]
    done = client.conversations.stop(CID)
    assert (done.agent_paused, done.note) == (False, "the agent is finished: nothing to pause")
    assert not any(call.endswith("/pause") for call in server.calls)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--no-repo", "--on-done", "notify 'unclosed", "hi"], "cannot split"),
        (["watch", CID, "--on-done", "  "], "the command is empty"),
        (["batch", "run", "tasks.jsonl", "--on-task-done", '"'], "cannot split"),
        (["--legacy", "run", "--no-repo", "--on-done", "true", "hi"], "--on-done needs a V1 server"),
        (["stop"], "give conversation ids, or --all-running"),
        (["stop", CID, "--dry-run"], "--dry-run and --yes go with --all-running"),
        (["delete"], "give a conversation id, or --older-than AGE"),
        (["delete", CID, "--older-than", "7d"], "not both"),
        (["delete", "--older-than", "soon"], "not a duration"),
        (["sandboxes", "prune", "--idle", "7"], "not a duration"),
    ],
)
def test_hook_and_bulk_options_are_checked_before_anything_runs(args: list[str], message: str) -> None:
    from click.testing import CliRunner

    from ohctl.cli.main import cli

    result = CliRunner().invoke(cli, args, env={"OPENHANDS_BASE_URL": "http://127.0.0.1:9"})
    assert result.exit_code == 2, result.output
    assert message in result.output
