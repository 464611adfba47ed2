"""``ohctl stop``: pause agents without losing anything; and the way every bulk command (``stop
--all-running``, ``delete --older-than``, ``sandboxes prune``) shows its plan, asks, and carries it out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ohctl import ExitCode

from ..context import state
from ..errors import exit_with
from ..params import CONVERSATION

if TYPE_CHECKING:
    import ohctl


def carry_out(plan: ohctl.BulkPlan, *, dry_run: bool, yes: bool, what: str) -> None:
    """Print the plan (one line per action, on stdout); with ``dry_run`` stop there; else confirm
    (``--yes``, a question on a terminal, refused without one) and execute it: exit 1 if any failed."""
    from ..inputs import confirm_or_yes

    if not plan:
        click.echo(f"nothing to {plan.name}: no {what} matches", err=True)
        return
    for line in plan.lines():
        click.echo(line)
    if dry_run:
        click.echo(f"dry run: {len(plan)} {what} would be affected; nothing was changed", err=True)
        return
    confirm_or_yes(f"{plan.name.capitalize()} these {len(plan)} {what}?", yes)
    client = state().client()
    result = client.sandboxes.execute(plan) if plan.name == "prune" else client.conversations.execute(plan)
    for failed, why in result.failed.items():
        click.echo(f"error: {failed}: {why}", err=True)
    click.echo(f"{plan.name}: {len(result.done)} done, {len(result.failed)} failed", err=True)
    if not result.ok:
        exit_with(ExitCode.ERROR)


@click.command("stop")
@click.argument("conversations", nargs=-1, type=CONVERSATION)
@click.option("--sandbox", is_flag=True, help="Also pause the sandbox (`send` resumes it).")
@click.option("--all-running", is_flag=True, help="Every conversation whose agent is running now.")
@click.option("--dry-run", is_flag=True, help="With --all-running: list what would be stopped, change nothing.")
@click.option("--yes", "-y", is_flag=True, help="With --all-running: do not ask (required when not on a terminal).")
def stop(conversations: tuple[str, ...], sandbox: bool, all_running: bool, dry_run: bool, yes: bool) -> None:
    """Pause agents: the conversation and its sandbox stay, and `ohctl send ID TEXT` continues it.

    \b
    ohctl stop ID                     # pause the agent after its current step
    ohctl stop ID --sandbox           # and pause its sandbox too
    ohctl stop --all-running --dry-run
    ohctl stop --all-running --yes
    """
    if all_running == bool(conversations):
        raise click.UsageError("give conversation ids, or --all-running (not both)")
    if (dry_run or yes) and not all_running:
        raise click.UsageError("--dry-run and --yes go with --all-running")
    client = state().client()
    if all_running:
        carry_out(client.conversations.plan_stop(sandbox=sandbox), dry_run=dry_run, yes=yes, what="conversations")
        return
    for cid in dict.fromkeys(conversations):
        done = client.conversations.stop(cid, sandbox=sandbox)
        what = ["agent paused"] if done.agent_paused else ["agent pausing"] if done.pausing else []
        what += ["sandbox paused"] if done.sandbox_paused else []
        note = f" ({done.note})" if done.note else ""
        click.echo(f"stopped {cid}: {', '.join(what) or 'nothing to pause'}{note}", err=True)
    click.echo('continue with: ohctl send ID "..."', err=True)
