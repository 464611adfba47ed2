"""Finding on the server the starts that a crash (or a lost answer) left unconfirmed.

A task in ``starting`` may or may not have reached the server. Its start request carried the
conversation id and the title tag the ledger gave it, and the server saves the request with the
start task before it answers, so the start-task search (from a little before the task was marked)
finds it if it arrived. Only a task found nowhere goes back to pending.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..types.conversations import StartTask

if TYPE_CHECKING:
    from .._async.client import AsyncOpenHands
    from .ledger import TaskRow

log = logging.getLogger("ohctl.batch")

# Server clocks differ from ours: search this far before the oldest unconfirmed start.
CLOCK_SLACK = 600.0
# A request sent just before a crash may still be on its way to being saved: a start this recent
# that is not found yet is looked for again once it is this old.
SETTLE = 8.0


def _same_id(value: Any, wanted: str) -> bool:
    try:
        return uuid.UUID(str(value)).hex == wanted
    except ValueError:
        return False


def matches(task: StartTask, row: TaskRow) -> bool:
    request = task.request or {}
    return _same_id(request.get("conversation_id"), row.conversation_id) or request.get("title") == row.tag


async def find_starts(client: AsyncOpenHands, rows: Sequence[TaskRow]) -> dict[str, list[StartTask]]:
    """Every start task on the server that belongs to one of ``rows``, by task key (more than one
    would be a duplicate start, which the caller reports)."""
    found: dict[str, list[StartTask]] = {row.key: [] for row in rows}
    if not rows:
        return found
    by_id = {row.conversation_id: row for row in rows}
    by_tag = {row.tag: row for row in rows}
    oldest = min(row.starting_at or time.time() for row in rows)
    from datetime import datetime, timezone

    since = datetime.fromtimestamp(oldest - CLOCK_SLACK, tz=timezone.utc)
    async for task in client.start_tasks.search(created_after=since, sort_order="CREATED_AT", page_size=100):
        request = task.request or {}
        row = None
        cid = request.get("conversation_id")
        if cid is not None:
            try:
                row = by_id.get(uuid.UUID(str(cid)).hex)
            except ValueError:
                row = None
        if row is None:
            row = by_tag.get(str(request.get("title")))
        if row is not None:
            found[row.key].append(task)
    return found


async def reconcile(client: AsyncOpenHands, rows: Sequence[TaskRow]) -> dict[str, StartTask | None]:
    """For each row: its start task on the server, or None when its start never arrived."""
    found = await find_starts(client, rows)
    recent = [r for r in rows if not found[r.key] and time.time() - (r.starting_at or 0) < SETTLE]
    if recent:
        wait = SETTLE - (time.time() - min(r.starting_at or 0 for r in recent))
        log.info("%d start(s) sent just before the interruption: looking again in %.0fs", len(recent), wait)
        await asyncio.sleep(max(0.0, wait))
        again = await find_starts(client, recent)
        found.update({k: v for k, v in again.items() if v})
    out: dict[str, StartTask | None] = {}
    for row in rows:
        tasks = found[row.key]
        if len(tasks) > 1:
            log.warning("task %s has %d start tasks on the server (expected one)", row.key, len(tasks))
        out[row.key] = tasks[0] if tasks else None
    return out
