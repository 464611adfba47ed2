"""``ohctl pending``, ``approve`` and ``reject``: answer an agent that waits for confirmation."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from ..context import state
from ..output import Output, with_output
from ..params import CONVERSATION, budget_options, stall_after_option

if TYPE_CHECKING:
    import ohctl

    from ..output import Columns


def columns() -> Columns:
    from ..render import one_line

    def risk(action: ohctl.PendingAction) -> str:
        return action.risk or "UNKNOWN"

    return [
        ("risk", risk),
        ("tool", lambda a: a.tool or ""),
        ("action", lambda a: one_line(a.brief, 60)),
        ("reason", lambda a: one_line(a.reason, 50)),
    ]


@click.command("pending")
@click.argument("conversation", type=CONVERSATION)
@with_output
def pending(conversation: str, out: Output) -> None:
    """The actions waiting for your approval: command or file, the agent's stated risk and reason.

    \b
    ohctl pending ID                  # then: ohctl approve ID, or ohctl reject ID --reason TEXT
    ohctl pending ID --json           # for scripts and other agents
    """
    from ..pending_view import answer_hints

    actions = state().client().conversations.pending(conversation)
    out.emit_list(actions, columns())
    if out.structured:
        return
    if not actions:
        out.status(f"nothing waits for confirmation in {conversation}")
        return
    for hint in answer_hints(conversation):
        out.status(hint)


def _after_answer(
    conversation: str,
    verb: str,
    actions: list[ohctl.PendingAction],
    wait: bool,
    timeout: float,
    stall_after: float | None,
    out: Output,
    limits: ohctl.Budget | None = None,
) -> None:
    """Say what was answered (the actions as JSON with --json), then with ``wait`` follow the run
    (pausing it at ``limits``)."""
    from ..outcomes import conclude, interrupted

    count = len(actions)
    out.status(f"{verb} {count} action{'s' if count != 1 else ''} of {conversation}")
    if not wait:
        if out.structured:
            out.emit_list(actions, columns())
        return
    client = state().client()
    started = time.monotonic()
    out.status("waiting for the agent (Ctrl-C leaves it running)")
    try:
        # fresh: the status the answer replaces is not this run's outcome
        result = client.conversations.wait(
            conversation,
            timeout=timeout,
            fresh=True,
            stall_after=stall_after,
            max_cost=limits.max_cost if limits else None,
            max_tokens=limits.max_tokens if limits else None,
            raise_on_outcome=False,
        )
    except KeyboardInterrupt:
        interrupted(conversation)
    conclude(client, conversation, result.outcome, out, started=started, stall=result.stall, budget=result.budget)


@click.command("approve")
@click.argument("conversation", type=CONVERSATION)
@click.option("--wait", is_flag=True, help="Then wait until the agent's run ends; exit code of the outcome.")
@click.option("--timeout", type=float, default=3600.0, show_default=True, help="Seconds to wait (with --wait).")
@stall_after_option("with --wait: ")
@budget_options("with --wait: ")
@with_output
def approve(
    conversation: str,
    wait: bool,
    timeout: float,
    stall_after: float | None,
    max_cost: float | None,
    max_tokens: int | None,
    out: Output,
) -> None:
    """Approve the pending actions: the agent runs them and goes on (a paused sandbox is resumed)."""
    limits = _limits(wait, max_cost, max_tokens)
    actions = state().client().conversations.approve(conversation)
    _after_answer(conversation, "approved", actions, wait, timeout, stall_after, out, limits)


@click.command("reject")
@click.argument("conversation", type=CONVERSATION)
@click.option("--reason", required=True, metavar="TEXT", help="Why: the agent reads it and decides what to do instead.")
@click.option("--wait", is_flag=True, help="Then wait until the agent's run ends; exit code of the outcome.")
@click.option("--timeout", type=float, default=3600.0, show_default=True, help="Seconds to wait (with --wait).")
@stall_after_option("with --wait: ")
@budget_options("with --wait: ")
@with_output
def reject(
    conversation: str,
    reason: str,
    wait: bool,
    timeout: float,
    stall_after: float | None,
    max_cost: float | None,
    max_tokens: int | None,
    out: Output,
) -> None:
    """Reject the pending actions; the agent reads the reason and goes on without them.

    \b
    ohctl reject ID --reason "Do not touch the lock file; change pyproject.toml instead"
    """
    if not reason.strip():
        raise click.BadParameter("the reason is empty", param_hint="--reason")
    limits = _limits(wait, max_cost, max_tokens)
    actions = state().client().conversations.reject(conversation, reason=reason)
    _after_answer(conversation, "rejected", actions, wait, timeout, stall_after, out, limits)


def _limits(wait: bool, max_cost: float | None, max_tokens: int | None) -> ohctl.Budget:
    from ohctl import Budget

    limits = Budget(max_cost, max_tokens)
    if limits.active and not wait:
        raise click.UsageError("--max-cost and --max-tokens watch the agent while waiting: add --wait")
    return limits
