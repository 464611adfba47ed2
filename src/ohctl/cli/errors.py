"""One readable line and a hint for every failure, and the exit code that goes with it.

A traceback is shown only with ``OHCTL_LOG=debug`` (or ``--debug``). Messages come from the SDK,
which never puts a key in them.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ohctl import ExitCode


def exit_with(code: int) -> NoReturn:
    """End the command with ``code`` (an ``ohctl.ExitCode``, or a remote command's own code). It is
    click's Exit, so ``main()`` (or click's runner in tests) turns it into the process status."""
    raise click.exceptions.Exit(int(code))


def report(exc: BaseException, *, debug: bool = False) -> ExitCode:
    """Print the failure on stderr (its traceback too with ``debug``) and return its exit code."""
    import ohctl

    failure = ohctl.describe_failure(exc)
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    click.echo(f"error: {failure.message}", err=True)
    if failure.hint:
        click.echo(f"hint: {failure.hint}", err=True)
    return failure.code
