"""The async client over the rest of the surface (the sync twin is generated from the same source,
and the other peer tests drive it route by route)."""

from __future__ import annotations

import io
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest

import ohctl
from tests.support.peer_suite import Shared


@pytest.mark.anyio
async def test_async_reads_and_writes(aclient: ohctl.AsyncOpenHands, shared: Shared, tmp_path: Path) -> None:
    convs = await aclient.conversations.get([shared.id])
    assert convs[0] is not None and convs[0].id == shared.id
    assert await aclient.conversations.count(sandbox_id=shared.sandbox_id) >= 1
    listed = [c.id async for c in aclient.conversations.search(page_size=2)]
    assert shared.id in listed
    updated = await aclient.conversations.update(shared.id, title="ohctl shared")
    assert updated.title == "ohctl shared"

    buffer = io.BytesIO()
    result = await aclient.conversations.download(shared.id, buffer)
    assert result.bytes_written == len(buffer.getvalue())
    assert any(n.startswith("event_") for n in zipfile.ZipFile(buffer).namelist())

    (tmp_path / "f.txt").write_text("async read\n")
    assert await aclient.conversations.read_file(shared.id, str(tmp_path / "f.txt")) == "async read\n"
    assert isinstance(await aclient.conversations.skills(shared.id), list)
    assert isinstance(await aclient.conversations.hooks(shared.id), list)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    changes = await aclient.conversations.git_changes(shared.id, str(tmp_path))
    assert [c.path for c in changes] == ["f.txt"]
    diff = await aclient.conversations.git_diff(shared.id, str(tmp_path / "f.txt"))
    assert (diff.modified or "").strip() == "async read"
    queued = await aclient.conversations.queue_message(shared.id, "async queued")
    assert queued.queued

    events = [e async for e in aclient.events.search(shared.id, limit=2)]
    got = await aclient.events.get(shared.id, [e.id for e in events])
    assert [g.id for g in got if g] == [e.id for e in events]

    tasks = [t async for t in aclient.start_tasks.search(limit=1)]
    assert (await aclient.start_tasks.get([tasks[0].id]))[0] is not None

    settings = await aclient.settings.get()
    assert settings.llm_model == "openai/scripted"
    assert await aclient.settings.update(git_user_email="ohctl@example.com") == "Settings stored"
    assert await aclient.settings.agent_schema()
    assert await aclient.settings.conversation_schema()

    name = f"OHCTL_ASYNC_{uuid.uuid4().hex[:6].upper()}"
    await aclient.secrets.create(name, "v")
    assert [s.name async for s in aclient.secrets.search(name_contains=name)] == [name]
    await aclient.secrets.update(name, description="d")
    await aclient.secrets.delete(name)

    assert [m async for m in aclient.server_config.models(limit=3)]
    assert [p async for p in aclient.server_config.providers(limit=3)]
    with pytest.raises(ohctl.PermissionDeniedError):
        await aclient.git.repositories("github").first_page()

    specs = [s async for s in aclient.sandbox_specs.search()]
    assert (await aclient.sandbox_specs.get([specs[0].id]))[0] is not None
    sandboxes = [s async for s in aclient.sandboxes.search()]
    assert shared.sandbox_id in {s.id for s in sandboxes}
    assert (await aclient.sandboxes.retrieve(shared.sandbox_id)).status == "RUNNING"
