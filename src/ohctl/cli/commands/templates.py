"""``ohctl templates``: the prompt templates ``ohctl run --template`` can use."""

from __future__ import annotations

import click

from ..context import state
from ..output import json_option, make_output


def _data(template: object) -> dict[str, object]:
    from ..prompts import Template

    assert isinstance(template, Template)
    return {
        "name": template.name,
        "source": template.source,
        "description": template.description,
        "variables": template.variables,
        "path": template.path,
    }


@click.group("templates")
def templates_group() -> None:
    """Prompt templates: built-in ones and yours in <config dir>/templates/NAME.md.j2."""


@templates_group.command("list")
@json_option
def list_templates(json_fields: str | None, jq_expr: str | None) -> None:
    """Every template, with its variables (yours replace built-ins of the same name)."""
    from ..prompts import templates, user_dir

    out = make_output(json_fields, jq_expr, no_color=state().no_color)
    rows = [_data(t) for t in templates().values()]
    out.emit_list(
        rows,
        [
            ("name", lambda r: r["name"]),
            ("source", lambda r: r["source"]),
            ("variables", lambda r: ", ".join(r["variables"])),
            ("description", lambda r: r["description"]),
        ],
    )
    if out.tty and not out.structured:
        out.status(f"your own templates: {user_dir()}/NAME.md.j2")


@templates_group.command("show")
@click.argument("name")
@json_option
def show_template(name: str, json_fields: str | None, jq_expr: str | None) -> None:
    """A template's text and variables."""
    from ..prompts import TemplateError, find

    out = make_output(json_fields, jq_expr, no_color=state().no_color)
    try:
        template = find(name)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    data = {**_data(template), "text": template.text}
    out.emit(data, human=lambda d: click.echo(d["text"], nl=not str(d["text"]).endswith("\n")))
