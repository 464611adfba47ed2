"""Live events from the REAL agent server's WebSocket: order, resume after dropped connections,
fatal close codes, and the REST-polling fallback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import ohctl
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.harness import Peer
from tests.support.peer_suite import AGENT_KEY, scripted_llm_settings
from tests.support.scripted_llm import ScriptedLLM
from tests.support.tcp_proxy import TCPProxy


@pytest.fixture
def tcp_proxy(agent_peer: Peer) -> Iterator[TCPProxy]:
    proxy = TCPProxy(agent_peer.port).start()
    yield proxy
    proxy.stop()


def _start(agent: ohctl.AgentServer, llm: ScriptedLLM, tmp_path: Path, task: str) -> str:
    conv = agent.conversations.start(task, workspace=str(tmp_path), llm=scripted_llm_settings(llm))
    return conv.id


def test_stream_survives_dropped_connections(
    agent: ohctl.AgentServer, tcp_proxy: TCPProxy, llm: ScriptedLLM, tmp_path: Path
) -> None:
    cid = _start(agent, llm, tmp_path, "Many steps [ohctl:long:15]")
    cut_at = {2, 9, 20}
    cuts = 0
    seen: list[ohctl.types.Event] = []
    with ohctl.AgentServer(tcp_proxy.base_url, AGENT_KEY) as via_proxy:
        stream = via_proxy.stream_events(cid, until_done=True)
        for event in stream:
            seen.append(event)
            if len(seen) in cut_at:
                cuts += tcp_proxy.cut() > 0
        assert stream.mode == "socket"
        assert cuts >= 2 and stream.reconnects >= 2  # a cut in a reconnect pause finds nothing open
    stored = list(agent.events.search(cid))
    ids = [e.id for e in seen]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    assert ids == [e.id for e in stored], "events lost or out of order"
    assert stored[-1].kind == "ConversationStateUpdateEvent"
    assert agent.conversations.final_response(cid)


@pytest.mark.anyio
async def test_async_stream_survives_dropped_connections(
    aagent: ohctl.AsyncAgentServer, tcp_proxy: TCPProxy, llm: ScriptedLLM, tmp_path: Path
) -> None:
    conv = await aagent.conversations.start(
        "Many steps [ohctl:long:10]", workspace=str(tmp_path), llm=scripted_llm_settings(llm)
    )
    seen: list[str] = []
    async with ohctl.AsyncAgentServer(tcp_proxy.base_url, AGENT_KEY) as via_proxy:
        async with via_proxy.stream_events(conv.id, until_done=True) as stream:
            async for event in stream:
                seen.append(event.id)
                if len(seen) in (3, 11):
                    tcp_proxy.cut()
            assert stream.reconnects >= 2
    stored = [e.id async for e in aagent.events.search(conv.id)]
    assert seen == stored
    info = await aagent.conversations.info(conv.id)
    assert info.execution_status == "finished"


def test_stream_resume_point_and_snapshot(agent: ohctl.AgentServer, llm: ScriptedLLM, tmp_path: Path) -> None:
    cid = _start(agent, llm, tmp_path, "Few steps [ohctl:long:2]")
    agent.conversations.wait(cid, timeout=120)
    stored = list(agent.events.search(cid))
    middle = stored[5]
    assert middle.timestamp
    after = list(agent.stream_events(cid, after=middle.timestamp, until_done=True))
    assert [e.id for e in after] == [e.id for e in stored[5:]]
    with agent.stream_events(cid, include_state=True) as stream:
        first = next(iter(stream))
        assert first.kind == "ConversationStateUpdateEvent" and first.to_dict()["key"] == "full_state"
        assert stream.state.status == "finished"


def test_stream_fatal_close_codes(agent_peer: Peer, agent: ohctl.AgentServer) -> None:
    with ohctl.AgentServer(agent_peer.base_url, "wrong-key") as bad:
        conv_id = next(iter(agent.conversations.search(limit=1))).id
        with pytest.raises(ohctl.SessionKeyError):
            list(bad.stream_events(conv_id))
    with pytest.raises(ohctl.NotFoundError, match="4004"):
        list(agent.stream_events("0" * 32))


def test_stream_falls_back_to_rest_polling(
    agent_peer: Peer, agent: ohctl.AgentServer, llm: ScriptedLLM, tmp_path: Path
) -> None:
    """A proxy that refuses WebSockets (502 on the upgrade): the stream polls the REST search instead."""
    proxy = FaultProxy(agent_peer.base_url)
    proxy.rules.append(
        lambda method, path: Fault(status=502, body=b"no websockets") if path.startswith("/sockets") else None
    )
    proxy.start()
    try:
        cid = _start(agent, llm, tmp_path, "Several steps [ohctl:long:6]")
        with ohctl.AgentServer(proxy.base_url, AGENT_KEY) as via_proxy:
            stream = via_proxy.stream_events(cid, until_done=True, max_reconnects=1, poll_interval=0.2)
            seen = [e.id for e in stream]
            assert stream.mode == "polling"
        assert sum(1 for _, path in proxy.seen if path.startswith("/sockets")) == 2  # first try + one retry
        assert any("/events/search" in path for _, path in proxy.forwarded)
        assert seen == [e.id for e in agent.events.search(cid)]
        assert str(agent.conversations.info(cid).execution_status) == "finished"
    finally:
        proxy.stop()
