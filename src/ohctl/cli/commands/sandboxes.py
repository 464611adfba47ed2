"""``ohctl sandboxes``: list, show, pause, resume and delete sandboxes. A sandbox's session key is
never printed, nor the query of its URLs (where a VSCODE URL carries it)."""

from __future__ import annotations

from typing import Any

import click

from ohctl import redact, redact_url

from ..context import state
from ..inputs import confirm_or_yes, fail
from ..output import Output, to_data, with_output


@click.group("sandboxes")
def sandboxes_group() -> None:
    """The sandboxes conversations run in: list, show, pause, resume, delete, prune."""


def _public(sandbox: Any) -> dict[str, Any]:
    data: dict[str, Any] = to_data(sandbox)
    data.pop("session_api_key", None)
    data["session_api_key_set"] = bool(getattr(sandbox, "session_api_key", None))
    for exposed in data.get("exposed_urls") or []:
        if isinstance(exposed, dict) and isinstance(exposed.get("url"), str):
            exposed["url"] = redact_url(exposed["url"])
    result: dict[str, Any] = redact(data)
    return result


def _agent_url(data: dict[str, Any]) -> str | None:
    for exposed in data.get("exposed_urls") or []:
        if exposed.get("name") == "AGENT_SERVER":
            return str(exposed.get("url"))
    return None


@sandboxes_group.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@with_output
def list_sandboxes(limit: int | None, out: Output) -> None:
    """Every sandbox (all pages), newest first as the server orders them."""
    run = state()
    items = (_public(s) for s in run.client().sandboxes.search(limit=limit))
    out.emit_list(
        items,
        [
            ("id", lambda d: d["id"]),
            ("status", lambda d: d["status"]),
            ("created", lambda d: (d.get("created_at") or "")[:19].replace("T", " ")),
            ("spec", lambda d: d.get("sandbox_spec_id")),
            ("agent server", _agent_url),
        ],
    )


@sandboxes_group.command("show")
@click.argument("sandbox_id", metavar="ID")
@with_output
def show(sandbox_id: str, out: Output) -> None:
    """One sandbox: status, spec, exposed URLs (exit code 5 when there is none with this id)."""
    run = state()
    out.emit(_public(run.client().sandboxes.retrieve(sandbox_id)), human=_print)


def _print(data: dict[str, Any]) -> None:
    for name in ("id", "status", "status_detail", "sandbox_spec_id", "created_at", "created_by_user_id"):
        if data.get(name) is not None:
            click.echo(f"{name + ':':<20}{data[name]}")
    for exposed in data.get("exposed_urls") or []:
        click.echo(f"{'url ' + str(exposed.get('name')) + ':':<20}{exposed.get('url')}")


def _act(verb: str, done: str, sandbox_id: str) -> None:
    client = state().client()
    ok = bool(getattr(client.sandboxes, verb)(sandbox_id))
    if not ok:
        fail(f"the server did not {verb} sandbox {sandbox_id}", "see its state with `ohctl sandboxes show ID`")
    click.echo(f"{done} sandbox {sandbox_id}", err=True)


@sandboxes_group.command("pause")
@click.argument("sandbox_id", metavar="ID")
def pause(sandbox_id: str) -> None:
    """Pause a sandbox (its conversations stop until it is resumed)."""
    _act("pause", "Paused", sandbox_id)


@sandboxes_group.command("resume")
@click.argument("sandbox_id", metavar="ID")
@click.option("--wait", is_flag=True, help="Wait until it is RUNNING (exit code 8 on timeout, 6 if it fails).")
@click.option("--timeout", type=click.FloatRange(min=1), default=180.0, show_default=True, help="Seconds to wait.")
def resume(sandbox_id: str, wait: bool, timeout: float) -> None:
    """Resume a paused sandbox (it takes a while to be RUNNING again: --wait)."""
    _act("resume", "Resumed", sandbox_id)
    if wait:
        click.echo(f"waiting for sandbox {sandbox_id} to be RUNNING ...", err=True)
        found = state().client().sandboxes.wait(sandbox_id, timeout=timeout)
        click.echo(f"sandbox {found.id} is {found.status}", err=True)


@sandboxes_group.command("delete")
@click.argument("sandbox_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask (required when stdin is not a terminal).")
def delete(sandbox_id: str, yes: bool) -> None:
    """Delete a sandbox and what is in it."""
    confirm_or_yes(f"Delete sandbox {sandbox_id} and everything in it?", yes)
    _act("delete", "Deleted", sandbox_id)


@sandboxes_group.command("prune")
@click.option("--idle", metavar="AGE", required=True, help="Idle this long (30m, 1h, 2d): no agent at work, no update.")
@click.option("--delete", "delete_", is_flag=True, help="Delete them (and idle paused ones) instead of pausing.")
@click.option("--dry-run", is_flag=True, help="List what would be pruned, change nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask (required when stdin is not a terminal).")
def prune(idle: str, delete_: bool, dry_run: bool, yes: bool) -> None:
    """Pause the running sandboxes that have been idle for --idle (or delete them with --delete).

    \b
    ohctl sandboxes prune --idle 1h --dry-run
    ohctl sandboxes prune --idle 1h --yes
    """
    import ohctl

    from .stop import carry_out

    try:
        ohctl.parse_duration(idle)
    except ohctl.InvalidArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint="--idle") from None
    plan = state().client().sandboxes.plan_prune(idle=idle, delete=delete_)
    carry_out(plan, dry_run=dry_run, yes=yes, what="sandboxes")
