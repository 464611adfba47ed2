"""Telling a start-task id from a conversation id after the fact.

A start task's id looks like a conversation id (both are UUIDs), and passing one where a
conversation belongs is the most common mistake. The server answers it with a 404, a ``null`` or an
empty list; only then (so the happy path costs nothing) is the id looked up as a start task, and a
match raises IdKindError naming the conversation id to use.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..._errors import IdKindError, NotFoundError, OhctlError
from ..._ids import ConversationId, StartTaskId
from ...types.conversations import StartTask

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

log = logging.getLogger("ohctl.ids")


def start_task_confusion(cid: ConversationId | str, task: StartTask) -> IdKindError:
    if task.app_conversation_id:
        hint = f"its conversation id is {task.app_conversation_id}: pass that instead"
    else:
        hint = f"it has no conversation yet ({task.status}); wait for it with client.start_tasks.wait({str(cid)!r})"
    return IdKindError(f"{cid} is a start-task id, not a conversation id: {hint}")


async def reject_start_task_ids(client: AsyncOpenHands, ids: list[ConversationId]) -> None:
    """Raise IdKindError when one of ``ids`` is in fact a start task's id (best effort: a failed
    lookup is logged and ignored, and the caller's own result or error stands)."""
    if not ids:
        return
    try:
        tasks = await client.start_tasks.get([StartTaskId(str(cid)) for cid in ids])
    except OhctlError as exc:
        log.debug("start-task lookup for %d ids failed: %s", len(ids), exc)
        return
    for cid, task in zip(ids, tasks, strict=True):
        if task is not None:
            raise start_task_confusion(cid, task)


@asynccontextmanager
async def explain_not_found(client: AsyncOpenHands, cid: ConversationId) -> AsyncIterator[None]:
    """Around a request on one conversation: a 404 for a start task's id becomes IdKindError."""
    try:
        yield
    except NotFoundError as exc:
        try:
            await reject_start_task_ids(client, [cid])
        except IdKindError as kind_error:
            raise kind_error from exc
        raise
