"""A title change returns as soon as the app server has it: the agent server, which holds a title PATCH
while the agent's step runs (20 s measured against the real server), gets it in the background, and
closing the client lets it land. Here the agent server's PATCH is held until the test releases it."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest

import ohctl
from tests.support.helpers import conversation

CID = "c" * 32
AGENT = "http://127.0.0.1:8001"
HOLD = 10.0  # the longest a held PATCH waits for the test to release it


class Servers:
    """The app server answers a PATCH at once with a running conversation on AGENT; the agent
    server holds its title PATCH until ``release`` is set (a step in progress)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.answered = threading.Event()
        self.app: list[str] = []
        self.agent: list[dict[str, Any]] = []

    def app_answer(self, request: httpx.Request) -> httpx.Response:
        self.app.append(f"{request.method} {request.url.path}")
        conv = conversation(CID, "RUNNING", "running")
        conv.update(
            title=json.loads(request.content)["title"],
            conversation_url=f"{AGENT}/api/conversations/{CID}",
            session_api_key="session-key-1",
        )
        return httpx.Response(200, json=conv)

    def agent_seen(self, request: httpx.Request) -> None:
        self.agent.append(
            {"path": request.url.path, "body": json.loads(request.content), "key": request.headers["x-session-api-key"]}
        )

    def agent_answer(self) -> httpx.Response:
        self.answered.set()
        return httpx.Response(200, json={"id": CID, "title": self.agent[-1]["body"]["title"]})

    def sync_handler(self, request: httpx.Request) -> httpx.Response:
        if not str(request.url).startswith(AGENT):
            return self.app_answer(request)
        self.agent_seen(request)
        self.release.wait(HOLD)
        return self.agent_answer()

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        if not str(request.url).startswith(AGENT):
            return self.app_answer(request)
        self.agent_seen(request)
        for _ in range(int(HOLD * 100)):
            if self.release.is_set():
                break
            await asyncio.sleep(0.01)
        return self.agent_answer()


def test_update_returns_before_the_agent_server_takes_the_title() -> None:
    servers = Servers()
    transport = httpx.MockTransport(servers.sync_handler)
    client = ohctl.OpenHands(base_url="http://127.0.0.1:9", api_key="k", http_client=httpx.Client(transport=transport))
    updated = client.conversations.update(CID, title="My title")
    # It returned while the agent server still holds its PATCH: the step has not ended.
    assert not servers.release.is_set() and not servers.answered.is_set()
    assert updated.title == "My title" and servers.app == [f"PATCH /api/v1/app-conversations/{CID}"]
    servers.release.set()  # the step ends
    client.close()  # lets the background PATCH land
    assert servers.answered.is_set()
    assert servers.agent == [
        {"path": f"/api/conversations/{CID}", "body": {"title": "My title"}, "key": "session-key-1"}
    ]


@pytest.mark.anyio
async def test_the_async_client_sets_it_in_the_background_too() -> None:
    servers = Servers()
    transport = httpx.MockTransport(servers.async_handler)
    client = ohctl.AsyncOpenHands(
        base_url="http://127.0.0.1:9", api_key="k", http_client=httpx.AsyncClient(transport=transport)
    )
    updated = await client.conversations.update(CID, title="Async title")
    assert updated.title == "Async title" and not servers.answered.is_set()
    servers.release.set()
    await client.close()
    assert servers.answered.is_set()
    assert [seen["body"] for seen in servers.agent] == [{"title": "Async title"}]
