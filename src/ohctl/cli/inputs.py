"""Reading keys and secret values without ever putting them in argv: a hidden prompt on a terminal,
else stdin or a named environment variable; and ending a command with a message and an exit code."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from ohctl import ExitCode

from .errors import exit_with


def stdin_is_tty() -> bool:
    """Whether a person can be asked (tests replace this to exercise the prompt)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def fail(message: str, hint: str | None = None, code: ExitCode = ExitCode.ERROR) -> NoReturn:
    """Print ``error: message`` (and a hint) on stderr and end the command with ``code``."""
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    exit_with(code)


def read_stdin(what: str) -> str:
    """The whole of stdin without its trailing newline; a usage error when it is empty."""
    value = sys.stdin.read().rstrip("\r\n")
    if not value:
        raise click.UsageError(f"no {what} on stdin")
    return value


def read_secret(what: str, *, env_var: str | None = None, flag: str = "--value-env") -> str:
    """A secret from the environment variable ``env_var`` when given, else a hidden prompt on a
    terminal, else stdin. Never echoed."""
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise click.UsageError(f"the environment variable {env_var} is not set (or empty)")
        return value
    if stdin_is_tty():
        value = str(click.prompt(f"{what} (input hidden)", hide_input=True, default="", show_default=False))
        if not value:
            raise click.UsageError(f"no {what} given")
        return value
    return read_stdin(what)


def confirm_or_yes(question: str, yes: bool) -> None:
    """Destructive commands: go on with --yes; ask on a terminal; refuse without one."""
    if yes:
        return
    if not stdin_is_tty():
        raise click.UsageError("not a terminal, so nothing can be confirmed: pass --yes")
    if not click.confirm(question, default=False):
        exit_with(ExitCode.ERROR)


def key_from_env(var: str) -> str:
    """A key read from the environment variable ``var`` (never from the command line); a usage error
    when it is unset or empty."""
    key = os.environ.get(var)
    if not key:
        raise click.UsageError(f"the environment variable {var} is not set (or empty)")
    return key


def llm_fields(model: str | None, base_url: str | None, key_var: str | None) -> dict[str, str]:
    """The LLM settings given: model, base URL, and the API key read from ``key_var``."""
    fields = {"model": model, "base_url": base_url, "api_key": key_from_env(key_var) if key_var else None}
    return {name: value for name, value in fields.items() if value}
