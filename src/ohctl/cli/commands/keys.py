"""``ohctl keys``: the hosted Cloud's API keys of the user: list, create (the value printed once),
delete. A self-hosted server has no such routes (exit code 5)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import click

from ..context import state
from ..inputs import confirm_or_yes
from ..output import Output, to_data, with_output

COLUMNS = [
    ("id", lambda k: k["id"]),
    ("name", lambda k: k.get("name")),
    ("created", lambda k: (k.get("created_at") or "")[:19]),
    ("last used", lambda k: (k.get("last_used_at") or "")[:19] or "never"),
    ("expires", lambda k: (k.get("expires_at") or "")[:19] or "never"),
    ("org", lambda k: k.get("org_id") or "(any)"),
]


@click.group("keys")
def keys_group() -> None:
    """API keys of your hosted Cloud account: list, create, delete (the hosted Cloud only)."""


@keys_group.command("list")
@with_output
def list_keys(out: Output) -> None:
    """Your keys in the organization in use: id, name, dates (never the key values)."""
    run = state()
    out.emit_list((to_data(k) for k in run.client().cloud.keys.list()), COLUMNS)


@keys_group.command("create")
@click.argument("name")
@click.option("--expires-in", "days", type=click.IntRange(min=1), metavar="DAYS", help="Expire after DAYS days.")
@click.option("--unbound", is_flag=True, help="Not bound to an organization: it follows --org / the current one.")
@with_output
def create(name: str, days: int | None, unbound: bool, out: Output) -> None:
    """Create key NAME and print its value on stdout: the only time it is shown, so store it now
    (`ohctl keys create ci | gh secret set OPENHANDS_API_KEY`). The key is bound to the organization
    in use (--org, else your current one) unless --unbound."""
    run = state()
    expires = datetime.now(timezone.utc) + timedelta(days=days) if days else None
    extra: dict[str, Any] = {"org_id": None} if unbound else {}
    created = run.client().cloud.keys.create(name, expires_at=expires, **extra)
    if out.structured:
        out.emit(to_data(created))
        return
    click.echo(created.key)
    until = f", expires {created.expires_at:%Y-%m-%d}" if created.expires_at else ""
    click.echo(f"Key {created.name!r} created (id {created.id}{until}): it is not shown again.", err=True)


@keys_group.command("delete")
@click.argument("key_id", type=int)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(key_id: int, yes: bool) -> None:
    """Delete the key with id KEY_ID (from `ohctl keys list`); what uses it stops working."""
    confirm_or_yes(f"Delete API key {key_id}? Anything using it stops working.", yes)
    message = state().client().cloud.keys.delete(key_id)
    click.echo(message or f"Key {key_id} deleted.", err=True)
