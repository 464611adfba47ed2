"""``ohctl settings profiles``: saved LLM configurations (``client.settings.profiles``). API keys are
sent once, from the environment, and never come back."""

from __future__ import annotations

from typing import Any

import click

from ohctl import redact

from ..context import state
from ..inputs import llm_fields
from ..output import Output, to_data, with_output


@click.group("profiles")
def profiles_group() -> None:
    """Saved LLM profiles: list, show, save, activate, rename, delete (at most 10 per user)."""


@profiles_group.command("list")
@with_output
def list_profiles(out: Output) -> None:
    """Every saved profile; * marks the active one."""
    run = state()
    found = run.client().settings.profiles.list()
    rows = [{**redact(to_data(p)), "active": p.name == found.active_profile} for p in found.profiles]
    if not rows and out.tty and not out.structured:
        click.echo("No saved LLM profiles: `ohctl settings profiles save NAME`.", err=True)
        return
    out.emit_list(
        rows,
        [
            ("", lambda r: "*" if r["active"] else ""),
            ("name", lambda r: r["name"]),
            ("model", lambda r: r.get("model")),
            ("base url", lambda r: r.get("base_url")),
            ("api key", lambda r: "set" if r.get("api_key_set") else "none"),
        ],
    )


@profiles_group.command("show")
@click.argument("name")
@with_output
def show(name: str, out: Output) -> None:
    """One profile's LLM configuration (its key is never shown: api_key_set says if one is stored)."""
    run = state()
    out.emit(redact(to_data(run.client().settings.profiles.retrieve(name))), human=_print)


def _print(data: dict[str, Any]) -> None:
    click.echo(f"{'name:':<22}{data['name']}")
    click.echo(f"{'api key:':<22}{'set' if data.get('api_key_set') else 'none'}")
    for key, value in sorted((data.get("config") or {}).items()):
        if value is not None and key != "api_key":
            click.echo(f"{key + ':':<22}{value}")


@profiles_group.command("save")
@click.argument("name")
@click.option("--model", metavar="MODEL", help="The model (else: a snapshot of the current LLM settings).")
@click.option("--base-url", metavar="URL", help="The LLM's base URL.")
@click.option("--api-key-env", metavar="VAR", help="Read the LLM's API key from this environment variable.")
@click.option("--without-key", is_flag=True, help="Store it without an API key.")
def save(name: str, model: str | None, base_url: str | None, api_key_env: str | None, without_key: bool) -> None:
    """Save profile NAME: from the flags, or a snapshot of the current LLM settings. Overwrites."""
    llm = llm_fields(model, base_url, api_key_env)
    change = state().client().settings.profiles.save(name, llm or None, include_secrets=not without_key)
    click.echo(change.message or f"Saved LLM profile {change.name!r}.", err=True)


@profiles_group.command("activate")
@click.argument("name")
def activate(name: str) -> None:
    """Make profile NAME the LLM of new conversations."""
    change = state().client().settings.profiles.activate(name)
    click.echo(f"Active LLM profile: {change.name}" + (f" ({change.model})" if change.model else ""), err=True)


@profiles_group.command("rename")
@click.argument("name")
@click.argument("new_name")
def rename(name: str, new_name: str) -> None:
    """Rename profile NAME to NEW_NAME (keeps its config, key and active flag)."""
    change = state().client().settings.profiles.rename(name, new_name)
    click.echo(change.message or f"Renamed {name!r} to {new_name!r}.", err=True)


@profiles_group.command("delete")
@click.argument("name")
def delete(name: str) -> None:
    """Delete profile NAME (deleting the active one activates the first remaining one)."""
    change = state().client().settings.profiles.delete(name)
    click.echo(change.message or f"Deleted LLM profile {name!r}.", err=True)
