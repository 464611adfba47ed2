"""How a command that waited on an agent ends: a summary line, a hint, and the exit code of the
outcome (0 finished, 6 failed, 7 needs input, 8 still running at the deadline, 9 stalled, 10 over budget,
130 Ctrl-C)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ohctl import ExitCode, exit_code_for

from .errors import exit_with
from .render import Paint, summary_line

if TYPE_CHECKING:
    from collections.abc import Callable

    import ohctl

    from .output import Output
    from .params import ThenWait


def hints(cid: str, outcome: str | None) -> list[str]:
    if outcome == "failed":
        return [f"see what happened: ohctl events {cid}"]
    if outcome == "needs_input":
        return [f"see what waits for approval: ohctl pending {cid}"]
    if outcome == "stalled":
        return [f"it runs but has produced no event for the stall time: see what it did last with `ohctl events {cid}`"]
    if outcome == "over_budget":
        return [f"paused, nothing deleted: see it with `ohctl show {cid}`, continue it with `ohctl send {cid} TEXT`"]
    if outcome is None:
        return [f"still running: follow it with `ohctl watch {cid}`"]
    return []


def conclude(
    client: ohctl.OpenHands,
    cid: str,
    outcome: str | None,
    out: Output,
    *,
    started: float | None = None,
    stall: ohctl.Stall | None = None,
    budget: ohctl.BudgetHit | None = None,
) -> NoReturn:
    """Print the summary (JSON when asked, else one line on stderr) and exit with the outcome's code;
    ``stall``: when a stalled agent last produced an event, and what it was; ``budget``: which
    spending limit an agent over budget reached, its value and the limit."""
    summary = client.conversations.summary(cid)
    if outcome is not None:
        summary = summary.model_copy(update={"outcome": outcome})
    if out.structured:
        out.emit(summary)
    else:
        elapsed = time.monotonic() - started if started is not None else None
        click.echo(summary_line(summary, Paint(out.color), elapsed), err=True)
    if outcome is None:
        click.echo("timed out: the agent is still running", err=True)
    if outcome == "needs_input" and not out.structured:
        from .pending_view import show_pending

        show_pending(client, cid, Paint(out.color))
    if stall is not None:
        click.echo(f"stalled: {stall.describe()}", err=True)
    if budget is not None:
        click.echo(f"over budget: {budget.describe()}", err=True)
    for hint in hints(cid, outcome):
        click.echo(f"hint: {hint}", err=True)
    exit_with(exit_code_for(outcome))


def conclude_structured(
    client: ohctl.OpenHands, result: ohctl.StructuredResult[Any], out: Output, *, started: float | None = None
) -> None:
    """End ``run --output-schema``: the document alone on stdout and exit 0, or the problems of each
    attempt on stderr and exit 11. Any other outcome (failed, stalled, the deadline) returns, for
    ``conclude``."""
    if result.outcome not in ("finished", "invalid_output"):
        return
    if result.ok:
        click.echo(json.dumps(result.document, ensure_ascii=False))
    else:
        for attempt, problems in enumerate(result.errors, start=1):
            click.echo(f"attempt {attempt}: the document did not match the schema:", err=True)
            for problem in problems:
                click.echo(f"  {problem}", err=True)
        click.echo(f"hint: the agent's last message: ohctl show {result.conversation_id}", err=True)
    summary = client.conversations.summary(result.conversation_id).model_copy(update={"outcome": str(result.outcome)})
    elapsed = time.monotonic() - started if started is not None else None
    tries = f" ({result.attempts} attempt(s))" if result.attempts > 1 or not result.ok else ""
    click.echo(summary_line(summary, Paint(out.color), elapsed) + tries, err=True)
    exit_with(exit_code_for(result.outcome))


def interrupted(cid: str | None) -> NoReturn:
    """Ctrl-C: leave the conversation running and say how to come back to it."""
    click.echo("", err=True)
    if cid is None:
        what = "the start was interrupted before the conversation was ready"
        click.echo(f"interrupted: {what}; see `ohctl list` for what the server kept", err=True)
    else:
        click.echo(f"interrupted: conversation {cid} keeps running on the server", err=True)
        click.echo(f"re-attach: ohctl watch {cid}   (or: ohctl events {cid} --follow)", err=True)
    exit_with(ExitCode.INTERRUPTED)


def wait_for_run(
    client: ohctl.OpenHands,
    cid: str,
    then: ThenWait,
    out: Output,
    *,
    started: float,
    first: Callable[[], object] | None = None,
) -> NoReturn:
    """Follow the run just set going (``first``, when given, is the request that does it) to its
    outcome and exit with its code; Ctrl-C leaves the agent running. ``then.timeout`` counts from
    ``started`` (the command's start). The wait is ``fresh``: the status the run replaces is not its
    outcome."""
    try:
        if first is not None:
            first()
        result = client.conversations.wait(
            cid,
            timeout=max(1.0, then.timeout - (time.monotonic() - started)),
            fresh=True,
            stall_after=then.stall_after,
            max_cost=then.limits.max_cost,
            max_tokens=then.limits.max_tokens,
            raise_on_outcome=False,
        )
    except KeyboardInterrupt:
        interrupted(cid)
    conclude(client, cid, result.outcome, out, started=started, stall=result.stall, budget=result.budget)
