"""How a waiting client reads a conversation's state (pure; shared by sync and async waits)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from enum import Enum

from ._ids import ConversationId
from .types.conversations import AppConversation, ExecutionStatus
from .types.sandboxes import SandboxStatus


class Outcome(str, Enum):
    FINISHED = "finished"
    FAILED = "failed"
    NEEDS_INPUT = "needs_input"

    def __str__(self) -> str:
        return self.value


FAILED_EXECUTION = frozenset({ExecutionStatus.ERROR.value, ExecutionStatus.STUCK.value})
FAILED_SANDBOX = frozenset({SandboxStatus.ERROR.value, SandboxStatus.MISSING.value})
ACTIVE_EXECUTION = frozenset({ExecutionStatus.RUNNING.value, ExecutionStatus.IDLE.value})


def classify(conversation: AppConversation | None) -> Outcome | None:
    """The outcome a wait ends on, or None to keep waiting. PAUSED and STARTING are not terminal."""
    if conversation is None:
        return None
    sandbox = str(conversation.sandbox_status) if conversation.sandbox_status is not None else None
    if sandbox in FAILED_SANDBOX:
        return Outcome.FAILED
    return classify_execution(conversation.execution_status)


def classify_execution(status: object) -> Outcome | None:
    """The outcome an agent's execution status means, or None to keep waiting."""
    execution = str(status) if status is not None else None
    if execution == ExecutionStatus.FINISHED.value:
        return Outcome.FINISHED
    if execution in FAILED_EXECUTION:
        return Outcome.FAILED
    if execution == ExecutionStatus.WAITING_FOR_CONFIRMATION.value:
        return Outcome.NEEDS_INPUT
    return None


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


@dataclass
class WaitResult:
    """How one conversation's wait ended (``wait_many`` does not raise per conversation)."""

    conversation_id: ConversationId
    outcome: Outcome | None  # None: the deadline passed first
    conversation: AppConversation | None

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.FINISHED
