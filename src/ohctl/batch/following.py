"""The two parts of a batch run besides starting: the ``Tracker`` (the ledger, the tasks in flight,
the results not handed out yet, the events reported: what the starting and the following share) and
the ``Follower`` (the polls, and how each task's end is recorded: one start-task batch get per 100 not
READY yet and one conversation batch get per 99 READY per cycle). ``AsyncBatch`` is made of them."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from .._async.lib.structured import NEW_MESSAGE_GRACE, final_message
from .._async.lib.waiting import poll_conversations
from .._budget import Budget
from .._errors import OhctlError
from .._ids import ConversationId, StartTaskId
from .._start_failure import describe_start_failure
from .._structured import SCHEMA_RETRIES, Schema, correction
from .._wait_logic import (
    FAILED_EXECUTION,
    FRESH_GRACE,
    FreshRun,
    Outcome,
    StallClock,
    WaitResult,
    describe,
    is_transient,
)
from .._web import conversation_web_url
from .active import ActiveTask, BatchEvent
from .ledger import (
    FAILED,
    FINISHED,
    INVALID_OUTPUT,
    LAST_MESSAGE,
    LAST_MESSAGE_CHARS,
    NEEDS_INPUT,
    OVER_BUDGET,
    STALLED,
    TIMED_OUT,
    Ended,
    Ledger,
)
from .results import TaskResult, result
from .retries import STALL_RETRIES, FailureReason, failure_reason, should_retry

if TYPE_CHECKING:
    from .._async.client import AsyncOpenHands
    from ..types.conversations import AppConversation, StartTask

log = logging.getLogger("ohctl.batch")

_OUTCOME_STATE = {Outcome.FINISHED: FINISHED, Outcome.FAILED: FAILED, Outcome.NEEDS_INPUT: NEEDS_INPUT}
# The process sandboxes of a loaded server fail a health check now and then (sandbox ERROR for one
# poll): an outcome that rests on the sandbox alone must still hold this long later.
SANDBOX_CONFIRM = 15.0
# What a batch does with a task whose agent stalled: go on waiting (the ledger notes it), stop it
# (the task ends stalled), or stop it and start it afresh (a retry: see retries.should_retry).
ON_STALL = ("wait", "stop", "retry")
__all__ = ["ON_STALL", "STALL_RETRIES", "Follower", "Tracker"]


class Tracker:
    """What the starting and the following parts of a batch share: its client and ledger, the tasks
    in flight (``active``; ``unsure``: starts whose answer was lost), the results not handed out yet,
    and the events it reports. ``on_end`` runs after each task's end is recorded. ``end`` is where
    every failure is classified and, within ``retries`` (see ``retries.should_retry``), retried."""

    def __init__(
        self,
        client: AsyncOpenHands,
        ledger: Ledger,
        on_event: Callable[[BatchEvent], None] | None,
        *,
        retries: int | None = None,
        on_stall: str = "wait",
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.on_event = on_event
        self.retries = retries
        self.on_stall = on_stall
        self.on_end: Callable[[], None] | None = None
        self.on_retry: Callable[[str], None] | None = None  # a task went back to pending to start afresh
        self.active: dict[str, ActiveTask] = {}
        self.unsure: set[str] = set()
        self.ended: list[TaskResult] = []

    def start_failed(self, task: StartTask) -> str:
        """The ledger's error for a start task in ERROR: its detail (and a local sandbox's log lines)."""
        return describe_start_failure(task, self.client.base_url).text(lead="start failed")

    def end(
        self,
        active: ActiveTask,
        state: str,
        *,
        conversation: AppConversation | None = None,
        error: str | None = None,
        start: FailureReason | None = None,
        output: dict[str, Any] | None = None,
    ) -> None:
        """Record a task's end in the ledger (with its cost, tokens and PRs, and its structured-output
        record) and report it; or, when it failed for an infrastructure reason and has retries left,
        send it to start afresh. ``start``: the reason of a failure before the conversation existed
        (start error, lost start)."""
        self.active.pop(active.key, None)
        self.unsure.discard(active.key)
        ended = Ended(error=error, output=output)
        if conversation is not None:
            usage = conversation.metrics.accumulated_token_usage if conversation.metrics else None
            ended = Ended(
                error=error,
                cost=conversation.cost,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                prs=list(conversation.pr_number),
                url=conversation_web_url(self.client.base_url, str(conversation.id)),
                execution_status=_text(conversation.execution_status),
                sandbox_status=_text(conversation.sandbox_status),
                output=output,
            )
        reason = failure_reason(
            state, execution_status=ended.execution_status, sandbox_status=ended.sandbox_status, start=start
        )
        retried = self.ledger.retries(active.key)
        if reason is not None and should_retry(reason, retried, retries=self.retries, on_stall=self.on_stall):
            if self._retry(active, state, reason, ended, retried + 1):
                return
        if not self.ledger.end(active.key, state, ended):
            return  # cancelled by another process meanwhile
        done = result(self.ledger, active.key)
        self.ended.append(done)
        self.emit("ended", active.key, state, done)
        if self.on_end is not None:
            self.on_end()

    def _retry(self, active: ActiveTask, state: str, reason: FailureReason, ended: Ended, number: int) -> bool:
        """Send a failed task back to pending, to start afresh in a new conversation (False: another
        process moved it first). The ledger keeps the try that failed."""
        detail = ended.error or state
        if not self.ledger.retry(active.key, detail, reason=str(reason), state=state, ended=ended):
            return False
        self.emit("retry", active.key, f"retry {number} ({reason}): {detail}; starting it afresh")
        if self.on_retry is not None:
            self.on_retry(active.key)
        return True

    def drain(self) -> list[TaskResult]:
        """The results recorded since the last drain."""
        out, self.ended = self.ended, []
        return out

    def emit(self, kind: str, key: str | None, message: str, result: TaskResult | None = None) -> None:
        log.debug("%s %s: %s", kind, key or "-", message)
        if self.on_event is None:
            return
        counts, cost = self.ledger.summary()
        self.on_event(BatchEvent(kind, key, message, counts, cost, result))


class Background:
    """Tasks a batch runs beside its polls (titles being set, last messages being read, stalled or
    over-budget agents being stopped), so that a slow answer never holds up the polls. Before the
    run returns they are given ``settle_for`` seconds to land (a title or a last message is not worth
    a hang); a run that ends early cancels them."""

    def __init__(self, settle_for: float) -> None:
        self.settle_for = settle_for
        self._tasks: set[asyncio.Task[None]] = set()

    def run(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.settle_for)

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()


class Follower:
    """Follows the tasks that started until each ends (or passes ``timeout``), and gives each
    conversation the title its input line asked for. ``requests`` counts the status requests sent.

    ``per_task``: the spending limits of a task whose line sets none of its own (its ``max_cost`` /
    ``max_tokens`` win); a task that reaches its limit is paused and ends over_budget. ``halt``, once
    set (the batch's total was reached), ends every task it sees over_budget the same way."""

    def __init__(
        self,
        tracker: Tracker,
        *,
        timeout: float | None,
        start_timeout: float | None,
        stall_after: float | None = None,
        on_stall: str = "wait",
        per_task: Budget | None = None,
    ) -> None:
        self.tracker = tracker
        self.per_task = per_task
        self.halt: str | None = None
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.on_stall = on_stall
        self._stall = StallClock(stall_after) if stall_after is not None else None
        self.requests = 0
        self._titles = Background(60.0)
        self._answers = Background(30.0)  # finished agents' last messages being read
        # Stalled or over-budget agents being stopped. A stop returns once the agent server holds its
        # pause request (PAUSE_HOLD, 10 s: it pauses the agent when the step in flight ends), so a
        # minute bounds it without a hang; cutting it shorter could cancel a stop before its request
        # was sent, on a loaded machine, and the agent would run on.
        self._stops = Background(60.0)

    # -- titles -------------------------------------------------------------------------
    def retitle(self, active: ActiveTask, conversation: AppConversation | None = None) -> None:
        """Give the conversation the title its input line asked for. The start itself carries the
        ledger's tag as its title (how a crashed run finds its starts again), and 1.11 servers ignore a
        start's title anyway. Set once READY, and again at the end if the server's automatic title
        landed after it; in the background, so that a slow answer never holds up the polls."""
        title = active.row.spec.title
        if not title or (conversation is not None and conversation.title == title):
            return
        cid, key = ConversationId(active.row.conversation_id), active.key

        async def apply() -> None:
            try:
                await self.tracker.client.conversations.update(cid, title=title)
            except OhctlError as exc:
                self.tracker.emit("title_failed", key, f"could not set the title {title!r}: {exc}")

        self._titles.run(apply())

    # -- the agent's last message ---------------------------------------------------------
    def keep_answer(self, key: str, conversation: AppConversation) -> None:
        """Read a finished agent's last message from its agent server and note it in the ledger's log
        (event ``last_message``; reports show it). In the background, once per finished task; a
        failure is logged, not reported (the message is a nicety)."""
        tracker = self.tracker

        async def read() -> None:
            try:
                # The library's one reader of the agent's final message: its agent server first (built
                # from the polled conversation: no request to the app server), else the stored events.
                _, text = await final_message(tracker.client, conversation)
            except OhctlError as exc:
                log.debug("no last message for %s: %s", key, exc)
                return
            if text and text.strip():
                tracker.ledger.note(LAST_MESSAGE, text.strip()[:LAST_MESSAGE_CHARS], key=key)

        self._answers.run(read())

    # -- what runs in the background ------------------------------------------------------
    async def settle(self) -> None:
        """Let the titles, last messages and stops under way land before the run returns (each
        kind bounded by its own time)."""
        await asyncio.gather(self._titles.settle(), self._stops.settle(), self._answers.settle())

    def cancel(self) -> None:
        """The run ends early: drop what is still under way."""
        for background in (self._titles, self._stops, self._answers):
            background.cancel()

    # -- following ----------------------------------------------------------------------
    async def poll(self) -> None:
        """One look at every task in flight; a transient failure is reported and tried again next time."""
        try:
            await self._poll_once()
        except OhctlError as exc:
            if not is_transient(exc):
                raise
            self.tracker.emit("poll_error", None, f"status poll failed, trying again: {exc}")
        self._check_deadlines()

    async def _poll_once(self) -> None:
        tracker, client = self.tracker, self.tracker.client
        waiting = [a for a in tracker.active.values() if a.start_task_id and not a.ready]
        if waiting:
            self.requests += -(-len(waiting) // 100)
            tasks = await client.start_tasks.get([StartTaskId(a.start_task_id or "") for a in waiting])
            for active, task in zip(waiting, tasks, strict=True):
                if task is None:
                    continue
                if task.is_ready:
                    active.ready = True
                    chosen = task.app_conversation_id
                    if chosen is not None and chosen != active.row.conversation_id:
                        tracker.ledger.set_conversation_id(active.key, str(chosen))
                        active.row = tracker.ledger.task(active.key)
                    self.retitle(active)
                elif task.is_error:
                    tracker.end(active, FAILED, error=tracker.start_failed(task), start=FailureReason.START_ERROR)
                else:
                    self._check_progress(active, task)
        ready = [a for a in tracker.active.values() if a.ready]
        if not ready:
            return
        self.requests += -(-len(ready) // 99)
        polled = await poll_conversations(client, [ConversationId(a.row.conversation_id) for a in ready], self._stall)
        for active in ready:
            seen = polled.get(ConversationId(active.row.conversation_id))
            if seen is None:
                continue
            active.last = seen.conversation
            # Every look goes to FreshRun (a look at the agent running is what lets its end count).
            accepted = active.fresh.accept(seen.conversation) if active.fresh is not None else True
            if seen.outcome in (None, Outcome.STALLED) and self._over_budget(active, seen.conversation):
                continue
            if seen.outcome is None:
                active.suspect_since = None
                if self._stall is None or active.row.conversation_id not in self._stall.stalled:
                    active.stall_noted = False
                continue
            if seen.outcome == Outcome.STALLED:
                await self._stalled(active, seen)
                continue
            if not accepted:
                continue  # the status the previous run left, not the follow-up's
            if seen.outcome == Outcome.FAILED and _sandbox_blip(active, seen.conversation):
                continue
            if seen.outcome == Outcome.FINISHED and active.row.spec.output_schema is not None:
                await self._check_output(active, seen)
                continue
            state = _OUTCOME_STATE[seen.outcome]
            error = None if state == FINISHED else describe(seen.conversation)
            self.retitle(active, seen.conversation)
            tracker.end(active, state, conversation=seen.conversation, error=error)
            if state == FINISHED and seen.conversation is not None and seen.conversation.conversation_url:
                self.keep_answer(active.key, seen.conversation)

    async def _check_output(self, active: ActiveTask, seen: WaitResult) -> None:
        """A finished task with an output_schema: its final document is checked; a valid one ends it
        finished (the document in the ledger), an invalid one gets a follow-up quoting the problems
        (the task runs on) until its retries are spent, then ends invalid_output. Each attempt's
        problems are in the ledger's log (``output_retry``), so a resumed batch counts them too."""
        tracker, spec, conversation = self.tracker, active.row.spec, seen.conversation
        assert spec.output_schema is not None and conversation is not None
        try:
            event_id, text = await final_message(tracker.client, conversation)
        except OhctlError as exc:
            if not is_transient(exc):
                raise
            return  # looked at again at the next poll
        stale = event_id is not None and event_id == active.final_id
        if stale and time.monotonic() - active.followed_up < NEW_MESSAGE_GRACE:
            return  # the follow-up's final message has not reached the store read yet
        schema = Schema(spec.output_schema)
        checked = schema.check(text)
        earlier = [json.loads(d) if d else [] for d in tracker.ledger.task_notes(active.key, "output_retry")]
        errors = [*earlier, checked.errors]
        output = {"document": checked.document, "attempts": len(errors), "errors": errors}
        if checked.ok:
            self.retitle(active, conversation)
            tracker.end(active, FINISHED, conversation=conversation, output=output)
            return
        retries = spec.schema_retries if spec.schema_retries is not None else SCHEMA_RETRIES
        if len(errors) <= retries:
            try:
                await tracker.client.conversations.send_message(
                    conversation.id, correction(checked.errors, schema, attempt=len(errors))
                )
            except OhctlError as exc:
                failure = f"the document did not match the schema, and the follow-up could not be sent: {exc}"
                tracker.end(active, INVALID_OUTPUT, conversation=conversation, error=failure, output=output)
                return
            tracker.ledger.note("output_retry", json.dumps(checked.errors), key=active.key)
            active.fresh, active.final_id, active.followed_up = FreshRun(FRESH_GRACE), event_id, time.monotonic()
            tracker.emit("output_retry", active.key, f"attempt {len(errors)} did not match the schema: asked again")
            return
        problems = "; ".join(checked.errors[:3])
        error = f"the final document did not match the schema after {len(errors)} attempt(s): {problems}"
        self.retitle(active, conversation)
        tracker.end(active, INVALID_OUTPUT, conversation=conversation, error=error, output=output)

    async def _stalled(self, active: ActiveTask, seen: WaitResult) -> None:
        """A task whose agent stalled: noted once (``wait``), or stopped and ended or started afresh."""
        tracker = self.tracker
        silence = seen.stall.describe() if seen.stall is not None else "running with no event"
        if self.on_stall == "wait":
            if not active.stall_noted:
                active.stall_noted = True
                tracker.ledger.note("stalled", silence, key=active.key)
                tracker.emit("stalled", active.key, f"stalled: {silence}; still waiting for it")
            return
        self._stop_later(active.key, seen.conversation)
        stopping = "its agent was told to stop (it stops after the step in flight)"
        tracker.end(active, STALLED, conversation=seen.conversation, error=f"stalled: {silence}; {stopping}")

    def budget_of(self, active: ActiveTask) -> Budget | None:
        """The task's spending limits: its line's, else the batch's per-task ones."""
        spec, default = active.row.spec, self.per_task or Budget()
        return Budget.of(
            spec.max_cost if spec.max_cost is not None else default.max_cost,
            spec.max_tokens if spec.max_tokens is not None else default.max_tokens,
        )

    def _over_budget(self, active: ActiveTask, conversation: AppConversation | None) -> bool:
        """End the task over_budget, its agent told to stop, when it reached its limit or the batch
        reached its total (``halt``)."""
        if conversation is None:
            return False
        budget = self.budget_of(active)
        hit = budget.check(conversation) if budget is not None else None
        if hit is None and self.halt is None:
            return False
        reason = f"over budget: {hit.describe()}" if hit is not None else f"over budget: {self.halt}"
        stopping = "its agent was told to stop (it stops after the step in flight)"
        self.tracker.ledger.note("over_budget", reason, key=active.key)
        self._stop_later(active.key, conversation)
        self.retitle(active, conversation)
        self.tracker.end(active, OVER_BUDGET, conversation=conversation, error=f"{reason}; {stopping}")
        return True

    def halt_all(self, reason: str) -> None:
        """The batch reached its total: every task seen running ends over_budget, its agent stopped
        (a task still starting is stopped once its conversation is READY)."""
        self.halt = reason
        for active in list(self.tracker.active.values()):
            if active.ready and active.last is not None:
                self._over_budget(active, active.last)

    def _stop_later(self, key: str, conversation: AppConversation | None) -> None:
        """Stop an agent (stalled, or over budget) in the background: the agent server pauses an agent
        only between two steps, and its pause request returns only then, so waiting for it would hold
        the whole batch for as long as the step in flight runs. The outcome goes to the ledger's log."""
        if conversation is None:
            return
        cid, tracker = conversation.id, self.tracker

        async def stop() -> None:
            try:
                result = await tracker.client.conversations.stop(cid)
            except OhctlError as exc:
                tracker.ledger.note("stop_failed", str(exc)[:300], key=key)
                tracker.emit("stop_failed", key, f"could not stop the agent of {cid}: {exc}")
                return
            tracker.ledger.note("stopped", result.note or f"the agent of {cid} is paused", key=key)

        self._stops.run(stop())

    def _check_progress(self, active: ActiveTask, task: StartTask) -> None:
        now = time.monotonic()
        if str(task.status) != active.status:
            active.status, active.status_since = str(task.status), now
        elif self.start_timeout and now - active.status_since > self.start_timeout:
            self.tracker.end(
                active,
                FAILED,
                error=(
                    f"the server abandoned the start: start task {task.id} stayed {task.status} for "
                    f"{now - active.status_since:.0f}s; it was not sent again"
                ),
                start=FailureReason.LOST_START,
            )

    def _check_deadlines(self) -> None:
        if not self.timeout:
            return
        now = time.time()
        for active in list(self.tracker.active.values()):
            if active.start_task_id and now - active.started > self.timeout:
                error = f"no outcome within {self.timeout:.0f}s (last seen: {describe(active.last)})"
                self.tracker.end(active, TIMED_OUT, conversation=active.last, error=error)


def _sandbox_blip(active: ActiveTask, conversation: AppConversation | None) -> bool:
    """True while a failure that only the sandbox reports is not confirmed yet."""
    execution = str(conversation.execution_status) if conversation is not None else None
    if execution in FAILED_EXECUTION:
        return False
    now = time.monotonic()
    if active.suspect_since is None:
        active.suspect_since = now
    return now - active.suspect_since < SANDBOX_CONFIRM


def _text(value: object) -> str | None:
    return None if value is None else str(value)
