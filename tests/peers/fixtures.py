"""Session fixtures: ONE real app server (process sandboxes, scripted LLM) and ONE shared sandbox,
for the real-server suite and the command line's tests alike (a plugin that tests/conftest.py loads,
so that one pytest run of tests/cli and tests/peers starts each server once).

The peer suite never skips silently: when the servers are not installed it fails, unless
OHCTL_SKIP_PEERS=1 is set, and then every test reports that reason.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

import ohctl
from tests.peers.harness import Peer, PeerUnavailable, start_agent_server, start_app_server
from tests.peers.scripted_llm import ScriptedLLM

T = TypeVar("T")


# Development only: OHCTL_PEER_REUSE=<file written by `python -m tests.peers.serve`> points the suite
# at an app server and scripted LLM that are already running (several people testing on two cores
# share one). CI never sets it: there each session starts and stops its own servers.
REUSE = os.environ.get("OHCTL_PEER_REUSE")


# For tests that count what the whole server created during the test: on a shared server, other
# people's runs would be counted too (and their sandboxes cleaned up).
needs_own_server = pytest.mark.skipif(
    bool(REUSE), reason="counts everything the server creates: needs a server of its own (not OHCTL_PEER_REUSE)"
)


def _reused() -> dict[str, str]:
    import json
    from pathlib import Path

    assert REUSE is not None
    return dict(json.loads(Path(REUSE).read_text()))


@pytest.fixture(scope="session")
def llm() -> Iterator[ScriptedLLM]:
    if REUSE:
        reused = ScriptedLLM()
        reused.port = int(_reused()["llm_port"])
        yield reused
        return
    server = ScriptedLLM().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_server(llm: ScriptedLLM) -> Iterator[Peer]:
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    if REUSE:
        from pathlib import Path

        info = _reused()
        yield Peer("app-server", run_id=info["run_id"], workdir=Path(info["workdir"]), port=int(info["port"]))
        return
    try:
        peer = start_app_server(llm.base_url)
    except PeerUnavailable as exc:
        pytest.fail(f"The real OpenHands app server is unavailable: {exc}", pytrace=False)
    yield peer
    killed = peer.stop()
    print(f"\napp server stopped; {len(killed)} processes ended")


@pytest.fixture(scope="session")
def base_url(app_server: Peer) -> str:
    return app_server.base_url


@pytest.fixture
def client(base_url: str) -> Iterator[ohctl.OpenHands]:
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as c:
        yield c


@pytest.fixture
async def aclient(base_url: str) -> Any:
    async with ohctl.AsyncOpenHands(base_url=base_url, max_retries=4) as c:
        yield c


@dataclass
class Shared:
    """A conversation run to finished by the scripted LLM, whose sandbox the suite reuses."""

    conversation: ohctl.types.AppConversation
    start_seconds: float

    @property
    def id(self) -> ohctl.ConversationId:
        return self.conversation.id

    @property
    def sandbox_id(self) -> str:
        assert self.conversation.sandbox_id
        return self.conversation.sandbox_id


LONG_STEPS = 12


@pytest.fixture(scope="session")
def shared(base_url: str) -> Shared:
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as c:
        started = time.monotonic()
        conv = c.conversations.start(
            f"Print twelve lines [ohctl:long:{LONG_STEPS}]", title="ohctl shared", wait="finished", timeout=300
        )
        seconds = time.monotonic() - started
        # The app server stores events from webhook batches that trail the agent (up to ~30 s): wait
        # until its store holds every event the agent server has, so tests that compare counts with
        # what they read see a settled store.
        with c.conversations.agent(conv.id) as agent:
            live = agent.events.count(conv.id)
        eventually(lambda: c.events.count(conv.id) >= live, timeout=90, what=f"{live} events stored")
        return Shared(conv, seconds)


def eventually(check: Callable[[], T | None], *, timeout: float = 60.0, interval: float = 1.0, what: str = "") -> T:
    """Poll ``check`` until it returns a truthy value (app-server events arrive in webhook batches)."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout}s: {what} (last: {last!r})")


AGENT_KEY = "ohctl-test-session-key"


@pytest.fixture(scope="session")
def agent_peer() -> Iterator[Peer]:
    """The latest standalone agent server (not the one the app server's sandboxes run)."""
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    try:
        peer = start_agent_server(AGENT_KEY)
    except PeerUnavailable as exc:
        pytest.fail(f"The real OpenHands agent server is unavailable: {exc}", pytrace=False)
    yield peer
    killed = peer.stop()
    print(f"\nagent server stopped; {len(killed)} processes ended")


@pytest.fixture
def agent(agent_peer: Peer) -> Iterator[ohctl.AgentServer]:
    with ohctl.AgentServer(agent_peer.base_url, AGENT_KEY) as a:
        yield a


@pytest.fixture
async def aagent(agent_peer: Peer) -> Any:
    async with ohctl.AsyncAgentServer(agent_peer.base_url, AGENT_KEY) as a:
        yield a


def scripted_llm_settings(llm: ScriptedLLM) -> dict[str, str]:
    return {"model": "openai/scripted", "base_url": llm.base_url, "api_key": "x"}
