"""Every CLI command's documented exits, offline (a mocked app server; the command tree is walked, so
a new command must be classified here): an unknown id exits 5 with one error line, Ctrl-C during any
request exits 130, and a command that waits exits 7 when the agent waits for confirmation."""

from __future__ import annotations

import logging
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner

import ohctl
from ohctl._sync.resources.conversations import Conversations
from ohctl.cli.main import COMMANDS, cli, main
from tests.support.helpers import json_response

BASE = "http://127.0.0.1:9"
CID = "f" * 32
TASK = "e" * 32
ORG = "0b6c2b1e-5d8f-4a57-9a3e-2f7d4c1e9b10"
LOCAL_FILE = "@local-file"  # replaced by a real file in the test's directory

# Each command that names something on the server, with the arguments that name an unknown one.
LOOKUPS: dict[str, list[str]] = {
    "show": [CID],
    "events": [CID],
    "watch": [CID],
    "send": [CID, "hi"],
    "pending": [CID],
    "approve": [CID],
    "reject": [CID, "--reason", "no"],
    "download": [CID],
    "rename": [CID, "title"],
    "delete": ["--yes", CID],
    "stop": [CID],
    "open": [CID],
    "diff": [CID],
    "apply": [CID],
    "exec": [CID, "ls"],
    "files get": [CID, "/remote.txt"],
    "files put": [CID, LOCAL_FILE, "/remote.txt"],
    "conversations show": [CID],
    "conversations events": [CID],
    "conversations watch": [CID],
    "conversations send": [CID, "hi"],
    "conversations download": [CID],
    "conversations rename": [CID, "title"],
    "conversations delete": ["--yes", CID],
    "conversations open": [CID],
    "sandboxes show": ["sb-unknown"],
    "sandboxes pause": ["sb-unknown"],
    "sandboxes resume": ["sb-unknown"],
    "sandboxes delete": ["--yes", "sb-unknown"],
    "secrets delete": ["NO_SUCH_SECRET"],
    "settings profiles show": ["no-such-profile"],
    "settings profiles activate": ["no-such-profile"],
    "settings profiles rename": ["no-such-profile", "new-name"],
    "settings profiles delete": ["no-such-profile"],
    "keys delete": ["--yes", "123"],
    "orgs show": [ORG],
    "orgs members": [ORG],
    "orgs switch": [ORG],
    "api": ["GET", "/api/v1/no-such-route"],
}

# Commands that look nothing up on the server by a name the user gives, and why.
EXEMPT: dict[str, str] = {
    "auth login": "stores a key; checked against the server with auth status",
    "auth status": "no argument",
    "auth logout": "no argument",
    "auth token": "no argument",
    "auth list": "no argument",
    "auth switch": "a locally stored profile name, not a server resource (exit 1, listing the stored ones)",
    "batch run": "a local JSONL file",
    "batch resume": "a local ledger file",
    "batch status": "a local ledger file",
    "batch results": "a local ledger file",
    "batch report": "a local ledger file",
    "batch apply": "a local ledger file (its task's conversation is looked up as `apply` does)",
    "batch cancel": "a local ledger file",
    "billing": "no argument",
    "completion": "a shell name (a click choice: exit 2)",
    "conversations list": "no argument",
    "demo": "no argument; runs a local server",
    "github comment": "needs a GitHub token first (exit 4 without one)",
    "help": "a help topic",
    "keys list": "no argument",
    "keys create": "creates a key",
    "list": "no argument",
    "local up": "a local server, no id",
    "local status": "a local server, no id",
    "local logs": "a local server, no id",
    "local down": "a local server, no id",
    "local doctor": "a local server, no id",
    "mcp": "serves on stdio",
    "orgs list": "no argument",
    "run": "starts a conversation (its exits are checked below)",
    "sandboxes list": "no argument",
    "sandboxes prune": "no name: a plan over every sandbox (--idle AGE)",
    "secrets list": "no argument",
    "secrets set": "creates or replaces a secret",
    "settings profiles list": "no argument",
    "settings profiles save": "creates a profile",
    "settings show": "no argument",
    "settings set": "setting assignments",
    "settings llm": "no argument",
    "stats": "no id: a search over a period (--since, --until, --repo)",
    "templates list": "no argument",
    "templates show": "a local template name, not a server resource (exit 1, listing the known ones)",
}


def leaf_commands() -> list[str]:
    found: list[str] = []

    def walk(words: tuple[str, ...], command: click.Command) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk((*words, name), sub)
        else:
            found.append(" ".join(words))

    context = click.Context(cli)
    for name in sorted(COMMANDS):
        command = cli.get_command(context, name)
        assert command is not None, name
        walk((name,), command)
    return found


def test_every_command_is_classified() -> None:
    leaves = set(leaf_commands())
    assert not set(LOOKUPS) & set(EXEMPT)
    assert leaves - set(LOOKUPS) - set(EXEMPT) == set(), "classify the new command(s) in LOOKUPS or EXEMPT"
    assert set(LOOKUPS) | set(EXEMPT) <= leaves, "a listed command no longer exists"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    monkeypatch.setenv("OPENHANDS_BASE_URL", BASE)
    monkeypatch.setenv("OPENHANDS_API_KEY", "sk-test-exit-codes")
    for name in ("OHCTL_ORG", "OHCTL_LOG", "OHCTL_LEGACY", "OHCTL_PROFILE", "GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # run's repository detection sees no checkout
    (tmp_path / "local-file").write_text("x")
    level = logging.getLogger("ohctl").level
    yield
    logging.getLogger("ohctl").setLevel(level)


def serve(monkeypatch: pytest.MonkeyPatch, handler: Callable[[httpx.Request], httpx.Response]) -> None:
    """Every ``ohctl.OpenHands`` the CLI makes talks to ``handler`` and pauses for no real time."""
    real = ohctl.OpenHands

    def make(**kwargs: Any) -> ohctl.OpenHands:
        return real(http_client=httpx.Client(transport=httpx.MockTransport(handler)), sleep=lambda _: None, **kwargs)

    monkeypatch.setattr(ohctl, "OpenHands", make)


def invoke(words: str, args: list[str], tmp_path: Path) -> tuple[int, str]:
    argv = [*words.split(), *[str(tmp_path / "local-file") if a == LOCAL_FILE else a for a in args]]
    runner = CliRunner()
    with runner.isolation() as (_, err, _):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        return code, err.getvalue().decode()


def unknown_everything(request: httpx.Request) -> httpx.Response:
    """A server that knows no conversation, start task, sandbox, secret, profile, key or org."""
    path = request.url.path
    if request.method == "GET" and path in (
        "/api/v1/app-conversations",
        "/api/v1/app-conversations/start-tasks",
        "/api/v1/sandboxes",
    ):
        ids = request.url.params.get_list("ids") or request.url.params.get_list("id")
        return json_response(200, [None] * len(ids))
    return json_response(404, {"detail": "Not Found"})


@pytest.mark.parametrize("words", sorted(LOOKUPS))
def test_an_unknown_id_exits_5_with_one_error_line(words: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    serve(monkeypatch, unknown_everything)
    code, err = invoke(words, LOOKUPS[words], tmp_path)
    assert code == ohctl.ExitCode.NOT_FOUND, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in err, err


def ctrl_c(request: httpx.Request) -> httpx.Response:
    raise KeyboardInterrupt


INTERRUPTIBLE = {**LOOKUPS, "run": ["hello"], "run --wait": ["hello"], "list": [], "sandboxes list": []}


@pytest.mark.parametrize("words", sorted(INTERRUPTIBLE))
def test_ctrl_c_during_a_request_exits_130(words: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    serve(monkeypatch, ctrl_c)
    code, err = invoke(words, INTERRUPTIBLE[words], tmp_path)
    assert code == ohctl.ExitCode.INTERRUPTED == 130, err
    assert "interrupted" in err and "Traceback" not in err, err


def needs_confirmation(request: httpx.Request, seen: dict[str, int]) -> httpx.Response:
    """A conversation that runs, then waits for confirmation of an action (on every later look)."""
    path = request.url.path
    running = {"id": CID, "sandbox_id": "sb", "sandbox_status": "RUNNING", "title": "t"}
    if path.endswith("/stream-start"):
        return json_response(200, [{"id": TASK, "status": "READY", "app_conversation_id": CID}])
    if path.endswith("/send-message"):
        return json_response(200, {"success": True})
    if request.method == "GET" and path == "/api/v1/app-conversations/start-tasks":
        ids = request.url.params.get_list("ids") or request.url.params.get_list("id")
        return json_response(200, [None] * len(ids))
    if request.method == "GET" and path == "/api/v1/app-conversations":
        seen["looks"] = seen.get("looks", 0) + 1
        status = "running" if seen["looks"] <= 2 else "waiting_for_confirmation"
        return json_response(200, [{**running, "execution_status": status}])
    if "search" in path:
        return json_response(200, {"items": [], "next_page_id": None})
    if path.endswith("/count"):
        return json_response(200, 0)
    return json_response(404, {"detail": "Not Found"})


WAITING = {
    "watch --exit-status": [CID],
    "conversations watch --exit-status": [CID],
    "send --wait": [CID, "go on"],
    "run --wait": ["hello"],
}


@pytest.mark.parametrize("words", sorted(WAITING))
def test_a_wait_that_ends_waiting_for_confirmation_exits_7(
    words: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, int] = {}
    serve(monkeypatch, lambda request: needs_confirmation(request, seen))
    # The sandbox's agent server is not part of this fake: send's resume-if-paused step is the library's.
    monkeypatch.setattr(time, "sleep", lambda _: None)  # watch's own pause between looks
    monkeypatch.setattr(Conversations, "ensure_running", lambda *_, **__: types.SimpleNamespace(close=lambda: None))
    code, err = invoke(words, WAITING[words], tmp_path)
    assert code == ohctl.ExitCode.NEEDS_INPUT == 7, err
    assert seen["looks"] >= 3  # it did wait through the running looks


def stalls(request: httpx.Request, seen: dict[str, int]) -> httpx.Response:
    """A conversation that runs on, its last change and its last event an hour old: it has stalled."""
    path = request.url.path
    if request.method == "GET" and path == "/api/v1/app-conversations":
        seen["looks"] = seen.get("looks", 0) + 1
        conv = {"id": CID, "sandbox_id": "sb", "sandbox_status": "RUNNING", "execution_status": "running"}
        return json_response(200, [{**conv, "title": "t", "updated_at": "2026-01-02T03:04:05+00:00"}])
    if path == f"/api/v1/conversation/{CID}/events/search":  # no agent server here: the stored events
        event = {"id": "e1", "kind": "ActionEvent", "source": "agent", "timestamp": "2026-01-02T03:04:05"}
        return json_response(200, {"items": [{**event, "tool_name": "terminal"}], "next_page_id": None})
    return needs_confirmation(request, {})


@pytest.mark.parametrize("words", sorted(WAITING))
def test_a_wait_on_a_stalled_agent_exits_9_naming_its_last_event(
    words: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, int] = {}
    serve(monkeypatch, lambda request: stalls(request, seen))
    monkeypatch.setattr(time, "sleep", lambda _: None)
    monkeypatch.setattr(Conversations, "ensure_running", lambda *_, **__: types.SimpleNamespace(close=lambda: None))
    code, err = invoke(
        words, [*WAITING[words], "--stall-after", "10m"] if "watch" in words else WAITING[words], tmp_path
    )
    assert code == ohctl.ExitCode.STALLED == 9, err
    if "watch" not in words:  # watch prints its status lines on stdout
        assert "ActionEvent (terminal) at 2026-01-02 03:04:05 UTC" in err, err


def test_help_exit_codes_lists_every_code_and_the_commands_that_give_the_outcomes() -> None:
    text = CliRunner().invoke(cli, ["help", "exit-codes"]).output
    for code in ohctl.ExitCode:
        assert f"{int(code):>4}  {code.description}" in text
    assert "ohctl pending ID" in text and "--stall-after" in text
    for command in (
        "run --wait and --follow",
        "approve and reject --wait",
        "watch --exit-status",
        "ohctl apply",
        "--max-cost",
        "run --output-schema",
        "run --attempts N",
    ):
        assert command in text
