"""The MCP server without a network: keys never reach a tool result, arguments are checked before any
request, library errors become tool errors, progress only goes up, and nothing loads the ``mcp``
SDK until a server is made. (The stdio flow against the real app server is tests/peers/test_mcp.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

import ohctl
from ohctl._redact import REDACTED
from ohctl.mcp.tools import Progress
from ohctl.mcp.views import Scrubber, conversation_row, summary_view
from tests.support.helpers import Recorder, json_response

API_KEY = "sk-oh-unit-api-key-4f2a9b"
SESSION_KEY = "session-key-unit-8d3c1e7a"
CID = uuid.uuid4().hex
BUSY = uuid.uuid4().hex  # a conversation whose agent never finishes
SILENT = uuid.uuid4().hex  # a conversation whose agent runs on without an event since January
TASK = uuid.uuid4().hex


def conversation(**changes: Any) -> dict[str, Any]:
    return {
        "id": CID,
        "title": "unit",
        "sandbox_id": None,
        "sandbox_status": "RUNNING",
        "execution_status": "finished",
        "session_api_key": SESSION_KEY,
        "created_at": "2026-01-02T03:04:05Z",
        **changes,
    }


def events() -> list[dict[str, Any]]:
    said = {"role": "user", "content": [{"type": "text", "text": f"my key is {API_KEY}"}]}
    output = {"content": [{"type": "text", "text": f"SESSION_API_KEY={SESSION_KEY}"}]}
    return [
        {"id": "e3", "timestamp": "2026-01-02T03:04:08", "source": "agent", "kind": "ActionEvent",
         "tool_name": "finish", "action": {"message": "done"}},
        {"id": "e2", "timestamp": "2026-01-02T03:04:07", "source": "environment", "kind": "ObservationEvent",
         "tool_name": "terminal", "observation": output},
        {"id": "e1", "timestamp": "2026-01-02T03:04:06", "source": "user", "kind": "MessageEvent",
         "llm_message": said},
        {"id": "e0", "timestamp": "2026-01-02T03:04:05", "source": "agent", "kind": "SystemPromptEvent"},
    ]  # fmt: skip


def app_server(request: httpx.Request) -> httpx.Response:
    """The few app-server routes the tools use, every conversation carrying its session key."""
    path = request.url.path
    if path == "/api/v1/app-conversations/stream-start":
        return json_response(
            200, [{"id": TASK, "status": "WORKING"}, {"id": TASK, "status": "READY", "app_conversation_id": CID}]
        )
    if path == "/api/v1/app-conversations" and request.method == "GET":
        ids = request.url.params.get_list("ids")
        now = datetime.now(timezone.utc).isoformat()  # BUSY's agent is at work: it changed just now
        known = {
            CID: conversation(),
            BUSY: conversation(id=BUSY, execution_status="running", updated_at=now),
            SILENT: conversation(id=SILENT, execution_status="running", updated_at="2026-01-02T03:04:08Z"),
        }
        return json_response(200, [known.get(i) for i in ids])
    if path == f"/api/v1/app-conversations/{CID}" and request.method == "PATCH":
        return json_response(200, conversation(**json.loads(request.content)))
    if path == "/api/v1/app-conversations/search":
        return json_response(200, {"items": [conversation()], "next_page_id": None})
    if path in [f"/api/v1/conversation/{c}/events/search" for c in (CID, BUSY, SILENT)]:
        found = events()
        if request.url.params.get("kind__eq") == "MessageEvent":
            found = [e for e in found if e["kind"] == "MessageEvent"]
        if request.url.params.get("sort_order") != "TIMESTAMP_DESC":
            found = found[::-1]
        return json_response(200, {"items": found, "next_page_id": None})
    if path in [f"/api/v1/conversation/{c}/events/count" for c in (CID, BUSY, SILENT)]:
        return json_response(200, len(events()))
    return json_response(404, {"detail": "Not Found"})


@pytest.fixture
async def mcp_client() -> AsyncIterator[tuple[Client, Recorder]]:
    from ohctl.mcp import create_server

    recorder = Recorder(app_server)
    # Real sleeps (the helpers' client skips them): a wait polls at its own pace, not in a tight loop.
    transport = httpx.MockTransport(recorder)
    client = ohctl.AsyncOpenHands(
        base_url="http://127.0.0.1:9", api_key=API_KEY, http_client=httpx.AsyncClient(transport=transport)
    )
    async with client, Client(create_server(client)) as connected:
        yield connected, recorder


async def call(client: Client, name: str, arguments: dict[str, Any]) -> tuple[bool, str]:
    result = await client.call_tool(name, arguments)
    return bool(result.is_error), result.model_dump_json()


@pytest.mark.anyio
async def test_no_key_in_any_tool_result(mcp_client: tuple[Client, Recorder]) -> None:
    client, _ = mcp_client
    calls = [
        ("start_task", {"message": "Fix it", "title": "unit"}),
        ("start_task", {"message": "Fix it", "wait": True, "timeout": 30}),
        ("get_conversation", {"conversation_id": CID}),
        ("wait_for_conversation", {"conversation_id": CID, "timeout": 30}),
        ("recent_events", {"conversation_id": CID, "limit": 10}),
        ("recent_events", {"conversation_id": CID, "everything": True}),
        ("list_conversations", {"limit": 5}),
        ("get_diff", {"conversation_id": CID}),  # fails (no agent server here): the error is scanned too
    ]
    results = [await call(client, name, args) for name, args in calls]
    assert [failed for failed, _ in results] == [False] * 7 + [True], results
    for (name, _), (_, text) in zip(calls, results, strict=True):
        assert API_KEY not in text and SESSION_KEY not in text, f"{name} showed a key: {text}"
        assert "session_api_key" not in text, name
    # The keys were in the server's answers (events): the scan above is not vacuous.
    assert REDACTED in results[2][1]
    shown = json.loads(results[4][1])
    texts = [e["text"] for e in shown["structured_content"]["events"]]
    assert texts == [f"my key is {REDACTED}", f"SESSION_API_KEY={REDACTED}", "finish: done"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "arguments", "says"),
    [
        ("get_conversation", {"conversation_id": "nope"}, "at least 32"),
        ("get_conversation", {"conversation_id": "z" * 32}, "not a valid conversation id"),
        ("get_conversation", {}, "required"),
        ("list_conversations", {"limit": 0}, "greater than or equal to 1"),
        ("list_conversations", {"limit": 101}, "less than or equal to 100"),
        ("start_task", {"message": ""}, "at least 1"),
        ("start_task", {"message": "   "}, "task message is empty"),
        ("start_task", {"message": "go", "repository": "noslash"}, "not owner/name"),
        ("start_task", {"message": "go", "timeout": 0}, "greater than 0"),
        ("wait_for_conversation", {"conversation_id": CID, "timeout": -1}, "greater than 0"),
        ("recent_events", {"conversation_id": CID, "limit": 1000}, "less than or equal to 100"),
        ("send_message", {"conversation_id": CID, "message": " "}, "message is empty"),
        ("get_diff", {"conversation_id": CID, "max_chars": 10}, "greater than or equal to 1000"),
        ("get_patch", {"conversation_id": CID, "max_chars": 10}, "greater than or equal to 1000"),
    ],
)
async def test_arguments_are_checked_before_any_request(
    mcp_client: tuple[Client, Recorder], name: str, arguments: dict[str, Any], says: str
) -> None:
    client, recorder = mcp_client
    failed, text = await call(client, name, arguments)
    assert failed and says in text, text
    assert "Traceback" not in text
    assert recorder.requests == []


@pytest.mark.anyio
async def test_library_errors_become_tool_errors_with_their_advice(mcp_client: tuple[Client, Recorder]) -> None:
    client, recorder = mcp_client
    other = uuid.uuid4().hex
    failed, text = await call(client, "get_conversation", {"conversation_id": other})
    assert failed and f"Conversation {other} not found" in text and "Traceback" not in text
    assert recorder.requests  # this one did reach the server


@pytest.mark.anyio
async def test_a_wait_is_bounded_by_its_timeout(mcp_client: tuple[Client, Recorder]) -> None:
    client, _ = mcp_client
    result = await client.call_tool("wait_for_conversation", {"conversation_id": BUSY, "timeout": 0.5})
    assert not result.is_error and result.structured_content is not None, result.content
    found = result.structured_content
    assert found["outcome"] == "timed_out" and found["status"] == "running"
    assert "call wait_for_conversation again" in found["note"] and found["waited_seconds"] < 5


@pytest.mark.anyio
async def test_a_wait_on_a_stalled_agent_says_when_it_last_did_something(mcp_client: tuple[Client, Recorder]) -> None:
    client, _ = mcp_client
    arguments = {"conversation_id": SILENT, "timeout": 30, "stall_after_seconds": 600}
    result = await client.call_tool("wait_for_conversation", arguments)
    assert not result.is_error and result.structured_content is not None, result.content
    found = result.structured_content
    assert found["outcome"] == "stalled" and found["status"] == "running"
    assert "ActionEvent (finish) at 2026-01-02 03:04:08 UTC" in found["note"], found["note"]


def test_the_views_copy_no_key_field() -> None:
    conv = ohctl.types.AppConversation.model_validate(
        conversation(conversation_url=f"http://sandbox:1/api/conversations/{CID}?key={SESSION_KEY}")
    )
    row = json.dumps(conversation_row(conv, "http://127.0.0.1:9"))
    assert SESSION_KEY not in row and "sandbox:1" not in row
    summary = ohctl.types.ConversationSummary(id=conv.id, last_agent_message="done")
    assert summary_view(summary, "http://h")["url"] == f"http://h/conversations/{CID}"


def test_the_scrubber_replaces_known_keys_everywhere() -> None:
    scrub = Scrubber([API_KEY, None, "short"])
    scrub.add(SESSION_KEY)
    data = {"a": [f"x{API_KEY}y", {SESSION_KEY: 1}], "n": 3, "t": ("short",)}
    assert scrub(data) == {"a": [f"x{REDACTED}y", {REDACTED: 1}], "n": 3, "t": ["short"]}
    assert API_KEY not in repr(scrub) and SESSION_KEY not in repr(scrub)
    assert Scrubber()(data) is data


@pytest.mark.anyio
async def test_progress_only_goes_up() -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def report(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    progress = Progress(report, total=0.3)
    for word in ("a", "b", "c", "d", "e"):
        await progress(word)
    steps = [s[0] for s in seen]
    assert steps == sorted(set(steps)) and steps[-1] == 0.3 and len(seen) == 4  # capped at the total
    assert all(total == 0.3 for _, total, _ in seen)


def test_neither_import_nor_help_loads_the_sdk() -> None:
    code = (
        "import sys, contextlib, io, ohctl, ohctl.mcp\n"
        "from ohctl.cli.main import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    for args in (['--help'], ['mcp', '--help']):\n"
        "        try: cli.main(args, standalone_mode=False)\n"
        "        except SystemExit: pass\n"
        "print(','.join(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"the mcp SDK was imported: {out}"


def test_a_missing_key_for_the_cloud_fails_before_serving(tmp_path: Path) -> None:
    """No key for the hosted Cloud: ``ohctl mcp`` exits at once with the hint, instead of serving tools
    that would all fail."""
    env = {"OHCTL_CONFIG_DIR": str(tmp_path / "config"), "OHCTL_KEYRING": "0", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "ohctl", "mcp"], env=env, input="", capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 4, result  # the documented exit code for auth problems
    assert "No API key" in result.stderr and "ohctl auth login" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_without_the_sdk_the_command_says_what_to_install(tmp_path: Path) -> None:
    code = "import sys; sys.modules['mcp'] = None\nfrom ohctl.cli.main import main\nmain(['mcp'])"
    env = {"OHCTL_CONFIG_DIR": str(tmp_path), "OHCTL_KEYRING": "0", "OPENHANDS_BASE_URL": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-c", code], env=env, input="", capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result
    assert "pip install 'ohctl[mcp]'" in result.stderr and "Traceback" not in result.stderr


def test_recent_events_are_oldest_first_by_time() -> None:
    """The agent server lists a step's state update (stamped at the step's start) after its output."""
    from ohctl.mcp.views import oldest_first

    stored = [
        {"id": "action", "timestamp": "2026-12-06T01:00:00.100"},
        {"id": "output", "timestamp": "2026-12-06T01:00:01.000"},
        {"id": "state", "timestamp": "2026-12-06T01:00:00.200"},
        {"id": "same-a", "timestamp": "2026-12-06T01:00:02.000"},
        {"id": "same-b", "timestamp": "2026-12-06T01:00:02.000"},
    ]
    assert [v["id"] for v in oldest_first(stored)] == ["action", "state", "output", "same-a", "same-b"]
