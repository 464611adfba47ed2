"""One readable line and a hint for every failure, and the exit code that goes with it.

A traceback is shown only with ``OHCTL_LOG=debug`` (or ``--debug``). Messages come from the SDK,
which never puts a key in them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click

from .exit_codes import Exit


@dataclass(frozen=True)
class Failure:
    message: str
    hint: str | None
    code: Exit


def describe(exc: BaseException) -> Failure:
    """What to print and which exit code to use for an exception a command raised."""
    import ohctl

    message = str(exc) or type(exc).__name__
    if isinstance(exc, ohctl.AuthenticationError):
        return Failure(
            f"The server refused the key: {getattr(exc, 'detail', '') or message}",
            "run `ohctl auth login`, or set OPENHANDS_API_KEY",
            Exit.AUTH,
        )
    if isinstance(exc, ohctl.PermissionDeniedError):
        return Failure(message, "the key has no access to this resource or repository", Exit.AUTH)
    if isinstance(exc, ohctl.ConfigurationError) and "API key" in message:
        return Failure(message, "run `ohctl auth login`, or set OPENHANDS_API_KEY", Exit.AUTH)
    if isinstance(exc, (ohctl.NotFoundError, ohctl.IdKindError)):
        hint = "list conversations with `ohctl list`" if "onversation" in message or "start-task" in message else None
        if _missing_v1_route(exc):
            hint = "the server has no such V1 route: an older server speaks V0, try `ohctl --legacy ...`"
        return Failure(message, hint, Exit.NOT_FOUND)
    if isinstance(exc, ohctl.WaitTimeoutError):
        return Failure(message, "it is still running: follow it with `ohctl watch ID`", Exit.PENDING)
    if isinstance(exc, ohctl.NeedsInputError):
        return Failure(message, "approve or reject the pending action", Exit.NEEDS_INPUT)
    if isinstance(exc, (ohctl.ConversationFailedError, ohctl.SandboxFailedError, ohctl.StartTaskFailedError)):
        return Failure(message, "see what happened with `ohctl events ID`", Exit.AGENT_FAILED)
    if isinstance(exc, ohctl.APIConnectionError):
        return Failure(message, "check the server URL (`ohctl auth status`) and the network", Exit.ERROR)
    if isinstance(exc, ohctl.OhctlError):
        return Failure(message, None, Exit.ERROR)
    return Failure(f"{type(exc).__name__}: {message}", "this is a bug in ohctl: please report it", Exit.ERROR)


def _missing_v1_route(exc: BaseException) -> bool:
    """FastAPI's bare 404 for a V1 route: the route itself is missing (a server older than V1)."""
    import ohctl

    return (
        isinstance(exc, ohctl.APIStatusError)
        and not isinstance(exc, ohctl.ResourceNotFoundError)
        and getattr(exc, "detail", None) == "Not Found"
        and "/api/v1/" in str(getattr(exc, "url", ""))
    )


def debug_enabled() -> bool:
    return os.environ.get("OHCTL_LOG", "").lower() == "debug"


def report(exc: BaseException) -> Exit:
    """Print the failure on stderr and return its exit code."""
    failure = describe(exc)
    if debug_enabled():
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(f"error: {failure.message}", err=True)
    if failure.hint:
        click.echo(f"hint: {failure.hint}", err=True)
    return failure.code
