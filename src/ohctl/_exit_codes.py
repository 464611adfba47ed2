"""The exit codes of ``ohctl`` and the GitHub Action, and the code of each outcome of a wait. Pure
(no import beyond the standard library), so the command line can use it before anything heavy loads.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode", "exit_code_for"]


class ExitCode(IntEnum):
    """The exit codes of ``ohctl`` and the GitHub Action (``ohctl help exit-codes``)."""

    OK = 0
    ERROR = 1  # any other failure
    USAGE = 2  # bad command line (click's own code)
    AUTH = 4  # no key, or the key was refused
    NOT_FOUND = 5  # the conversation, sandbox or route does not exist
    AGENT_FAILED = 6  # the agent ended in error or stuck, or its sandbox failed
    NEEDS_INPUT = 7  # the agent waits for confirmation of an action
    PENDING = 8  # the deadline passed and it is still running
    STALLED = 9  # the agent is running but has produced no event for the stall time
    OVER_BUDGET = 10  # the agent passed its cost or token limit and was paused
    INVALID_OUTPUT = 11  # the agent's final document did not match the output schema, after the retries
    NO_WINNER = 12  # best of N: no attempt finished and passed the selection command
    INTERRUPTED = 130  # Ctrl-C (the conversation keeps running)

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    ExitCode.OK: "success (for run --wait / watch --exit-status: the agent finished)",
    ExitCode.ERROR: "an error (network, server, bad input the server refused)",
    ExitCode.USAGE: "the command line was wrong",
    ExitCode.AUTH: "no API key, or the server refused it: run `ohctl auth login`",
    ExitCode.NOT_FOUND: "no such conversation, sandbox or route",
    ExitCode.AGENT_FAILED: "the agent ended in error or stuck, or its sandbox failed",
    ExitCode.NEEDS_INPUT: "the agent waits for confirmation: `ohctl pending ID`, then `approve` or `reject`",
    ExitCode.PENDING: "the timeout passed while the agent was still running",
    ExitCode.STALLED: "the agent is running but produced no event for the stall time (--stall-after, 15m)",
    ExitCode.OVER_BUDGET: "the agent passed its limit (--max-cost, --max-tokens) and was paused",
    ExitCode.INVALID_OUTPUT: "the agent's result did not match --output-schema, after the retries",
    ExitCode.NO_WINNER: "best of N (run --attempts): no attempt finished and passed --select",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); the conversation keeps running",
}

# ``ohctl.Outcome`` is a str enum: its members look up as their values.
_OUTCOME_CODES: dict[str | None, ExitCode] = {
    "finished": ExitCode.OK,
    "failed": ExitCode.AGENT_FAILED,
    "needs_input": ExitCode.NEEDS_INPUT,
    "stalled": ExitCode.STALLED,
    "over_budget": ExitCode.OVER_BUDGET,
    "invalid_output": ExitCode.INVALID_OUTPUT,
    None: ExitCode.PENDING,
}


def exit_code_for(outcome: str | None) -> ExitCode:
    """The exit code of a wait's outcome (``WaitResult.outcome``, an ``ohctl.Outcome``; None: the
    deadline passed first)."""
    try:
        return _OUTCOME_CODES[outcome]
    except KeyError:
        known = ", ".join(str(o) for o in _OUTCOME_CODES if o is not None)
        raise ValueError(f"{outcome!r} is not an outcome ({known} or None)") from None
