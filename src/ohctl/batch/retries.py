"""Why a batch task failed, and whether it is tried again (pure: no I/O; one home for the decision).

A task is retried only when its failure is the infrastructure's, not the agent's: its sandbox went
to ERROR or MISSING under a running agent, its start task ended in ERROR, the server abandoned its
start, or (with ``on_stall="retry"``) its agent stalled. An agent that ended in error or stuck, a
limit it hit (the batch's timeout, a spending limit, a structured output still invalid), a start the
server refused, a cancel, and any state this module does not know are never retried.
"""

from __future__ import annotations

from enum import Enum

from .._wait_logic import FAILED_EXECUTION, FAILED_SANDBOX

# With on_stall="retry" and no ``retries`` given, a stalled task is started afresh this many times.
STALL_RETRIES = 1


class FailureKind(str, Enum):
    """Whose failure it was: only ``infrastructure`` failures are retried."""

    INFRASTRUCTURE = "infrastructure"  # the sandbox or the server failed the task: retried
    AGENT = "agent"  # the agent itself ended in error, stuck, or with output that does not match
    LIMIT = "limit"  # the task hit a limit it was given (timeout, spending)
    REFUSED = "refused"  # the server refused the start (it would refuse it again)
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # a state this ohctl does not classify: never retried

    def __str__(self) -> str:
        return self.value


class FailureReason(str, Enum):
    """Why a task did not finish; ``kind`` says whose failure that was."""

    SANDBOX_ERROR = "sandbox_error"  # the sandbox went to ERROR under the agent
    SANDBOX_MISSING = "sandbox_missing"  # the sandbox disappeared under the agent
    START_ERROR = "start_error"  # the start task ended in ERROR (the sandbox or agent never came up)
    LOST_START = "lost_start"  # the server abandoned the start (its status stopped moving)
    STALLED = "stalled"  # the agent ran with no event for ``stall_after`` (stopped first)
    AGENT_ERROR = "agent_error"  # the agent's execution status: error
    AGENT_STUCK = "agent_stuck"  # the agent's execution status: stuck
    INVALID_OUTPUT = "invalid_output"  # its structured output never matched the schema
    TIMED_OUT = "timed_out"  # no outcome within the batch's timeout
    OVER_BUDGET = "over_budget"  # it passed its spending limit and was paused
    REFUSED = "refused"  # the server refused the start request
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # failed, and neither the agent nor the sandbox says why; or a new state

    def __str__(self) -> str:
        return self.value

    @property
    def kind(self) -> FailureKind:
        return _KIND[self]


_KIND = {
    FailureReason.SANDBOX_ERROR: FailureKind.INFRASTRUCTURE,
    FailureReason.SANDBOX_MISSING: FailureKind.INFRASTRUCTURE,
    FailureReason.START_ERROR: FailureKind.INFRASTRUCTURE,
    FailureReason.LOST_START: FailureKind.INFRASTRUCTURE,
    FailureReason.STALLED: FailureKind.INFRASTRUCTURE,
    FailureReason.AGENT_ERROR: FailureKind.AGENT,
    FailureReason.AGENT_STUCK: FailureKind.AGENT,
    FailureReason.INVALID_OUTPUT: FailureKind.AGENT,
    FailureReason.TIMED_OUT: FailureKind.LIMIT,
    FailureReason.OVER_BUDGET: FailureKind.LIMIT,
    FailureReason.REFUSED: FailureKind.REFUSED,
    FailureReason.CANCELLED: FailureKind.CANCELLED,
    FailureReason.UNKNOWN: FailureKind.UNKNOWN,
}

# The ledger states that are not failures (or not ended): no reason.
_NOT_FAILED = frozenset({"pending", "starting", "running", "finished", "needs_input"})
# States whose reason the state itself says.
_BY_STATE = {
    "stalled": FailureReason.STALLED,
    "timed_out": FailureReason.TIMED_OUT,
    "over_budget": FailureReason.OVER_BUDGET,
    "invalid_output": FailureReason.INVALID_OUTPUT,
    "cancelled": FailureReason.CANCELLED,
    "error": FailureReason.REFUSED,  # the ledger's ``error``: the server refused the start
}


def failure_reason(
    state: str,
    *,
    execution_status: object = None,
    sandbox_status: object = None,
    start: FailureReason | None = None,
) -> FailureReason | None:
    """Why a task that ended in ``state`` failed (None: it did not fail).

    ``start`` is the reason the runner gives for a failure before the conversation existed
    (``START_ERROR``, ``LOST_START``). For ``failed``, the agent's own status wins: an agent that
    ended in error or stuck failed by itself even if its sandbox failed too; only a failed or
    missing sandbox under an agent that did not fail is the infrastructure's.
    """
    if state in _NOT_FAILED:
        return None
    if state in _BY_STATE:
        return _BY_STATE[state]
    if state != "failed":
        return FailureReason.UNKNOWN
    execution = None if execution_status is None else str(execution_status)
    sandbox = None if sandbox_status is None else str(sandbox_status)
    if execution in FAILED_EXECUTION:
        return FailureReason.AGENT_ERROR if execution == "error" else FailureReason.AGENT_STUCK
    if start is not None:
        return start
    if sandbox in FAILED_SANDBOX:
        return FailureReason.SANDBOX_ERROR if sandbox == "ERROR" else FailureReason.SANDBOX_MISSING
    return FailureReason.UNKNOWN


def should_retry(reason: FailureReason | None, retried: int, *, retries: int | None, on_stall: str = "wait") -> bool:
    """Whether a task that failed for ``reason`` after ``retried`` retries starts afresh.

    Only infrastructure failures are retried, up to ``retries`` times per task. A stall counts only
    with ``on_stall="retry"`` (``stop`` ends the task ``stalled``); with ``on_stall="retry"`` and
    ``retries`` None, a stall is retried ``STALL_RETRIES`` (1) time and nothing else is.
    """
    if reason is None or reason.kind is not FailureKind.INFRASTRUCTURE:
        return False
    if reason is FailureReason.STALLED:
        if on_stall != "retry":
            return False
        budget = STALL_RETRIES if retries is None else retries
    else:
        budget = retries or 0
    return retried < budget


__all__ = ["STALL_RETRIES", "FailureKind", "FailureReason", "failure_reason", "should_retry"]
