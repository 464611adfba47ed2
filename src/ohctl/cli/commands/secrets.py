"""``ohctl secrets``: the user's stored secrets (exposed to conversations as environment variables).
Values go in from stdin, a hidden prompt or a named environment variable; never argv, never echoed."""

from __future__ import annotations

import click

from ..context import state
from ..inputs import read_secret
from ..output import Output, to_data, with_output


@click.group("secrets")
def secrets_group() -> None:
    """Stored secrets: list, set, delete. Values are write-only."""


@secrets_group.command("list")
@with_output
def list_secrets(out: Output) -> None:
    """Every secret's name and description (values are never returned)."""
    run = state()
    items = ({"name": s.name, "description": to_data(s).get("description")} for s in run.client().secrets.search())
    out.emit_list(items, [("name", lambda s: s["name"]), ("description", lambda s: s["description"])])


@secrets_group.command("set")
@click.argument("name")
@click.option("--value-env", metavar="VAR", help="Take the value from this environment variable.")
@click.option("--description", metavar="TEXT", help="A description shown with the name.")
def set_secret(name: str, value_env: str | None, description: str | None) -> None:
    """Create or replace secret NAME. The value comes from --value-env VAR, else stdin (a hidden
    prompt on a terminal): `printf %s "$TOKEN" | ohctl secrets set NAME`."""
    value = read_secret(f"value of {name}", env_var=value_env)
    state().client().secrets.create(name, value, description=description)
    click.echo(f"Secret {name} saved.", err=True)


@secrets_group.command("delete")
@click.argument("name")
def delete(name: str) -> None:
    """Delete secret NAME (exit code 5 when there is none)."""
    state().client().secrets.delete(name)
    click.echo(f"Secret {name} deleted.", err=True)
