"""Exit codes: documented in ``ohctl help exit-codes`` and the README."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    ERROR = 1  # any other failure
    USAGE = 2  # bad command line (click's own code)
    AUTH = 4  # no key, or the key was refused
    NOT_FOUND = 5  # the conversation, sandbox or route does not exist
    AGENT_FAILED = 6  # the agent ended in error or stuck, or its sandbox failed
    NEEDS_INPUT = 7  # the agent waits for confirmation of an action
    PENDING = 8  # the deadline passed and it is still running
    INTERRUPTED = 130  # Ctrl-C (the conversation keeps running)


DESCRIPTIONS = {
    Exit.OK: "success (for run --wait / watch --exit-status: the agent finished)",
    Exit.ERROR: "an error (network, server, bad input the server refused)",
    Exit.USAGE: "the command line was wrong",
    Exit.AUTH: "no API key, or the server refused it: run `ohctl auth login`",
    Exit.NOT_FOUND: "no such conversation, sandbox or route",
    Exit.AGENT_FAILED: "the agent ended in error or stuck, or its sandbox failed",
    Exit.NEEDS_INPUT: "the agent waits for confirmation of a pending action",
    Exit.PENDING: "the timeout passed while the agent was still running",
    Exit.INTERRUPTED: "interrupted (Ctrl-C); the conversation keeps running",
}
