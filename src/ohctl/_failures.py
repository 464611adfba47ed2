"""What to tell a person about a failure: one readable line, a hint, and the exit code. The command
line and the GitHub Action take them from here, so a failure reads and exits the same everywhere.

Hints are chosen by the exception's type (and its typed attributes), never by the message's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConversationFailedError,
    IdKindError,
    MissingAPIKeyError,
    NeedsInputError,
    NotFoundError,
    OhctlError,
    OverBudgetError,
    PermissionDeniedError,
    ResourceNotFoundError,
    SandboxFailedError,
    StalledError,
    StartTaskFailedError,
    WaitTimeoutError,
)
from ._exit_codes import ExitCode
from ._structured import InvalidOutputError

__all__ = ["Failure", "describe_failure"]


@dataclass(frozen=True)
class Failure:
    """What to tell a person about an exception: one line, an optional hint, and the exit code."""

    message: str
    hint: str | None
    code: ExitCode


LOGIN_HINT = "run `ohctl auth login`, or set OPENHANDS_API_KEY"


def describe_failure(exc: BaseException) -> Failure:
    """The message, hint and exit code for an exception (anything not an ``OhctlError`` is a bug)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, AuthenticationError):
        return Failure(f"The server refused the key: {exc.detail or message}", LOGIN_HINT, ExitCode.AUTH)
    if isinstance(exc, PermissionDeniedError):
        return Failure(message, "the key has no access to this resource or repository", ExitCode.AUTH)
    if isinstance(exc, MissingAPIKeyError):
        return Failure(message, LOGIN_HINT, ExitCode.AUTH)
    if isinstance(exc, (NotFoundError, IdKindError)):
        return Failure(message, _not_found_hint(exc), ExitCode.NOT_FOUND)
    if isinstance(exc, WaitTimeoutError):
        return Failure(message, "it is still running: follow it with `ohctl watch ID`", ExitCode.PENDING)
    if isinstance(exc, NeedsInputError):
        return Failure(message, "approve or reject the pending action", ExitCode.NEEDS_INPUT)
    if isinstance(exc, StalledError):
        return Failure(message, "see what it did last with `ohctl events ID`", ExitCode.STALLED)
    if isinstance(exc, InvalidOutputError):
        return Failure(message, "see the agent's last message with `ohctl show ID`", ExitCode.INVALID_OUTPUT)
    if isinstance(exc, OverBudgetError):
        return Failure(
            message, "it is paused, nothing deleted: `ohctl send ID TEXT` continues it", ExitCode.OVER_BUDGET
        )
    if isinstance(exc, (ConversationFailedError, SandboxFailedError, StartTaskFailedError)):
        return Failure(message, "see what happened with `ohctl events ID`", ExitCode.AGENT_FAILED)
    if isinstance(exc, APIConnectionError):
        return Failure(message, "check the server URL (`ohctl auth status`) and the network", ExitCode.ERROR)
    if isinstance(exc, OhctlError):
        return Failure(message, None, ExitCode.ERROR)
    return Failure(f"{type(exc).__name__}: {message}", "this is a bug in ohctl: please report it", ExitCode.ERROR)


def _not_found_hint(exc: NotFoundError | IdKindError) -> str | None:
    if isinstance(exc, IdKindError):
        return "list conversations with `ohctl list`"
    if isinstance(exc, ResourceNotFoundError):
        return "list conversations with `ohctl list`" if exc.resource in ("conversation", "start-task") else None
    if _missing_v1_route(exc):
        return "the server has no such V1 route: an older server speaks V0, try `ohctl --legacy ...`"
    return None


def _missing_v1_route(exc: APIStatusError) -> bool:
    """FastAPI's bare 404 for a V1 route: the route itself is missing (a server older than V1)."""
    return exc.detail == "Not Found" and "/api/v1/" in str(exc.url)
