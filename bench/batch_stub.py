"""An in-process stand-in for the app server's batch routes (an ``httpx.MockTransport`` handler).

State is real: a start creates a start task (READY after ``start_delay``) and a conversation that
runs for the task's simulated duration, then ends as the message's marker says: ``[fail]`` ->
agent error, ``[input]`` -> waiting for confirmation, else finished (with a cost and tokens);
``[stall]`` -> it runs on forever, its last event an hour old, until its agent is paused (the agent
server's routes for that answer at ``agent_url``); ``[spend]`` -> it runs on, spending ``SPEND_RATE``
tokens a second (a USD cent per 1,000), until its agent is paused; ``[sandbox-fail:N]`` -> the sandbox
of the task's first N tries goes MISSING when it would end, ``[start-fail:N]`` -> the start task of
its first N tries ends in ERROR (a try is told by the ``:retryK`` end of the ledger's title). It counts
every request by route and every start by conversation id, so duplicates show.
``refuse(method, path, body) -> httpx.Response | None`` injects answers (429s...) before a start.
Used by ``bench/batch.py`` and the unit tests of ``ohctl.batch``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import httpx

Refuse = Callable[[str, str, dict[str, Any]], "httpx.Response | None"]


SPEND_RATE = 10_000  # tokens a second of a ``[spend]`` task


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, tz=timezone.utc).isoformat()


class StubAppServer:
    def __init__(
        self,
        duration: Callable[[str], float] = lambda message: 0.05,
        *,
        start_delay: float = 0.0,
        refuse: Refuse | None = None,
        agent_url: str = "http://stub",
    ) -> None:
        self.duration = duration
        self.agent_url = agent_url
        self.stopped: list[str] = []  # conversations whose agent was paused
        self.start_delay = start_delay
        self.refuse = refuse
        self.requests: Counter[str] = Counter()
        self.starts: Counter[str] = Counter()  # conversation id -> start requests that took effect
        self.tasks: dict[str, dict[str, Any]] = {}
        self.paused: list[str] = []
        self.paused_at: dict[str, float] = {}  # when each agent was paused (a spender stops spending)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # -- the simulated world ------------------------------------------------------------
    @staticmethod
    def _fails(task: dict[str, Any], marker: str) -> bool:
        """Whether the ``[marker:N]`` of the task's message fails this try (the first N fail)."""
        found = re.search(rf"\[{marker}:(\d+)\]", json.dumps(task["request"].get("initial_message") or {}))
        if found is None:
            return False
        tried = re.search(r":retry(\d+)$", str(task["request"].get("title") or ""))
        return (int(tried.group(1)) if tried else 0) < int(found.group(1))

    def _task(self, tid: str) -> dict[str, Any]:
        task = self.tasks[tid]
        ready = time.time() >= task["ready_at"]
        if ready and self._fails(task, "start-fail"):
            return {
                "id": tid,
                "status": "ERROR",
                "detail": "stub: the sandbox did not start",
                "app_conversation_id": None,
                "sandbox_id": "sb-" + task["cid"][:8],
                "request": task["request"],
                "created_at": _iso(task["created"]),
                "updated_at": _iso(task["created"]),
            }
        return {
            "id": tid,
            "status": "READY" if ready else "WORKING",
            "app_conversation_id": task["cid"] if ready else None,
            "sandbox_id": "sb-" + task["cid"][:8],
            "request": task["request"],
            "created_at": _iso(task["created"]),
            "updated_at": _iso(task["created"]),
        }

    def _conversation(self, cid: str) -> dict[str, Any] | None:
        task = next((t for t in self.tasks.values() if t["cid"] == cid), None)
        now = time.time()
        if task is None or now < task["ready_at"]:
            return None
        message = json.dumps(task["request"].get("initial_message") or {})
        stalled = "[stall]" in message
        spender = "[spend]" in message
        done = now >= task["ready_at"] + task["duration"] and not stalled and not spender
        metrics = {
            "accumulated_cost": 0.01 if done else 0.0,
            "accumulated_token_usage": {"prompt_tokens": 1000 if done else 0, "completion_tokens": 50},
        }
        if spender:
            tokens = int((self.paused_at.get(cid, now) - task["ready_at"]) * SPEND_RATE)
            metrics = {"accumulated_cost": tokens / 100_000, "accumulated_token_usage": {"prompt_tokens": tokens}}
        end = "error" if "[fail]" in message else "waiting_for_confirmation" if "[input]" in message else "finished"
        if done and self._fails(task, "sandbox-fail"):
            return {
                "id": cid,
                "sandbox_id": "sb-" + cid[:8],
                "title": task["request"].get("title"),
                "metrics": {"accumulated_cost": 0.002, "accumulated_token_usage": {"prompt_tokens": 100}},
                "created_at": _iso(task["ready_at"]),
                "updated_at": _iso(now),
                "sandbox_status": "MISSING",
                "execution_status": None,
            }
        return {
            "id": cid,
            "sandbox_id": "sb-" + cid[:8],
            "title": task["request"].get("title"),
            "pr_number": [7] if done and end == "finished" else [],
            "metrics": metrics,
            "created_at": _iso(task["ready_at"]),
            "updated_at": _iso(task["ready_at"] - 3600 if stalled else now),
            "sandbox_status": "RUNNING",
            "execution_status": end if done else "paused" if cid in self.stopped else "running",
            "conversation_url": f"{self.agent_url}/api/conversations/{cid}",
            "session_api_key": "stub-session-key",
        }

    # -- routes ------------------------------------------------------------------------
    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        method = request.method
        self.requests[f"{method} {path if '/sandboxes/' not in path else '/api/v1/sandboxes/{id}/pause'}"] += 1
        if method == "POST" and path == "/api/v1/app-conversations":
            body = json.loads(request.content)
            refused = self.refuse(method, path, body) if self.refuse else None
            if refused is not None:
                return refused
            cid = uuid.UUID(body.get("conversation_id") or uuid.uuid4().hex).hex
            self.starts[cid] += 1
            tid = uuid.uuid4().hex
            now = time.time()
            duration = self.duration(json.dumps(body.get("initial_message") or {}))
            self.tasks[tid] = {
                "cid": cid,
                "request": body,
                "created": now,
                "ready_at": now + self.start_delay,
                "duration": duration,
            }
            return httpx.Response(200, json=self._task(tid))
        params = request.url.params
        if method == "GET" and path == "/api/v1/app-conversations/start-tasks":
            return httpx.Response(
                200, json=[self._task(t) if t in self.tasks else None for t in params.get_list("ids")]
            )
        if method == "GET" and path == "/api/v1/app-conversations/start-tasks/search":
            since = params.get("created_at__gte")
            floor = datetime.fromisoformat(since).timestamp() if since else 0.0
            items = [self._task(t) for t, v in self.tasks.items() if v["created"] >= floor]
            return httpx.Response(200, json={"items": items, "next_page_id": None})
        if method == "GET" and path == "/api/v1/app-conversations":
            return httpx.Response(200, json=[self._conversation(uuid.UUID(c).hex) for c in params.get_list("ids")])
        if path.startswith("/api/conversations"):
            return self._agent_route(method, path, params)
        if method == "POST" and path.startswith("/api/v1/sandboxes/") and path.endswith("/pause"):
            self.paused.append(path.split("/")[4])
            return httpx.Response(200, json={"success": True})
        return httpx.Response(404, json={"detail": "Not Found"})

    def _agent_route(self, method: str, path: str, params: httpx.QueryParams) -> httpx.Response:
        """The agent server of a ``[stall]`` task: its conversation, its newest event, pause; and a
        finished agent's last message (its finish call: ``Done: <message>``)."""

        def last_active(cid: str) -> float:
            return next(t["ready_at"] for t in self.tasks.values() if t["cid"] == cid) - 3600

        if method == "GET" and path == "/api/conversations":
            ids = [uuid.UUID(c).hex for c in params.get_list("ids")]
            return httpx.Response(200, json=[{"id": c, "updated_at": _iso(last_active(c))} for c in ids])
        cid = uuid.UUID(path.split("/")[3]).hex
        if method == "GET" and path.endswith("/events/search"):
            task = next(t for t in self.tasks.values() if t["cid"] == cid)
            message = (task["request"].get("initial_message") or {}).get("content", [{}])[0].get("text", "")
            if "[stall]" in message:  # its newest event, an hour old
                at = datetime.fromtimestamp(last_active(cid), tz=timezone.utc).replace(tzinfo=None).isoformat()
                event = {"id": "e1", "kind": "ActionEvent", "source": "agent", "timestamp": at, "tool_name": "terminal"}
            else:  # the finish call of an agent that ended
                at = datetime.now(timezone.utc).replace(tzinfo=None).isoformat()
                action = {"kind": "FinishAction", "message": f"Done: {message}"}
                event = {
                    "id": "e2",
                    "kind": "ActionEvent",
                    "source": "agent",
                    "timestamp": at,
                    "tool_name": "finish",
                    "action": action,
                }
            return httpx.Response(200, json={"items": [event], "next_page_id": None})
        if method == "POST" and path.endswith("/pause"):
            self.stopped.append(cid)
            self.paused_at.setdefault(cid, time.time())
            return httpx.Response(200, json={"success": True})
        return httpx.Response(404, json={"detail": "Not Found"})
