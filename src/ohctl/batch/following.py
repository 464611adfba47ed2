"""Following the tasks that started: the batch polls, and how each task's end is recorded
(mixed into ``AsyncBatch``; one start-task batch get per 100 not READY yet and one conversation
batch get per 99 READY per cycle)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._errors import OhctlError
from .._ids import ConversationId, StartTaskId
from .._start_failure import describe_start_failure
from .._wait_logic import FAILED_EXECUTION, Outcome, describe, is_transient
from .._web import conversation_web_url
from .active import ActiveTask, BatchEvent
from .ledger import FAILED, FINISHED, NEEDS_INPUT, TIMED_OUT, Ended, Ledger
from .results import TaskResult

if TYPE_CHECKING:
    from .._async.client import AsyncOpenHands
    from ..types.conversations import AppConversation, StartTask

log = logging.getLogger("ohctl.batch")

_OUTCOME_STATE = {Outcome.FINISHED: FINISHED, Outcome.FAILED: FAILED, Outcome.NEEDS_INPUT: NEEDS_INPUT}
# The process sandboxes of a loaded server fail a health check now and then (sandbox ERROR for one
# poll): an outcome that rests on the sandbox alone must still hold this long later.
SANDBOX_CONFIRM = 15.0
# The concurrency comes back up one step per task that ends this long after the last refusal.
RAISE_AFTER = 60.0


class Following:
    """What ``AsyncBatch`` provides to this part of it."""

    _client: AsyncOpenHands
    ledger: Ledger
    timeout: float | None
    start_timeout: float | None
    concurrency: int
    limit: int
    requests: int
    on_event: Callable[[BatchEvent], None] | None
    _active: dict[str, ActiveTask]
    _unsure: set[str]
    _ended: list[TaskResult]
    _last_refusal: float | None
    _titles: set[asyncio.Task[None]]

    def _start_failed(self, task: StartTask) -> str:
        """The ledger's error for a start task in ERROR: its detail (and a local sandbox's log lines)."""
        return describe_start_failure(task, self._client.base_url).text(lead="start failed")

    def _retitle(self, active: ActiveTask, conversation: AppConversation | None = None) -> None:
        """Give the conversation the title its input line asked for. The start itself carries the
        ledger's tag as its title (how a crashed run finds its starts again), and 1.11 servers ignore a
        start's title anyway. Set once READY, and again at the end if the server's automatic title
        landed after it; in the background, since the server holds a title PATCH while a step runs."""
        title = active.row.spec.title
        if not title or (conversation is not None and conversation.title == title):
            return
        cid, key = ConversationId(active.row.conversation_id), active.key

        async def apply() -> None:
            try:
                await self._client.conversations.update(cid, title=title)
            except OhctlError as exc:
                self._emit("title_failed", key, f"could not set the title {title!r}: {exc}")

        task = asyncio.ensure_future(apply())
        self._titles.add(task)
        task.add_done_callback(self._titles.discard)

    async def _settle_titles(self, timeout: float = 60.0) -> None:
        """Let the titles being set land before the run returns (bounded: a title is not worth a hang)."""
        if self._titles:
            await asyncio.wait(list(self._titles), timeout=timeout)

    # -- following ----------------------------------------------------------------------
    async def _poll(self) -> None:
        try:
            await self._poll_once()
        except OhctlError as exc:
            if not is_transient(exc):
                raise
            self._emit("poll_error", None, f"status poll failed, trying again: {exc}")
        self._check_deadlines()

    async def _poll_once(self) -> None:
        waiting = [a for a in self._active.values() if a.start_task_id and not a.ready]
        if waiting:
            self.requests += -(-len(waiting) // 100)
            tasks = await self._client.start_tasks.get([StartTaskId(a.start_task_id or "") for a in waiting])
            for active, task in zip(waiting, tasks, strict=True):
                if task is None:
                    continue
                if task.is_ready:
                    active.ready = True
                    chosen = task.app_conversation_id
                    if chosen is not None and chosen != active.row.conversation_id:
                        self.ledger.set_conversation_id(active.key, str(chosen))
                        active.row = self.ledger.task(active.key)
                    self._retitle(active)
                elif task.is_error:
                    self._end(active, FAILED, error=self._start_failed(task))
                else:
                    self._check_progress(active, task)
        ready = [a for a in self._active.values() if a.ready]
        if not ready:
            return
        self.requests += -(-len(ready) // 99)
        polled = await self._client.conversations.poll([ConversationId(a.row.conversation_id) for a in ready])
        for active in ready:
            seen = polled.get(ConversationId(active.row.conversation_id))
            if seen is None:
                continue
            active.last = seen.conversation
            if seen.outcome is None:
                active.suspect_since = None
                continue
            if seen.outcome == Outcome.FAILED and self._sandbox_blip(active, seen.conversation):
                continue
            state = _OUTCOME_STATE[seen.outcome]
            error = None if state == FINISHED else describe(seen.conversation)
            self._retitle(active, seen.conversation)
            self._end(active, state, conversation=seen.conversation, error=error)

    def _check_progress(self, active: ActiveTask, task: StartTask) -> None:
        now = time.monotonic()
        if str(task.status) != active.status:
            active.status, active.status_since = str(task.status), now
        elif self.start_timeout and now - active.status_since > self.start_timeout:
            self._end(
                active,
                FAILED,
                error=(
                    f"the server abandoned the start: start task {task.id} stayed {task.status} for "
                    f"{now - active.status_since:.0f}s; it was not sent again (resubmit the task if you want it)"
                ),
            )

    @staticmethod
    def _sandbox_blip(active: ActiveTask, conversation: AppConversation | None) -> bool:
        """True while a failure that only the sandbox reports is not confirmed yet."""
        execution = str(conversation.execution_status) if conversation is not None else None
        if execution in FAILED_EXECUTION:
            return False
        now = time.monotonic()
        if active.suspect_since is None:
            active.suspect_since = now
        return now - active.suspect_since < SANDBOX_CONFIRM

    def _check_deadlines(self) -> None:
        if not self.timeout:
            return
        now = time.time()
        for active in list(self._active.values()):
            if active.start_task_id and now - active.started > self.timeout:
                error = f"no outcome within {self.timeout:.0f}s (last seen: {describe(active.last)})"
                self._end(active, TIMED_OUT, conversation=active.last, error=error)

    def _end(
        self, active: ActiveTask, state: str, *, conversation: AppConversation | None = None, error: str | None = None
    ) -> None:
        self._active.pop(active.key, None)
        self._unsure.discard(active.key)
        ended = Ended(error=error)
        if conversation is not None:
            usage = conversation.metrics.accumulated_token_usage if conversation.metrics else None
            ended = Ended(
                error=error,
                cost=conversation.cost,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                prs=list(conversation.pr_number),
                url=conversation_web_url(self._client.base_url, str(conversation.id)),
                execution_status=_text(conversation.execution_status),
                sandbox_status=_text(conversation.sandbox_status),
            )
        if not self.ledger.end(active.key, state, ended):
            return  # cancelled by another process meanwhile
        result = TaskResult.of(self.ledger.task(active.key))
        self._ended.append(result)
        self._emit("ended", active.key, state, result)
        if self._last_refusal is not None and time.monotonic() - self._last_refusal > RAISE_AFTER:
            self.limit = min(self.concurrency, self.limit + 1)

    # -- reporting ----------------------------------------------------------------------
    def _emit(self, kind: str, key: str | None, message: str, result: TaskResult | None = None) -> None:
        log.debug("%s %s: %s", kind, key or "-", message)
        if self.on_event is None:
            return
        counts, cost = self.ledger.summary()
        self.on_event(BatchEvent(kind, key, message, counts, cost, result))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
