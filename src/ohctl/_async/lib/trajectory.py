"""Save a conversation's whole trajectory: the app server's zip, else the agent server's, else the
paged events written as a zip of the same layout."""

from __future__ import annotations

import json
import logging
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..._errors import APIConnectionError, APIStatusError, InvalidArgumentError, OhctlError
from ..._ids import conversation_id
from ...types.agent import TrajectoryResult
from .._download import target_path
from ..agent.client import AsyncAgentServer
from .handoff import agent_from_conversation

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

log = logging.getLogger("ohctl.trajectory")

SOURCES = ("app-zip", "agent-zip", "events")


def _valid_zip(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0 or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return archive.testzip() is None and bool(archive.namelist())


async def save_trajectory(
    client: AsyncOpenHands,
    conversation: Any,
    destination: str | os.PathLike[str],
    *,
    sources: tuple[str, ...] = SOURCES,
) -> TrajectoryResult:
    cid = conversation_id(conversation)
    path = target_path(destination, f"trajectory_{cid}.zip")
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise InvalidArgumentError(f"Unknown trajectory sources {sorted(unknown)}: use {', '.join(SOURCES)}")
    errors: list[str] = []
    if "app-zip" in sources:
        result = await _zip_from("app-zip", client, None, cid, path, errors)
        if result is not None:
            return result
    conv = await client.conversations.retrieve(cid)
    agent = agent_from_conversation(client, conv)
    try:
        if "agent-zip" in sources:
            if agent is None:
                errors.append(f"agent-zip: the sandbox is {conv.sandbox_status}")
            else:
                result = await _zip_from("agent-zip", client, agent, cid, path, errors)
                if result is not None:
                    return result
        if "events" in sources:
            return await _events_zip(client, agent, cid, conv.model_dump(mode="json"), path, errors)
    finally:
        if agent is not None:
            await agent.close()
    path.unlink(missing_ok=True)
    raise OhctlError(f"No trajectory source worked for {cid}: " + "; ".join(errors))


async def _zip_from(
    source: str, client: AsyncOpenHands, agent: AsyncAgentServer | None, cid: str, path: Path, errors: list[str]
) -> TrajectoryResult | None:
    """Download one zip source; None (with the reason in ``errors``) when it fails or is not a zip."""
    try:
        if agent is None:
            download = await client.conversations.download(cid, path)
        else:
            download = await agent.files.download_trajectory(path, cid)
    except (APIStatusError, APIConnectionError) as exc:
        errors.append(f"{source}: {exc}")
        return None
    if not _valid_zip(path):
        errors.append(f"{source}: the server sent something that is not a valid zip")
        return None
    return TrajectoryResult(path=str(path), source=source, bytes_written=download.bytes_written, errors=errors)


async def _events_zip(
    client: AsyncOpenHands,
    agent: AsyncAgentServer | None,
    cid: str,
    meta: dict[str, Any],
    path: Path,
    errors: list[str],
) -> TrajectoryResult:
    """Write ``meta.json`` and ``event_NNNNNN_<id>.json`` one event at a time (flat memory). The live
    agent server is preferred: the app server's copy can trail it by up to ~30 s."""
    partial = path.with_name(path.name + ".part")
    count = 0
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("meta.json", json.dumps(meta, indent=2))
            pager = agent.events.search(cid) if agent is not None else client.events.search(cid)
            async for event in pager:
                archive.writestr(
                    f"event_{count:06d}_{event.id}.json", json.dumps(event.model_dump(mode="json", exclude_unset=True))
                )
                count += 1
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return TrajectoryResult(
        path=str(path), source="events", bytes_written=path.stat().st_size, events=count, errors=errors
    )
