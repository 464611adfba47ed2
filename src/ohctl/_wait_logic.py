"""How a waiting client reads a conversation's state (pure; shared by sync and async waits)."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

from ._budget import BudgetHit
from ._errors import (
    APIConnectionError,
    APIStatusError,
    ConcurrencyLimitError,
    DailyLimitError,
    OhctlError,
    UnexpectedResponseError,
    reason_of,
)
from ._ids import ConversationId
from ._retry import backoff
from .types.conversations import AppConversation, ExecutionStatus
from .types.sandboxes import SandboxStatus

log = logging.getLogger("ohctl.wait")


class Outcome(str, Enum):
    FINISHED = "finished"
    FAILED = "failed"
    NEEDS_INPUT = "needs_input"
    STALLED = "stalled"  # running, but no event for ``stall_after`` seconds
    OVER_BUDGET = "over_budget"  # passed its ``max_cost`` / ``max_tokens`` and was paused
    INVALID_OUTPUT = "invalid_output"  # its final document did not match ``output_schema`` after the retries

    def __str__(self) -> str:
        return self.value


FAILED_EXECUTION = frozenset({ExecutionStatus.ERROR.value, ExecutionStatus.STUCK.value})
FAILED_SANDBOX = frozenset({SandboxStatus.ERROR.value, SandboxStatus.MISSING.value})
# After a follow-up, how long a terminal status left by the previous run is not taken for the new
# run's (unless the agent was seen running in between).
FRESH_GRACE = 10.0
ACTIVE_EXECUTION = frozenset({ExecutionStatus.RUNNING.value, ExecutionStatus.IDLE.value})

# What each execution status means. The statuses are str enums, which hash and compare like their
# values, so a member and a plain string (a status the enum does not know yet) are one lookup: a poll
# classifies hundreds of conversations.
_EXECUTION_OUTCOME: dict[str, Outcome] = {
    ExecutionStatus.FINISHED.value: Outcome.FINISHED,
    ExecutionStatus.WAITING_FOR_CONFIRMATION.value: Outcome.NEEDS_INPUT,
    **dict.fromkeys(FAILED_EXECUTION, Outcome.FAILED),
}


def classify(conversation: AppConversation | None) -> Outcome | None:
    """The outcome a wait ends on, or None to keep waiting. PAUSED and STARTING are not terminal."""
    if conversation is None:
        return None
    if conversation.sandbox_status in FAILED_SANDBOX:
        return Outcome.FAILED
    return _EXECUTION_OUTCOME.get(conversation.execution_status)  # type: ignore[arg-type]  # a str enum or None


def classify_execution(status: object) -> Outcome | None:
    """The outcome an agent's execution status means, or None to keep waiting."""
    return _EXECUTION_OUTCOME.get(status) if isinstance(status, str) else None


def describe(conversation: AppConversation | None) -> str:
    if conversation is None:
        return "not found"
    return f"sandbox {conversation.sandbox_status}, agent {conversation.execution_status}"


@dataclass
class Poll:
    """Poll intervals with jitter that grow to a ceiling, against one overall deadline."""

    timeout: float | None
    initial: float = 1.0
    maximum: float = 10.0
    factor: float = 1.5
    started: float = field(default_factory=time.monotonic)
    _next: float = 0.0

    def __post_init__(self) -> None:
        self._next = self.initial

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float | None:
        return None if self.timeout is None else self.timeout - self.elapsed

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def reset(self) -> None:
        """Back to the first interval (something happened), keeping the deadline."""
        self._next = self.initial

    def clamp(self, seconds: float) -> float:
        """``seconds``, but no further than the deadline."""
        left = self.remaining()
        return seconds if left is None else max(0.0, min(seconds, left))

    def next_delay(self) -> float:
        delay = random.uniform(self._next * 0.8, self._next * 1.2)
        self._next = min(self.maximum, self._next * self.factor)
        left = self.remaining()
        return delay if left is None else max(0.0, min(delay, left))


@dataclass
class FreshRun:
    """After a follow-up message, ignore the previous run's terminal status until the agent is seen
    active again, or ``grace`` seconds pass (a fast agent may finish between two polls)."""

    grace: float
    started: float = field(default_factory=time.monotonic)
    seen_active: bool = False

    def accept(self, conversation: AppConversation | None) -> bool:
        if conversation is None:
            return True
        return self.accept_status(conversation.execution_status)

    def accept_status(self, status: object) -> bool:
        if str(status) in ACTIVE_EXECUTION:
            self.seen_active = True
        return self.seen_active or time.monotonic() - self.started >= self.grace


# How long a wait accepts that the server does not know an id before saying so: a conversation just
# created may take a moment to be listed; an id the server never knew should not hold a wait (the MCP
# server's waits default to ten minutes) until its deadline.
UNKNOWN_GRACE = 10.0


@dataclass
class UnknownIds:
    """Which waited-on ids the server has not known, and since when: one is settled as unknown once it
    was missing on two looks in a row spanning ``UNKNOWN_GRACE`` seconds."""

    since: dict[str, float] = field(default_factory=dict)
    looks: dict[str, int] = field(default_factory=dict)

    def settled(self, cid: str, found: bool) -> bool:
        if found:
            self.since.pop(cid, None)
            self.looks.pop(cid, None)
            return False
        now = time.monotonic()
        first = self.since.setdefault(cid, now)
        self.looks[cid] = self.looks.get(cid, 0) + 1
        return self.looks[cid] >= 2 and now - first >= UNKNOWN_GRACE


@dataclass(slots=True)  # no per-result __dict__: a poll makes hundreds
class WaitResult:
    """How one conversation's wait ended (``wait_many`` does not raise per conversation)."""

    conversation_id: ConversationId
    outcome: Outcome | None  # None: the deadline passed first
    conversation: AppConversation | None
    problem: str | None = None  # why the last look failed, when the deadline passed during an outage
    stall: Stall | None = None  # what was last heard, when the outcome is STALLED
    budget: BudgetHit | None = None  # which limit was reached, when the outcome is OVER_BUDGET

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.FINISHED


# A wait's requests may run this long past its deadline: a wait always takes at least one look (even
# with timeout=0), and a request cut exactly at the deadline would make that look impossible.
LOOK_GRACE = 0.5


def request_deadline(timeout: float | None) -> float | None:
    """The deadline for the requests of a wait of ``timeout`` seconds."""
    return None if timeout is None else max(0.0, timeout) + LOOK_GRACE


def is_transient(exc: BaseException) -> bool:
    """A failure a wait rides through: no connection, a timeout, a 5xx, 408, a rate limiter's 429, a
    body cut off. Anything else (401, 403, 404, a concurrency or daily limit, bad input) ends it."""
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, (ConcurrencyLimitError, DailyLimitError)):
        return False
    if isinstance(exc, APIStatusError):
        return exc.status_code in (408, 429) or exc.status_code >= 500
    if isinstance(exc, UnexpectedResponseError):
        return exc.kind == "not-json"
    return False


@dataclass
class Outage:
    """The transient failures a wait has ridden through since the server last answered."""

    what: str
    since: float | None = None
    failures: int = 0
    total: int = 0
    last: OhctlError | None = None

    def absorb(self, exc: OhctlError) -> bool:
        """Record a failure; False when it is not transient (the caller re-raises it)."""
        if not is_transient(exc):
            return False
        if self.since is None:
            self.since = time.monotonic()
        self.failures += 1
        self.total += 1
        self.last = exc
        log.debug("%s: the server failed (%d in a row): %s; still waiting", self.what, self.failures, reason_of(exc))
        return True

    def clear(self) -> None:
        if self.since is not None:
            log.debug("%s: the server answers again after %.1fs", self.what, time.monotonic() - self.since)
        self.since, self.failures, self.last = None, 0, None

    def delay(self) -> float:
        return backoff(max(0, self.failures - 1), initial=0.5, maximum=5.0)

    def describe(self) -> str | None:
        if self.since is None or self.last is None:
            return None
        return (
            f"the server has been failing for {time.monotonic() - self.since:.0f}s "
            f"({self.failures} attempts; last: {str(self.last)[:300]})"
        )


# A running agent that has produced no event for this long is reported as stalled (15 minutes: longer
# than a slow model's answer or a long build step, short enough that nobody waits an hour for nothing).
STALL_AFTER = 900.0


def as_utc(value: datetime | str | None) -> datetime | None:
    """An aware UTC time from a server time: naive times (events' timestamps) are taken as UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _span(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


@dataclass(frozen=True, slots=True)
class Stall:
    """A running conversation's silence: when it last produced an event, and of which kind."""

    last_event_at: datetime | None  # aware UTC; None when the conversation has no event at all
    last_event_kind: str | None
    silent_for: float  # seconds without an event, when it was judged stalled

    def describe(self) -> str:
        if self.last_event_at is None:
            return f"running with no event for {_span(self.silent_for)}"
        kind = self.last_event_kind or "event"
        at = self.last_event_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"running with no event for {_span(self.silent_for)} (the last: {kind} at {at})"


@dataclass
class StallClock:
    """Which running conversations may have stalled, and the verdict once their newest event is known.

    The app server's ``updated_at`` moves with the agent's model calls and status changes (each LLM
    answer sends a statistics event), so only a running conversation whose ``updated_at`` is older
    than ``after`` is a candidate: its newest event is then looked up (one call), and remembered, so a
    candidate that turns out active is not looked at again until ``after`` has passed since that event.
    """

    after: float
    newest: dict[str, datetime] = field(default_factory=dict)  # the newest activity known per conversation
    stalled: dict[str, datetime] = field(default_factory=dict)  # when each was last found stalled

    def candidate(self, conversation: AppConversation | None, now: datetime) -> bool:
        if conversation is None:
            return False
        cid = str(conversation.id)
        # No time at all (a server that sends neither): no cheap signal, so never a candidate.
        times = (as_utc(conversation.updated_at or conversation.created_at), self.newest.get(cid))
        known = [t for t in times if t is not None]
        # A paused sandbox is not a stall (its agent waits to be resumed), whatever status it last sent.
        sandbox = conversation.sandbox_status
        running = str(conversation.execution_status) == ExecutionStatus.RUNNING.value and (
            sandbox is None or str(sandbox) == SandboxStatus.RUNNING.value
        )
        if not running or not known or (now - max(known)).total_seconds() < self.after:
            self.stalled.pop(cid, None)
            return False
        # One found stalled and still followed (a batch that waits on) is looked at again only now and then.
        found = self.stalled.get(cid)
        return found is None or (now - found).total_seconds() >= min(self.after, 60.0)

    def judge(
        self, conversation: AppConversation, last_at: datetime | None, last_kind: str | None, now: datetime
    ) -> Stall | None:
        """The stall, when the newest activity (``last_at``; None: no event) is ``after`` seconds old."""
        if last_at is not None:
            self.newest[str(conversation.id)] = last_at
        since = last_at or as_utc(conversation.created_at) or as_utc(conversation.updated_at)
        silent = (now - since).total_seconds() if since is not None else self.after
        if silent < self.after:
            self.stalled.pop(str(conversation.id), None)
            return None
        self.stalled[str(conversation.id)] = now
        return Stall(last_at, last_kind, silent)
