"""``--on-done CMD`` (``run``, ``watch``) and ``--on-task-done CMD`` (``batch run``): the option's check
and how the command line reports a hook run; the running itself is ``ohctl.run_hook``."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import ohctl

HOOK_HELP = (
    "Run CMD when {what} ends (no shell; its environment has OHCTL_CONVERSATION_ID, OHCTL_OUTCOME, "
    "OHCTL_COST, OHCTL_URL, OHCTL_PR_NUMBERS). Its failure is reported, not fatal."
)


def check_hook(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A usage error now for a command that cannot be split (unbalanced quotes) or is empty."""
    if value is None:
        return None
    try:
        words = shlex.split(value)
    except ValueError as exc:
        raise click.BadParameter(f"cannot split {value!r}: {exc}") from None
    if not words:
        raise click.BadParameter("the command is empty")
    return value


def report(hook: ohctl.HookRun) -> None:
    """One line on stderr when the hook did not succeed (a warning: the command goes on)."""
    if not hook.ok:
        click.echo(f"warning: hook for {hook.conversation_id}: {hook.error}", err=True)


def run_for(client: ohctl.OpenHands, command: str, result: Any) -> ohctl.HookRun:
    """Run the hook for one ended conversation (a ``WaitResult``) and report its failure."""
    import ohctl

    hook = ohctl.run_hook(command, result, base_url=client.base_url)
    report(hook)
    return hook


def run_for_conversation(client: ohctl.OpenHands, command: str, cid: str, outcome: str) -> ohctl.HookRun:
    """Run the hook for ``cid``, which ended with ``outcome`` (its cost and PRs read afresh)."""
    import ohctl

    [conv] = client.conversations.get([cid])
    result = ohctl.WaitResult(ohctl.ConversationId(cid), ohctl.Outcome(outcome), conv)
    return run_for(client, command, result)
