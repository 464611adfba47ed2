"""``AsyncBatch``: start up to N conversations at once, follow them with batch polls, record each
step in the ledger, and yield each task's result as it ends.

Per poll cycle: one start-task batch get (per 100) for the starts not READY yet, and one
conversation batch get (per 99) for the rest; never one request per task.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any

from .._budget import Budget
from .._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConcurrencyLimitError,
    DailyLimitError,
    InternalServerError,
    InvalidArgumentError,
    OhctlError,
    RateLimitError,
    UnexpectedResponseError,
)
from .._ids import ConversationId
from .._wait_logic import STALL_AFTER, is_transient
from .active import ActiveTask, BatchEvent, BatchPausedError
from .following import ON_STALL, Follower, Tracker
from .ledger import (
    CANCELLED,
    ERROR,
    FAILED,
    PENDING,
    RUNNING,
    STARTING,
    Ended,
    Ledger,
    LedgerError,
    TaskRow,
)
from .reconcile import SETTLE, reconcile
from .results import BatchStatus, TaskResult, results, status
from .retries import FailureReason
from .spec import TaskSpec, parse_tasks

if TYPE_CHECKING:
    from .._async.client import AsyncOpenHands
    from ..templates import Template
    from ..types.conversations import StartTask

log = logging.getLogger("ohctl.batch")

DEFAULT_CONCURRENCY = 4
# After a concurrency-limit refusal with none of ours running, wait this long (doubling) to try again.
LIMIT_BACKOFF = (5.0, 60.0)
# The concurrency comes back up one step per task that ends this long after the last refusal.
RAISE_AFTER = 60.0


class AsyncBatch:
    """A batch of tasks recorded in the SQLite ledger at ``ledger``.

    With ``tasks`` a new ledger is written (or, when the file already holds these same tasks, the
    batch is resumed, so a crashed script can simply be run again); without, the ledger is opened
    and resumed. ``concurrency`` and ``timeout`` (seconds per task) are kept in the ledger.
    ``stall_after``: a task whose agent runs without an event this long has stalled (None: never);
    ``on_stall`` says what then: ``wait`` (noted in the ledger, followed on), ``stop`` (paused, the
    task ends ``stalled``) or ``retry`` (paused and started afresh, as a retry).
    ``retries``: how many times a task that failed for an infrastructure reason (its sandbox failed
    or vanished, its start failed or was abandoned by the server, or it stalled with
    ``on_stall="retry"``) is started afresh in a new conversation; never after the agent's own
    error, a limit or a refused start (``ohctl.batch.retries.should_retry``). Kept in the ledger;
    None: the ledger's, else no retries except one after a stall with ``on_stall="retry"``.

    Spending limits (kept in the ledger, like ``concurrency``): a task whose cost reaches
    ``max_cost_per_task`` USD (or its line's ``max_cost``), or whose tokens reach
    ``max_tokens_per_task`` (or its line's ``max_tokens``), is paused and ends ``over_budget``. Once
    the batch's total (ended tasks plus the running ones, as last polled) reaches ``max_cost`` USD or
    ``max_tokens``, no more tasks start, the running ones are paused and end ``over_budget``, and
    ``run`` raises BatchPausedError at the end; the tasks not started stay pending (resume with a
    higher limit). Costs come from the polls' metrics, which trail the agents by up to about 30 s.
    """

    def __init__(
        self,
        client: AsyncOpenHands,
        ledger: str | os.PathLike[str],
        tasks: Iterable[Any] | None = None,
        *,
        template: Template | str | None = None,
        concurrency: int | None = None,
        timeout: float | None = None,
        poll_interval: float = 3.0,
        start_interval: float = 0.0,
        max_starting: int | None = None,
        start_timeout: float | None = 600.0,
        on_event: Callable[[BatchEvent], None] | None = None,
        stall_after: float | None = STALL_AFTER,
        on_stall: str = "wait",
        retries: int | None = None,
        max_cost: float | None = None,
        max_tokens: int | None = None,
        max_cost_per_task: float | None = None,
        max_tokens_per_task: int | None = None,
    ) -> None:
        Budget.of(max_cost, max_tokens)  # bad limits fail here, before the ledger is written
        Budget.of(max_cost_per_task, max_tokens_per_task)
        if concurrency is not None and concurrency < 1:
            raise InvalidArgumentError("concurrency must be at least 1")
        if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int) or retries < 0):
            raise InvalidArgumentError(f"retries must be a whole number, 0 or more, not {retries!r}")
        if on_stall not in ON_STALL:
            raise InvalidArgumentError(f"on_stall must be one of {', '.join(ON_STALL)}, not {on_stall!r}")
        self._client = client
        if tasks is not None:
            specs = parse_tasks(tasks, template=template)
            if os.path.exists(ledger):
                self.ledger = Ledger(ledger)
                if not self.ledger.same_tasks(specs):
                    self.ledger.close()
                    raise LedgerError(f"{ledger} holds a different batch: choose another ledger path")
            else:
                settings = {"concurrency": concurrency or DEFAULT_CONCURRENCY, "timeout": timeout, "retries": retries}
                self.ledger = Ledger.create(ledger, specs, {**settings, "base_url": client.base_url})
        else:
            self.ledger = Ledger(ledger)
        where = self.ledger.setting("base_url")
        if where and where.rstrip("/") != client.base_url.rstrip("/"):
            self.ledger.close()
            raise LedgerError(f"{ledger} belongs to a batch on {where}; use a client for that server")
        if concurrency is not None and concurrency != self.ledger.setting("concurrency"):
            self.ledger.set_meta("concurrency", concurrency)
        if timeout is not None and timeout != self.ledger.setting("timeout"):
            self.ledger.set_meta("timeout", timeout)
        if retries is not None and retries != self.ledger.setting("retries"):
            self.ledger.set_meta("retries", retries)
        limits = {
            "max_cost": max_cost,
            "max_tokens": max_tokens,
            "max_cost_per_task": max_cost_per_task,
            "max_tokens_per_task": max_tokens_per_task,
        }
        for name, value in limits.items():
            if value is not None and value != self.ledger.setting(name):
                self.ledger.set_meta(name, value)
        self.total = Budget.of(self.ledger.setting("max_cost"), self.ledger.setting("max_tokens"))
        self.concurrency: int = self.ledger.setting("concurrency", DEFAULT_CONCURRENCY)
        self.timeout: float | None = self.ledger.setting("timeout")
        self.retries: int | None = self.ledger.setting("retries")
        self.poll_interval = poll_interval
        self.start_interval = start_interval  # at least this long between two starts
        self.max_starting = max_starting  # at most this many starts not READY yet (None: no cap)
        # A start task whose status has not moved for this long was abandoned by the server (the
        # open-source server drops a start whose client went away before the answer).
        self.start_timeout = start_timeout
        self.limit = self.concurrency  # lowered by concurrency-limit refusals
        self._tracker = Tracker(client, self.ledger, on_event, retries=self.retries, on_stall=on_stall)
        self._tracker.on_end = self._raise_limit
        self._follower = Follower(
            self._tracker,
            timeout=self.timeout,
            start_timeout=start_timeout,
            stall_after=stall_after,
            on_stall=on_stall,
            per_task=Budget.of(self.ledger.setting("max_cost_per_task"), self.ledger.setting("max_tokens_per_task")),
        )
        self._tracker.on_retry = self._start_again
        self._pending: collections.deque[str] = collections.deque()
        self._starts: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._paused: str | None = None
        self._fatal: BaseException | None = None
        self._cooldown_until = 0.0
        self._backoff = LIMIT_BACKOFF[0]
        self._last_refusal: float | None = None

    @property
    def requests(self) -> int:
        """Status requests sent by the polls so far (the bench reports requests per task)."""
        return self._follower.requests

    @property
    def path(self) -> str:
        return str(self.ledger.path)

    def status(self) -> BatchStatus:
        return status(self.ledger)

    def results(self) -> list[TaskResult]:
        return results(self.ledger)

    def close(self) -> None:
        self.ledger.close()

    # -- the run ------------------------------------------------------------------------
    async def run(self) -> AsyncGenerator[TaskResult, None]:
        """Run (or resume) the batch; yields each task's result as it ends. Raises
        BatchPausedError at the end when the daily sandbox limit stopped the starts."""
        self.ledger.acquire()
        self._wake = asyncio.Event()  # bound to the running loop
        try:
            self.ledger.set_meta("paused", None)
            self.ledger.set_meta("budget_stop", None)
            self.ledger.set_meta("cancel_requested", False)
            await self._recover()
            self._check_total()
            async for result in self._loop():
                yield result
        finally:
            for start in list(self._starts):
                start.cancel()  # its task stays ``starting``: the next run looks it up first
            self._follower.cancel()
            self.ledger.release()
        if self._paused:
            raise BatchPausedError(self._paused, path=self.path)

    async def _recover(self) -> None:
        """Settle what an interrupted run left: look up unconfirmed starts, then follow the running."""
        starting = self.ledger.tasks([STARTING])
        if starting:
            found = await reconcile(self._client, starting)
            for row in starting:
                self._settle(row, found[row.key], "after an interruption")
        for row in self.ledger.tasks([RUNNING]):
            self._tracker.active[row.key] = ActiveTask(row, row.start_task_id, started=row.started_at or time.time())
        self._pending.extend(row.key for row in self.ledger.tasks([PENDING]) if row.key not in self._pending)

    def _settle(self, row: TaskRow, task: StartTask | None, when: str) -> None:
        if task is None:
            self.ledger.requeue(row.key, f"not found on the server {when}: it never started")
            self._tracker.emit("requeued", row.key, "its start never reached the server; it will start again")
            return
        self.ledger.mark_running(row.key, str(task.id), f"found on the server {when}")
        self._tracker.emit("reconciled", row.key, f"found on the server {when} ({task.status})")
        if task.is_error:
            error = self._tracker.start_failed(task)
            self._tracker.end(
                ActiveTask(self.ledger.task(row.key)), FAILED, error=error, start=FailureReason.START_ERROR
            )

    async def _loop(self) -> AsyncIterator[TaskResult]:
        next_poll = time.monotonic()
        while True:
            if self._fatal is not None:
                raise self._fatal
            if self.ledger.setting("cancel_requested", False):
                await self._cancel_active()
                for result in self._drain():
                    yield result
                return
            self._launch()
            for result in self._drain():
                yield result
            if not self._tracker.active and (self._paused or not self._pending):
                await self._follower.settle()
                return
            now = time.monotonic()
            if now >= next_poll:
                await self._follower.poll()
                self._check_total()
                await self._recheck_unsure()
                next_poll = time.monotonic() + self.poll_interval
                for result in self._drain():
                    yield result
                continue
            self._wake.clear()
            wait = next_poll - now
            if self._pending and not self._paused and self._cooldown_until > time.monotonic():
                wait = min(wait, self._cooldown_until - time.monotonic())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, wait))
            except asyncio.TimeoutError:
                pass

    def _drain(self) -> list[TaskResult]:
        return self._tracker.drain()

    # -- starting -----------------------------------------------------------------------
    def _launch(self) -> None:
        while (
            self._pending
            and not self._paused
            and len(self._tracker.active) < self.limit
            and time.monotonic() >= self._cooldown_until
            and (
                self.max_starting is None or sum(not a.ready for a in self._tracker.active.values()) < self.max_starting
            )
        ):
            if self.start_interval:
                self._cooldown_until = time.monotonic() + self.start_interval
            key = self._pending.popleft()
            if not self.ledger.mark_starting(key):
                continue  # cancelled meanwhile
            active = ActiveTask(self.ledger.task(key))
            self._tracker.active[key] = active
            start = asyncio.create_task(self._start(active))
            self._starts.add(start)
            start.add_done_callback(self._starts.discard)
            self._tracker.emit("starting", key, "starting")

    def _not_ready(self) -> int:
        return sum(not a.ready for a in self._tracker.active.values())

    async def _start(self, active: ActiveTask) -> None:
        spec, row = active.row.spec, active.row
        try:
            task = await self._client.conversations.start(
                spec.message,
                wait=None,
                conversation_id=row.conversation_id,
                title=row.tag,
                repository=spec.repository,
                branch=spec.branch,
                git_provider=spec.git_provider,
                llm_model=spec.llm_model,
                agent_type=spec.agent_type,
                sandbox_id=spec.sandbox_id,
                secrets=spec.secrets,
                output_schema=spec.output_schema,
            )
        except ConcurrencyLimitError as exc:
            self._requeue(active, "the server's concurrency limit")
            self._lower_limit(exc)
        except DailyLimitError as exc:
            self._requeue(active, "the daily sandbox limit")
            self._pause(exc.detail or "The daily sandbox limit is reached (it resets at midnight UTC)")
        except RateLimitError as exc:
            self._requeue(active, "rate limited")
            self._cooldown_until = time.monotonic() + (exc.retry_after or self._backoff)
        except AuthenticationError as exc:
            self._requeue(active, "the API key was refused")
            self._fatal = exc
        except (APIConnectionError, InternalServerError, UnexpectedResponseError) as exc:
            # The request may have reached the server: find out before it is ever sent again.
            log.info("start of %s unconfirmed (%s): looking it up", active.key, exc)
            self._tracker.unsure.add(active.key)
        except (APIStatusError, InvalidArgumentError) as exc:
            self._tracker.end(active, ERROR, error=f"the server refused the start: {exc}")
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a bug must not leave the loop waiting forever
            self._fatal = exc
        else:
            self._started(active, task)
        finally:
            self._wake.set()

    def _started(self, active: ActiveTask, task: StartTask) -> None:
        self.ledger.mark_running(active.key, str(task.id))
        active.start_task_id, active.started = str(task.id), time.time()
        active.ready = task.is_ready
        self._tracker.emit("running", active.key, "started")
        if task.is_error:
            self._tracker.end(active, FAILED, error=self._tracker.start_failed(task), start=FailureReason.START_ERROR)

    def _requeue(self, active: ActiveTask, reason: str) -> None:
        self._tracker.active.pop(active.key, None)
        if self.ledger.requeue(active.key, reason):
            self._pending.appendleft(active.key)
            self._tracker.emit("requeued", active.key, f"requeued: {reason}")

    def _start_again(self, key: str) -> None:
        """A stalled task was stopped and sent back to pending: it starts again first."""
        self._pending.appendleft(key)
        self._wake.set()

    def _raise_limit(self) -> None:
        """A task ended: the concurrency comes back up one step, once RAISE_AFTER has passed since the
        last refusal."""
        if self._last_refusal is not None and time.monotonic() - self._last_refusal > RAISE_AFTER:
            self.limit = min(self.concurrency, self.limit + 1)

    def _lower_limit(self, exc: ConcurrencyLimitError) -> None:
        before = self.limit
        self.limit = max(1, min(self.limit - 1, len(self._tracker.active)))
        self._last_refusal = time.monotonic()
        if not self._tracker.active:
            self._cooldown_until = time.monotonic() + self._backoff
            self._backoff = min(LIMIT_BACKOFF[1], self._backoff * 2)
        message = f"concurrency {before} -> {self.limit} (the server refused a start: {exc.detail or 'limit reached'})"
        self.ledger.note("concurrency", message)
        self._tracker.emit("concurrency", None, message)

    def _check_total(self) -> None:
        """Once the batch's total reaches its ``max_cost`` or ``max_tokens``: stop starting tasks, and
        stop the running ones (they end over_budget). The total is the ledger's (the tasks that ended)
        plus the running tasks' as last polled: no request of its own."""
        if self.total is None or self._follower.halt is not None:
            return
        cost, tokens = self.ledger.spent()
        seen = [a.last for a in self._tracker.active.values() if a.last is not None]
        hit = self.total.check_values(cost + sum(c.cost for c in seen), tokens + sum(c.tokens for c in seen))
        if hit is None:
            return
        reason = f"the batch's total {hit.describe()}"
        self.ledger.set_meta("budget_stop", reason)
        self.ledger.note("budget", reason)
        self._tracker.emit("budget", None, f"{reason}: no more tasks start; the running ones are stopped")
        self._follower.halt_all(reason)
        self._pause(f"{reason}; {len(self._pending)} task(s) not started")

    def _pause(self, message: str) -> None:
        if self._paused is None:
            self._paused = message
            self.ledger.set_meta("paused", message)
            self._tracker.emit(
                "paused", None, f"{message}; no more tasks start (the running ones are followed to their end)"
            )

    async def _recheck_unsure(self) -> None:
        due = [self.ledger.task(k) for k in self._tracker.unsure]
        due = [row for row in due if time.time() - (row.starting_at or 0) >= SETTLE]
        if not due:
            return
        try:
            found = await reconcile(self._client, due)
        except OhctlError as exc:
            if not is_transient(exc):
                raise
            return
        for row in due:
            self._tracker.unsure.discard(row.key)
            task = found[row.key]
            if task is None:
                self._requeue(self._tracker.active[row.key], "its start never reached the server")
                continue
            self._settle(row, task, "after a lost answer")
            if row.key in self._tracker.active and not task.is_error:
                self._tracker.active[row.key].start_task_id, self._tracker.active[row.key].started = (
                    str(task.id),
                    time.time(),
                )

    # -- cancelling ---------------------------------------------------------------------
    async def cancel(self) -> BatchStatus:
        """Stop the batch: pending tasks are cancelled and running conversations' sandboxes paused.
        When another process runs the batch, it is asked to do so (it checks every poll)."""
        self.ledger.set_meta("cancel_requested", True)
        if self.ledger.locked_by_other():
            return self.status()
        self.ledger.acquire()
        try:
            await self._recover()
            await self._cancel_active()
        finally:
            self.ledger.release()
        return self.status()

    async def _cancel_active(self) -> None:
        for key in list(self._pending):
            self.ledger.end(key, CANCELLED, Ended(error="cancelled before it started"), expected=(PENDING,))
        self._pending.clear()
        for start in list(self._starts):
            await asyncio.gather(start, return_exceptions=True)  # let the starts in flight land
        running = [a for a in self._tracker.active.values() if a.start_task_id]
        ids = [ConversationId(a.row.conversation_id) for a in running]
        found = await self._client.conversations.get(ids) if ids else []
        for active, conversation in zip(running, found, strict=True):
            if conversation is not None and conversation.sandbox_id:
                try:
                    await self._client.sandboxes.pause(conversation.sandbox_id)
                except OhctlError as exc:
                    log.warning("could not pause the sandbox of %s: %s", active.key, exc)
            self._tracker.end(active, CANCELLED, conversation=conversation, error="cancelled")
        self._tracker.emit("cancelled", None, "cancelled")


__all__ = ["AsyncBatch", "BatchEvent", "BatchPausedError", "TaskSpec"]
