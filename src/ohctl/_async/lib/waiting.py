"""Waiting for start tasks and conversations, written once (the sync twin is generated)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..._errors import ConversationFailedError, NeedsInputError, StartTaskFailedError, WaitTimeoutError
from ..._ids import ConversationId, StartTaskId
from ..._wait_logic import FreshRun, Outcome, Poll, WaitResult, classify, describe
from ...types.conversations import AppConversation, StartTask
from ..agent.client import AsyncAgentServer
from ..agent.stream import AsyncStatusWatch
from .handoff import agent_from_conversation

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

log = logging.getLogger("ohctl.wait")


async def wait_start_task(
    client: AsyncOpenHands, task_id: StartTaskId, *, timeout: float | None, poll_interval: float = 1.0
) -> StartTask:
    poll = Poll(timeout, initial=poll_interval, maximum=5.0)
    last: StartTask | None = None
    while True:
        [task] = await client.start_tasks.get([task_id])
        if task is None:
            raise WaitTimeoutError(f"Start task {task_id} is unknown to the server", last=None)
        if task.status != (last.status if last else None):
            log.debug("start task %s: %s", task_id, task.status)
        last = task
        if task.is_ready:
            return task
        if task.is_error:
            raise StartTaskFailedError(f"Conversation start failed: {task.detail or 'no detail'}", task=task)
        if poll.expired():
            raise WaitTimeoutError(
                f"Start task {task_id} not ready after {poll.elapsed:.0f}s (last status {task.status})", last=task
            )
        await client._http.sleep(poll.next_delay())


async def poll_conversations(client: AsyncOpenHands, ids: Iterable[ConversationId]) -> dict[ConversationId, WaitResult]:
    """One look at each conversation (one batch call per 99 ids), classified; never waits or raises
    per conversation: ``outcome`` is None while a conversation is still going (or unknown)."""
    wanted = list(dict.fromkeys(ids))
    found = await client.conversations.get(wanted)
    return {cid: WaitResult(cid, classify(conv), conv) for cid, conv in zip(wanted, found, strict=True)}


async def wait_conversations(
    client: AsyncOpenHands,
    ids: Iterable[ConversationId],
    *,
    timeout: float | None,
    poll_interval: float = 1.0,
    max_interval: float = 10.0,
    fresh_grace: float | None = None,
    live: bool = False,
) -> dict[ConversationId, WaitResult]:
    """Poll every conversation with batch gets (one call per 99 ids) until each reaches an outcome.

    ``live`` (one conversation): between polls, listen on the agent server's socket so that a status
    change wakes the wait at once instead of at the next poll."""
    pending = list(dict.fromkeys(ids))
    results: dict[ConversationId, WaitResult] = {}
    fresh = {cid: FreshRun(fresh_grace) for cid in pending} if fresh_grace else {}
    poll = Poll(timeout, initial=poll_interval, maximum=max_interval)
    watch = _LiveWatch(client) if live and len(pending) == 1 else None
    try:
        while True:
            polled = await poll_conversations(client, pending)
            still: list[ConversationId] = []
            for cid, result in polled.items():
                if result.outcome is not None and cid in fresh and not fresh[cid].accept(result.conversation):
                    result = WaitResult(cid, None, result.conversation)
                results[cid] = result
                if result.outcome is None:
                    still.append(cid)
            found = [polled[cid].conversation for cid in pending]
            pending = still
            if not pending or poll.expired():
                return results
            if watch is not None:
                await watch.pause(found[0], poll.next_delay())
                if watch.saw_active and pending[0] in fresh:
                    fresh[pending[0]].seen_active = True
            else:
                await client._http.sleep(poll.next_delay())
    finally:
        if watch is not None:
            await watch.close()


class _LiveWatch:
    """The status socket of the one conversation being waited on, opened once its sandbox runs."""

    def __init__(self, client: AsyncOpenHands) -> None:
        self._client = client
        self._agent: AsyncAgentServer | None = None
        self._watch: AsyncStatusWatch | None = None

    @property
    def saw_active(self) -> bool:
        return self._watch is not None and self._watch.saw_active

    async def pause(self, conversation: AppConversation | None, delay: float) -> None:
        if self._watch is None and conversation is not None:
            self._agent = agent_from_conversation(self._client, conversation)
            if self._agent is not None:
                self._watch = AsyncStatusWatch(self._agent, str(conversation.id))
        if self._watch is None:
            await self._client._http.sleep(delay)
        else:
            await self._watch.wait_change(delay)

    async def close(self) -> None:
        if self._watch is not None:
            await self._watch.close()
        if self._agent is not None:
            await self._agent.close()


def raise_for_outcome(result: WaitResult, timeout: float | None) -> AppConversation:
    conversation = result.conversation
    if result.outcome == Outcome.FINISHED and conversation is not None:
        return conversation
    state = describe(conversation)
    cid = result.conversation_id
    if result.outcome == Outcome.FAILED:
        raise ConversationFailedError(f"Conversation {cid} failed ({state})", conversation=conversation)
    if result.outcome == Outcome.NEEDS_INPUT:
        raise NeedsInputError(
            f"Conversation {cid} waits for confirmation of a pending action ({state})", conversation=conversation
        )
    raise WaitTimeoutError(
        f"Conversation {cid} did not finish within {timeout}s (last seen: {state})", last=conversation
    )
