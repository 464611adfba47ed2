"""The async agent-server client (generated from the same source) against the real agent server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import ohctl
from tests.support.harness import Peer
from tests.support.peer_suite import scripted_llm_settings
from tests.support.scripted_llm import FINISH_MESSAGE, ScriptedLLM

pytestmark = pytest.mark.anyio


async def test_async_agent_surface(
    aagent: ohctl.AsyncAgentServer, agent_peer: Peer, llm: ScriptedLLM, tmp_path: Path
) -> None:
    assert (await aagent.info()).version
    assert await aagent.ready()
    chunks = [o async for o in aagent.bash.stream("echo one; sleep 0.5; echo two", cwd=str(tmp_path))]
    assert "".join(c.stdout or "" for c in chunks) == "one\ntwo\n" and chunks[-1].exit_code == 0

    remote = str(agent_peer.workdir / "async" / "data.bin")
    payload = bytes(range(256)) * 4096  # 1 MiB
    assert (await aagent.files.upload(io.BytesIO(payload), remote)).file_size == len(payload)
    back = io.BytesIO()
    await aagent.files.download(remote, back)
    assert back.getvalue() == payload

    conv = await aagent.conversations.start(
        "Go [ohctl:long:2]", workspace=str(tmp_path), llm=scripted_llm_settings(llm)
    )
    done = await aagent.conversations.wait(conv.id, timeout=120)
    assert done.execution_status == "finished"
    assert await aagent.conversations.final_response(conv.id) == FINISH_MESSAGE
    stored = [e.id async for e in aagent.events.search(conv.id, page_size=4)]
    assert await aagent.events.count(conv.id) == len(stored)
    streamed = [e.id async for e in aagent.stream_events(conv.id, until_done=True)]
    assert streamed == stored
    repo = tmp_path / "repo"
    result = await aagent.bash.execute(f"git init -q {repo} && echo hi > {repo}/new.txt")
    assert result.ok
    changes = await aagent.git.changes(str(repo))
    assert [(c.path, str(c.status)) for c in changes] == [("new.txt", "ADDED")]
    assert await aagent.conversations.delete(conv.id) is True
