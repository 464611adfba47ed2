"""Session fixtures: ONE real app server (process sandboxes, scripted LLM) and ONE shared sandbox,
for the real-server suite and the command line's tests alike (a plugin that tests/conftest.py loads,
so that one pytest run of tests/cli and tests/peers starts each server once). What tests import by
name (``Shared``, ``eventually``, ...) is in ``peer_suite``.

The peer suite never skips silently: when the servers are not installed it fails, unless
OHCTL_SKIP_PEERS=1 is set, and then every test reports that reason.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

import ohctl
from tests.support.harness import Peer, PeerUnavailable, start_agent_server, start_app_server
from tests.support.peer_suite import AGENT_KEY, LONG_STEPS, REUSE, Shared, eventually
from tests.support.scripted_llm import ScriptedLLM


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
