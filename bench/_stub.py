"""A fast stand-in for the app server's hot routes, for the performance measures only.

It answers from precomputed bytes over a raw asyncio HTTP/1.1 keep-alive loop, in its own process, so
that the client under test (not the server) is what a measure sees. The shapes are the real server's
(``users_me.json`` was read from a real app server 1.11.0; events and conversations follow its OpenAPI
document). Run it as ``python bench/_stub.py PORT_FILE``: it writes its port there and serves until killed.

Routes:
- ``GET /api/v1/users/me``
- ``GET /api/v1/conversation/{id}/events/search?page_id=&limit=``: the id's last 12 digits are the
  conversation's event count (``...000000010000`` has 10,000 events), pages of ``limit`` events
- ``GET /api/v1/app-conversations?ids=...``: one running conversation per id asked
- ``GET /api/v1/app-conversations/{id}/download``: the id's last 12 digits are the size in MiB
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).resolve().parent / "data"
CHUNK = b"\0" * (1024 * 1024)


def _usage(prompt: int, completion: int) -> dict[str, object]:
    return {
        "model": "openai/gpt-5",
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "reasoning_tokens": 0,
        "context_window": 0,
        "per_turn_token": prompt + completion,
        "response_id": "",
    }


def event(n: int) -> dict[str, object]:
    """A realistic event: the kinds and sizes of a coding run, each with every field a real app server
    1.11 sends for it (copied from a recorded run: null and empty fields included)."""
    base: dict[str, object] = {
        "id": str(uuid.UUID(int=n + 1)),
        "timestamp": f"2026-11-29T10:{n // 6000 % 60:02d}:{n // 100 % 60:02d}.{n % 1000000:06d}",
        "source": "agent",
        "parent_id": str(uuid.UUID(int=n)) if n else None,
    }
    kind = n % 4
    if kind == 0:
        text = f"Step {n}: I will look at the repository layout and run the tests to see what fails. " * 3
        return base | {
            "source": "user" if n % 40 == 0 else "agent",
            "llm_message": {
                "role": "user" if n % 40 == 0 else "assistant",
                "content": [{"cache_prompt": False, "type": "text", "text": text}],
                "tool_calls": None,
                "tool_call_id": None,
                "name": None,
                "reasoning_content": None,
                "thinking_blocks": [],
                "responses_reasoning_item": None,
            },
            "llm_response_id": None if n % 40 == 0 else f"chatcmpl-{n:012x}",
            "activated_skills": [],
            "extended_content": [],
            "sender": None,
            "critic_result": None,
            "kind": "MessageEvent",
        }
    if kind == 1:
        command = f"pytest -q tests/test_{n}.py"
        return base | {
            "thought": [{"cache_prompt": False, "type": "text", "text": "Let me run the tests to check the change."}],
            "reasoning_content": None,
            "thinking_blocks": [],
            "responses_reasoning_item": None,
            "action": {
                "command": command,
                "is_input": False,
                "timeout": None,
                "reset": False,
                "kind": "TerminalAction",
            },
            "tool_name": "terminal",
            "tool_call_id": f"call_{n:016x}",
            "tool_call": {
                "id": f"call_{n:016x}",
                "responses_item_id": None,
                "name": "terminal",
                "arguments": json.dumps({"command": command, "summary": "run the tests", "security_risk": "LOW"}),
                "origin": "completion",
            },
            "llm_response_id": f"chatcmpl-{n:012x}",
            "security_risk": "LOW",
            "critic_result": None,
            "summary": "run the tests",
            "kind": "ActionEvent",
        }
    if kind == 2:
        command = f"pytest -q tests/test_{n - 1}.py"
        output = "".join(f"tests/test_{n}.py::test_case_{i} PASSED\n" for i in range(12))
        return base | {
            "source": "environment",
            "tool_name": "terminal",
            "tool_call_id": f"call_{n - 1:016x}",
            "observation": {
                "content": [{"cache_prompt": False, "type": "text", "text": output}],
                "is_error": False,
                "command": command,
                "exit_code": 0,
                "timeout": False,
                "metadata": {
                    "exit_code": 0,
                    "pid": -1,
                    "username": "openhands",
                    "hostname": "sandbox",
                    "working_dir": "/workspace/project",
                    "py_interpreter_path": "/usr/bin/python",
                    "prefix": "",
                    "suffix": "\n[The command completed with exit code 0.]",
                },
                "full_output_save_dir": "workspace/conversations/observations",
                "kind": "TerminalObservation",
            },
            "action_id": str(uuid.UUID(int=n)),
            "extended_content": [],
            "kind": "ObservationEvent",
        }
    if n % 8 == 7:
        state = {"key": "execution_status", "value": "running", "kind": "ConversationStateUpdateEvent"}
        return base | {"source": "environment"} | state
    metrics = {"model_name": "openai/gpt-5", "accumulated_cost": n * 0.001, "max_budget_per_task": None}
    return base | {
        "source": "environment",
        "key": "stats",
        "value": {
            "usage_to_metrics": {
                "agent": metrics | {"accumulated_token_usage": _usage(100 * n, 10 * n)},
                "condenser": metrics | {"accumulated_cost": 0.0, "accumulated_token_usage": _usage(0, 0)},
            }
        },
        "kind": "ConversationStateUpdateEvent",
    }


def conversation(cid: str) -> dict[str, object]:
    return {
        "id": cid,
        "created_by_user_id": None,
        "sandbox_id": "sb" + cid[:8],
        "selected_repository": "octo/hello",
        "selected_branch": "main",
        "git_provider": "github",
        "title": f"Task {cid[:8]}",
        "trigger": "gui",
        "pr_number": [],
        "llm_model": "openai/scripted",
        "agent_kind": "openhands",
        "metrics": {"accumulated_cost": 0.12, "accumulated_token_usage": {"prompt_tokens": 1200}},
        "parent_conversation_id": None,
        "sub_conversation_ids": [],
        "public": False,
        "tags": {},
        "created_at": "2026-11-29T10:00:00Z",
        "updated_at": "2026-11-29T10:01:00Z",
        "sandbox_status": "RUNNING",
        "execution_status": "running",
        "conversation_url": f"http://127.0.0.1/api/conversations/{cid}",
        "session_api_key": "stub-session-key",
        "acp_server": None,
        "launched_agent_profile": None,
    }


class Pages:
    """Event pages built once per (count, page, size) and kept: the stub must not be the bottleneck."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, int, int], bytes] = {}

    def get(self, count: int, page: int, size: int) -> bytes:
        key = (count, page, size)
        if key not in self.cache:
            start = page * size
            items = [event(n) for n in range(start, min(start + size, count))]
            next_id = str(page + 1) if start + size < count else None
            self.cache[key] = json.dumps({"items": items, "next_page_id": next_id}).encode()
        return self.cache[key]


PAGES = Pages()
ME = (DATA / "users_me.json").read_bytes()


def head(status: str, length: int, content_type: str = "application/json") -> bytes:
    return f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\n\r\n".encode()


def answer(target: str) -> tuple[bytes, int]:
    """The response head and body for ``target``; a download answers its head and a size in MiB."""
    parts = urlsplit(target)
    path, query = parts.path, parse_qs(parts.query)
    if path == "/api/v1/users/me":
        return head("200 OK", len(ME)) + ME, 0
    if path.startswith("/api/v1/conversation/") and path.endswith("/events/search"):
        cid = path.split("/")[4]
        size = int(query.get("limit", ["100"])[0])
        page = int(query.get("page_id", ["0"])[0])
        body = PAGES.get(int(cid[-12:]), page, size)
        return head("200 OK", len(body)) + body, 0
    if path == "/api/v1/app-conversations":
        body = json.dumps([conversation(cid) for cid in query.get("ids", [])]).encode()
        return head("200 OK", len(body)) + body, 0
    if path.startswith("/api/v1/app-conversations/") and path.endswith("/download"):
        mib = int(path.split("/")[4][-12:])
        return head("200 OK", mib * len(CHUNK), "application/zip"), mib
    body = b'{"detail":"Not Found"}'
    return head("404 Not Found", len(body)) + body, 0


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            target = request.split(b" ", 2)[1].decode()
            data, mib = answer(target)
            writer.write(data)
            for _ in range(mib):
                writer.write(CHUNK)
                await writer.drain()
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port_file: Path) -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", 0, limit=1 << 20)
    port = server.sockets[0].getsockname()[1]
    port_file.write_text(str(port))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
