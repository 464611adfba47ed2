"""``ohctl orgs``: the hosted Cloud organizations you belong to: list, show, members, switch.

The organization a command acts in is --org / OHCTL_ORG when given (sent as X-Org-Id), else the
key's own, else your current one (what `ohctl orgs switch` sets on the server).
"""

from __future__ import annotations

from typing import Any

import click

from ..context import state
from ..output import Output, to_data, with_output


@click.group("orgs")
def orgs_group() -> None:
    """Your hosted Cloud organizations: list, show, members, switch (the hosted Cloud only)."""


def _chosen(org: str | None) -> str:
    """ORG, else --org / OHCTL_ORG, else the user's current organization."""
    client = state().client()
    chosen = org or client.options.org or client.cloud.orgs.current_id()
    if not chosen:
        raise click.UsageError("no organization given and none is current: see `ohctl orgs list`")
    return chosen


@orgs_group.command("list")
@with_output
def list_orgs(out: Output) -> None:
    """Every organization you belong to; * marks the one in use."""
    run = state()
    client = run.client()
    current = client.options.org or client.cloud.orgs.current_id()
    rows = ({**to_data(o), "current": o.id == current} for o in client.cloud.orgs.list())
    out.emit_list(
        rows,
        [
            ("", lambda o: "*" if o["current"] else ""),
            ("id", lambda o: o["id"]),
            ("name", lambda o: o.get("name")),
            ("personal", lambda o: "yes" if o.get("is_personal") else ""),
            ("credits", lambda o: o.get("credits")),
        ],
    )


@orgs_group.command("show")
@click.argument("org", required=False)
@with_output
def show(org: str | None, out: Output) -> None:
    """An organization (default: the one in use) and your role in it."""
    run = state()
    orgs = run.client().cloud.orgs
    chosen = _chosen(org)
    info: dict[str, Any] = to_data(orgs.retrieve(chosen))
    me = orgs.me(chosen)
    info["role"], info["permissions"] = me.role, me.permissions
    out.emit(info, human=_print_org)


def _print_org(info: dict[str, Any]) -> None:
    click.echo(f"{info.get('name') or '-'} ({info['id']})")
    for label, key in (("Contact", "contact_email"), ("Role", "role"), ("Credits", "credits")):
        if info.get(key) is not None:
            click.echo(f"  {label}: {info[key]}")
    if info.get("max_budget_per_task") is not None:
        click.echo(f"  Budget per task: {info['max_budget_per_task']}")


@orgs_group.command("members")
@click.argument("org", required=False)
@click.option("--email", metavar="TEXT", help="Only members whose email contains TEXT.")
@click.option("--page", type=click.IntRange(min=0), default=0, show_default=True, help="The page, from 0.")
@with_output
def members(org: str | None, email: str | None, page: int, out: Output) -> None:
    """The members of an organization (default: the one in use), 100 a page."""
    run = state()
    found = run.client().cloud.orgs.members(_chosen(org), page=page, page_size=100, email=email)
    out.emit_list(
        (to_data(m) for m in found.items),
        [("email", lambda m: m.get("email")), ("role", lambda m: m.get("role")), ("status", lambda m: m.get("status"))],
    )


@orgs_group.command("switch")
@click.argument("org")
@click.option(
    "--save",
    is_flag=True,
    help="Also keep ORG in the stored profile: its commands then act in ORG (sent as X-Org-Id) "
    "whatever the server's current organization becomes.",
)
def switch(org: str, save: bool) -> None:
    """Make ORG your current organization on the server (used by every key not bound to one when
    no --org is given); with --save, also in the profile."""
    import ohctl

    chosen = state().client().cloud.orgs.switch(org)
    click.echo(f"Now in organization {chosen.name or chosen.id} ({chosen.id}).", err=True)
    if save:
        name = state().profile or ohctl.default_profile_name()
        if name is None:
            raise click.ClickException("no stored profile to keep it in: run `ohctl auth login` first")
        ohctl.set_profile_org(name, str(chosen.id))
        click.echo(f"Profile {name!r} acts in it from now on (sent as X-Org-Id with each request).", err=True)
    else:
        click.echo("note: to pick one for a single command instead, pass --org ID (or set OHCTL_ORG)", err=True)
