"""``ohctl mcp`` as another agent sees it: the MCP SDK's own client spawns the server over stdio (a
real subprocess, credentials from the environment) and delegates a task to the suite's real app
server: list the tools, start and wait with progress, read the summary, events and diff, send a
follow-up and cancel the wait on it, wait again; supervise an agent in confirmation mode (see what it
waits to do, approve it). No key may appear in any result, progress message
or the server's debug log."""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

import ohctl
from tests.support.scripted_llm import FINISH_MESSAGE, command_marker

pytestmark = pytest.mark.anyio

API_KEY = "ohctl-mcp-test-api-key-7c1d9e"  # the local server accepts any bearer key: it must never be shown
TOOLS = {
    "start_task",
    "get_conversation",
    "wait_for_conversation",
    "recent_events",
    "send_message",
    "get_diff",
    "get_patch",
    "list_conversations",
    "pending_actions",
    "approve_actions",
    "reject_actions",
}
# Each run writes a line and sleeps past one progress interval, so a wait sees the agent running.
COMMAND = "echo mcp-was-here >> mcp_note.txt; sleep 5"


class Recorder:
    """Every tool result and progress message, for the key scan at the end."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.seen: list[str] = []
        self.progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(self, done: float, total: float | None, message: str | None) -> None:
        self.progress.append((done, total, message))
        self.seen.append(message or "")

    async def call(self, name: str, arguments: dict[str, Any], *, error: bool = False, **kw: Any) -> Any:
        result = await self.session.call_tool(name, arguments, **kw)
        self.seen.append(result.model_dump_json())
        text = " ".join(getattr(c, "text", "") for c in result.content)
        assert result.is_error == error, f"{name}: {text}"
        if error:
            return text
        assert result.structured_content is not None
        return result.structured_content


@asynccontextmanager
async def served(base_url: str, tmp_path: Path) -> AsyncIterator[tuple[Recorder, Path]]:
    """``python -m ohctl mcp`` on stdio, with only the environment a user's MCP config would give it
    (plus a config dir and keyring of its own); the SDK's client ends the process on exit."""
    log = tmp_path / "server-stderr.log"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "ohctl", "mcp"],
        env={
            "OPENHANDS_BASE_URL": base_url,
            "OPENHANDS_API_KEY": API_KEY,
            "OHCTL_CONFIG_DIR": str(tmp_path / "config"),
            "OHCTL_KEYRING": "0",
            "OHCTL_LOG": "debug",
        },
    )
    with log.open("w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield Recorder(session), log


async def test_delegate_a_task_over_stdio(base_url: str, client: ohctl.OpenHands, tmp_path: Path) -> None:
    began = time.monotonic()
    async with served(base_url, tmp_path) as (mcp, log):
        listed = (await mcp.session.list_tools()).tools
        assert {t.name for t in listed} == TOOLS
        for tool in listed:
            assert tool.description and tool.input_schema["type"] == "object", tool.name
        start_schema = next(t for t in listed if t.name == "start_task").input_schema
        assert start_schema["required"] == ["message"]
        assert {"repository", "branch", "title", "wait", "timeout"} <= set(start_schema["properties"])

        # Start, and wait for the outcome, with progress.
        task = f"Leave a note {command_marker(COMMAND)}"
        title = f"ohctl mcp {uuid.uuid4().hex[:8]}"
        args = {"message": task, "title": title, "wait": True, "timeout": 240}
        done = await mcp.call("start_task", args, progress_callback=mcp.on_progress)
        cid = done["conversation_id"]
        assert done["outcome"] == "finished" and done["status"] == "finished"
        assert done["title"] == title and done["url"].endswith(f"/conversations/{cid}")
        assert done["last_agent_message"] == FINISH_MESSAGE
        steps = [p[0] for p in mcp.progress]
        assert steps == sorted(steps) and len(set(steps)) == len(steps), mcp.progress  # always increasing
        messages = [p[2] or "" for p in mcp.progress]
        assert {"starting: READY", "waiting for the agent"} <= set(messages), messages
        assert all(total == 240 for _, total, _ in mcp.progress)

        summary = await mcp.call("get_conversation", {"conversation_id": cid})
        assert summary["outcome"] == "finished" and summary["first_user_message"] == task
        assert summary["event_count"] > 0 and summary["model"]

        recent = await mcp.call("recent_events", {"conversation_id": cid, "limit": 30})
        events = recent["events"]
        assert 0 < len(events) <= 30 and recent["source"] == "agent server"
        with client.conversations.agent(cid) as agent:  # the same events, oldest first, bookkeeping left out
            newest = agent.events.search(cid, sort_order="TIMESTAMP_DESC", limit=100)
            chosen = [e for e in newest if e.kind not in ("SystemPromptEvent", "TokenEvent")][:30][::-1]
        # Oldest first by time: the agent server stores a step's state update after its output.
        assert [e["id"] for e in events] == [e.id for e in sorted(chosen, key=lambda e: e.timestamp or "")]
        stamps = [e["timestamp"] for e in events]
        assert stamps == sorted(stamps)
        assert any(e["kind"] == "ActionEvent" and e["text"].startswith(f"$ {COMMAND}") for e in events), events
        assert not any(e["kind"] == "SystemPromptEvent" for e in events)
        assert len((await mcp.call("recent_events", {"conversation_id": cid, "limit": 2}))["events"]) == 2

        # A follow-up (carrying the session key, which every result must hide); cancel the wait on it
        # while the agent runs: the agent goes on.
        session_key = client.conversations.retrieve(cid).session_api_key
        assert session_key, "the scan needs the conversation's session key"
        cancelled = anyio.Event()

        async def cancel_when_running(done: float, total: float | None, message: str | None) -> None:
            await mcp.on_progress(done, total, message)
            if (message or "").startswith("running after"):
                cancelled.set()

        async with anyio.create_task_group() as group:

            async def follow_up() -> None:
                args = {"conversation_id": cid, "message": f"Once more, {session_key}", "wait": True, "timeout": 120}
                await mcp.call("send_message", args, progress_callback=cancel_when_running)

            group.start_soon(follow_up)
            with anyio.move_on_after(120):
                await cancelled.wait()
            group.cancel_scope.cancel()
        assert cancelled.is_set(), f"no progress while the agent ran: {mcp.progress}"
        with anyio.fail_after(20):  # the server's handler saw the cancel (its log says so)
            while "cancelled by the MCP client" not in log.read_text():
                await anyio.sleep(0.2)
        waited = await mcp.call("wait_for_conversation", {"conversation_id": cid, "timeout": 120})
        assert waited["outcome"] == "finished" and waited["event_count"] > summary["event_count"]
        said = [e["text"] for e in (await mcp.call("recent_events", {"conversation_id": cid}))["events"]]
        assert "Once more, <redacted>" in said, said

        # (The process sandbox's untracked agent-server log makes the diff long: it shows the cap too.)
        stat = await mcp.call("get_diff", {"conversation_id": cid, "stat": True})
        assert "mcp_note.txt" in stat["diff"] and not stat["truncated"], stat
        diff = await mcp.call("get_diff", {"conversation_id": cid, "max_chars": 500000})
        assert "+mcp-was-here" in diff["diff"] and not diff["truncated"], diff["total_chars"]
        short = await mcp.call("get_diff", {"conversation_id": cid, "max_chars": 1000})
        assert len(short["diff"]) == 1000 and short["truncated"] and short["total_chars"] > 1000
        assert "stat=true" in short["note"]
        patched = await mcp.call("get_patch", {"conversation_id": cid, "max_chars": 500000})
        assert "mcp_note.txt" in [f["path"] for f in patched["files"]], patched["files"]
        assert ".openhands-agent-server.log" not in patched["patch"] and "+mcp-was-here" in patched["patch"]

        mine = (await mcp.call("list_conversations", {"limit": 5, "title_contains": title}))["conversations"]
        assert [r["conversation_id"] for r in mine] == [cid] and mine[0]["status"] == "finished"
        rows = (await mcp.call("list_conversations", {"limit": 5}))["conversations"]
        assert 0 < len(rows) <= 5
        assert [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)

        # Supervision: an agent started in confirmation mode waits; the pending action is read,
        # approved, and the agent runs it to the end; nothing is left to answer then.
        args = {"message": "Say hello", "confirm": "always", "wait": True, "timeout": 240}
        held = await mcp.call("start_task", args)
        sid = held["conversation_id"]
        assert held["outcome"] == "needs_input" and "pending_actions" in held["note"], held
        waiting = await mcp.call("pending_actions", {"conversation_id": sid})
        assert waiting["count"] == 1, waiting
        assert (waiting["pending"][0]["command"], waiting["pending"][0]["tool"]) == (
            "echo hello from ohctl",
            "terminal",
        )
        approved = await mcp.call("approve_actions", {"conversation_id": sid, "wait": True, "timeout": 180})
        assert approved["outcome"] == "finished" and approved["accepted"] is True, approved
        assert [a["command"] for a in approved["answered"]] == ["echo hello from ohctl"]
        assert (await mcp.call("pending_actions", {"conversation_id": sid}))["count"] == 0
        refused = await mcp.call("reject_actions", {"conversation_id": sid, "reason": "not that"}, error=True)
        assert "not waiting for confirmation" in refused and "Traceback" not in refused

        # Failures are tool errors with the library's advice, not tracebacks.
        missing = await mcp.call("get_conversation", {"conversation_id": "0" * 32}, error=True)
        assert "not found" in missing and "Traceback" not in missing
        assert "at least 1" in await mcp.call("start_task", {"message": ""}, error=True)

        server_log = log.read_text()
    seconds = time.monotonic() - began
    print(f"\nMCP delegation over stdio: {seconds:.1f}s wall")

    for secret in (API_KEY, session_key):
        leaks = [text[:200] for text in mcp.seen if secret in text]
        assert not leaks, f"a key appeared in tool results: {leaks}"
        assert secret not in server_log, "a key appeared in the server's log"
    assert "GET" in server_log  # the debug log was on: the scan above read real request lines
