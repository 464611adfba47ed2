"""``ohctl pending``, ``approve`` and ``reject``: answer an agent that waits for confirmation."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from ..context import state
from ..output import Output, with_output
from ..params import CONVERSATION, ThenWait, then_wait_options

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
    conversation: str, verb: str, actions: list[ohctl.PendingAction], then: ThenWait, out: Output
) -> None:
    """Say what was answered (the actions as JSON with --json), then with --wait follow the run."""
    from ..outcomes import wait_for_run

    count = len(actions)
    out.status(f"{verb} {count} action{'s' if count != 1 else ''} of {conversation}")
    if not then.wait:
        if out.structured:
            out.emit_list(actions, columns())
        return
    out.status("waiting for the agent (Ctrl-C leaves it running)")
    wait_for_run(state().client(), conversation, then, out, started=time.monotonic())


WAIT_HELP = "Then wait until the agent's run ends; exit code of the outcome."


@click.command("approve")
@click.argument("conversation", type=CONVERSATION)
@then_wait_options(WAIT_HELP)
@with_output
def approve(conversation: str, then: ThenWait, out: Output) -> None:
    """Approve the pending actions: the agent runs them and goes on (a paused sandbox is resumed)."""
    actions = state().client().conversations.approve(conversation)
    _after_answer(conversation, "approved", actions, then, out)


@click.command("reject")
@click.argument("conversation", type=CONVERSATION)
@click.option("--reason", required=True, metavar="TEXT", help="Why: the agent reads it and decides what to do instead.")
@then_wait_options(WAIT_HELP)
@with_output
def reject(conversation: str, reason: str, then: ThenWait, out: Output) -> None:
    """Reject the pending actions; the agent reads the reason and goes on without them.

    \b
    ohctl reject ID --reason "Do not touch the lock file; change pyproject.toml instead"
    """
    if not reason.strip():
        raise click.BadParameter("the reason is empty", param_hint="--reason")
    actions = state().client().conversations.reject(conversation, reason=reason)
    _after_answer(conversation, "rejected", actions, then, out)
