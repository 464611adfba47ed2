"""Fixtures of the legacy suite: ONE real V0 server (openhands-ai 1.6.0 through ``ohctl.local``'s V0
launcher, scripted model in V0 mode), started once for this package and stopped after its last test,
and a few conversations the tests share.

The V0 server is not part of OHCTL_PEER_REUSE: it is started here in every run (about 10 s) with its
own scripted model (the V0 mode answers ``execute_bash``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from ohctl.legacy import AsyncLegacyOpenHands, LegacyOpenHands
from tests.support.harness import Peer, PeerUnavailable
from tests.support.legacy_harness import V0_KEY, leftover_processes, start_v0_server
from tests.support.legacy_suite import NOTE, NOTE_TEXT, Finished, legacy_client
from tests.support.scripted_llm import ScriptedLLM, command_marker


@pytest.fixture(scope="package")
def v0_llm() -> Iterator[ScriptedLLM]:
    server = ScriptedLLM().start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def v0_server(v0_llm: ScriptedLLM) -> Iterator[Peer]:
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    try:
        peer = start_v0_server()
    except PeerUnavailable as exc:
        pytest.fail(f"The real V0 server is unavailable: {exc}", pytrace=False)
    try:
        with LegacyOpenHands(base_url=peer.base_url, api_key=V0_KEY, auth="session-key") as oh:
            oh.settings.update(
                llm_model="openai/scripted", llm_api_key="x", llm_base_url=v0_llm.base_url, agent="CodeActAgent"
            )
        yield peer
    finally:
        killed = peer.stop()
        left = leftover_processes(peer)
        print(f"\nV0 server stopped; {len(killed)} processes ended, {len(left)} left")
        assert not left, f"processes of the V0 run still alive: {left}"


@pytest.fixture
def legacy(v0_server: Peer) -> Iterator[LegacyOpenHands]:
    with legacy_client(v0_server) as oh:
        yield oh


@pytest.fixture
async def alegacy(v0_server: Peer) -> Any:
    async with AsyncLegacyOpenHands(
        base_url=v0_server.base_url, api_key=V0_KEY, auth="session-key", max_retries=4
    ) as oh:
        yield oh


@pytest.fixture(scope="package")
def finished(v0_server: Peer) -> Finished:
    task = f"Write a note {command_marker(f'echo {NOTE_TEXT!r} > {NOTE} && cat {NOTE}')}"
    with legacy_client(v0_server) as oh:
        created = oh.conversations.create(task, conversation_instructions="Be brief.")
        result = oh.conversations.wait(created.conversation_id, timeout=120, poll_interval=0.5)
        assert result.outcome == "finished", result
        return Finished(created.conversation_id, task)
