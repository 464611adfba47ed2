"""``ohctl templates``: the prompt templates ``ohctl run --template`` can use."""

from __future__ import annotations

import click

from ..output import Output, with_output


def _data(template: object) -> dict[str, object]:
    from ohctl.templates import Template

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
@with_output
def list_templates(out: Output) -> None:
    """Every template, with its variables (yours replace built-ins of the same name)."""
    from ohctl import templates

    rows = [_data(t) for t in templates.available().values()]
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
        out.status(f"your own templates: {templates.user_dir()}/NAME.md.j2")


@templates_group.command("show")
@click.argument("name")
@with_output
def show_template(name: str, out: Output) -> None:
    """A template's text and variables."""
    from ohctl import templates

    try:
        template = templates.find(name)
    except templates.TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    data = {**_data(template), "text": template.text}
    out.emit(data, human=lambda d: click.echo(d["text"], nl=not str(d["text"]).endswith("\n")))
