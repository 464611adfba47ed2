"""How commands print: a table on a terminal, NDJSON when piped, JSON with ``--json`` (and field
selection ``--json id,status``), a jq filter with ``--jq``. Colour follows NO_COLOR / --no-color and
is off when the output is not a terminal.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click

from ohctl import redact

from .context import state

R = TypeVar("R")
Columns = Sequence[tuple[str, Callable[[Any], Any]]]


def fields_of(data: dict[str, Any], columns: Columns) -> list[str]:
    """The names ``--json`` accepts: the data's own fields, then the table's columns it lacks."""
    return [*data, *(name for name, _ in columns if name not in data)]


def to_data(value: Any) -> Any:
    """Plain JSON data from models, dataclasses, enums, paths and dates. It still holds whatever
    secrets the data holds: everything printed goes through ``redact`` too (see ``Output._select``)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_data(v) for v in value]
    return value


@dataclasses.dataclass
class Output:
    """The output settings of one command run."""

    json_fields: list[str] | None = None  # [] means all fields
    jq: str | None = None
    color: bool = True
    tty: bool = dataclasses.field(default_factory=lambda: sys.stdout.isatty())

    @property
    def structured(self) -> bool:
        return self.json_fields is not None or self.jq is not None

    def _select(self, item: Any, columns: Columns = ()) -> Any:
        """The item as JSON data, only the chosen fields with ``--json FIELDS``. A field the data lacks
        but a table column of that name shows (a conversation's ``status``) has the column's value, so
        that JSON and table agree; a field neither has is a usage error that lists what there is."""
        data = redact(to_data(item))  # whatever a server sends back, no key is ever printed
        if not self.json_fields or not isinstance(data, dict):
            return data
        shown = {name: get for name, get in columns if name not in data}
        unknown = [name for name in self.json_fields if name not in data and name not in shown]
        if unknown:
            raise click.UsageError(
                f"unknown --json field {', '.join(unknown)}: the fields are {', '.join(fields_of(data, columns))}"
            )
        return {name: data[name] if name in data else redact(to_data(shown[name](item))) for name in self.json_fields}

    def _fields_help(self, item: Any, columns: Columns) -> bool:
        """``--json help``: print the fields there are (of ``item``, else the columns) and say so."""
        if self.json_fields != ["help"]:
            return False
        data = to_data(item) if item is not None else {}
        click.echo("\n".join(fields_of(data if isinstance(data, dict) else {}, columns)))
        return True

    def _jq(self, data: Any) -> Iterable[Any]:
        import jq

        try:
            program = jq.compile(self.jq or ".")
        except ValueError as exc:
            raise click.UsageError(f"bad --jq expression: {exc}") from None
        try:
            results: list[Any] = program.input_value(data).all()
        except ValueError as exc:  # the expression does not fit the data: the user's to fix, not a bug
            raise click.UsageError(f"--jq {self.jq!r} failed on this data: {exc}") from None
        return results

    def emit(self, item: Any, *, human: Callable[[Any], None] | None = None) -> None:
        """One object: JSON when asked (or when piped), else the ``human`` rendering."""
        if self._fields_help(item, ()):
            return
        if self.structured or not self.tty or human is None:
            data = self._select(item)
            if self.jq is not None:
                for result in self._jq(data):
                    click.echo(result if isinstance(result, str) else json.dumps(result))
                return
            click.echo(json.dumps(data, indent=2 if self.tty else None))
            return
        human(item)

    def emit_list(self, items: Iterable[Any], columns: Columns) -> int:
        """Many objects: a table on a terminal, NDJSON when piped, a JSON array with --json, each
        jq result with --jq. Returns how many were printed."""
        if self.json_fields == ["help"]:
            self._fields_help(next(iter(items), None), columns)
            return 0
        if self.jq is not None:
            data = [self._select(item, columns) for item in items]
            for result in self._jq(data):
                click.echo(result if isinstance(result, str) else json.dumps(result))
            return len(data)
        if self.json_fields is not None:
            data = [self._select(item, columns) for item in items]
            click.echo(json.dumps(data, indent=2 if self.tty else None))
            return len(data)
        if not self.tty:
            count = 0
            for item in items:
                click.echo(json.dumps(self._select(item, columns)))
                count += 1
            return count
        return self._table(items, columns)

    def _table(self, items: Iterable[Any], columns: Columns) -> int:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, header_style="bold" if self.color else "", pad_edge=False)
        for name, _ in columns:
            table.add_column(name.upper())
        count = 0
        for item in items:
            # Text, not markup: a title like "Fix [bug]" is shown as it is.
            table.add_row(*(Text("" if (v := get(item)) is None else str(v)) for _, get in columns))
            count += 1
        console = Console(no_color=not self.color, highlight=False, soft_wrap=False)
        console.print(table)
        return count

    def echo(self, text: str = "", *, err: bool = False) -> None:
        click.echo(text, err=err)

    def status(self, text: str) -> None:
        """A progress line for humans, on stderr (so it never mixes with data on stdout)."""
        click.echo(text, err=True)


def color_enabled(no_color_flag: bool) -> bool:
    return not no_color_flag and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def with_output(command: Callable[..., R]) -> Callable[..., R]:
    """``--json [FIELDS]`` and ``--jq EXPR`` for a command that reads. The command does not see them:
    it gets one ready ``out: Output`` argument instead (colour from --no-color, NO_COLOR, the terminal).

    A bare ``--json`` prints every field (gh lists the field names instead; here ``--json help`` does
    that): "JSON instead of a table" is what scripts and the GitHub action ask for, and the fields are
    open-ended, since the models keep whatever new fields the server sends."""

    @functools.wraps(command)
    def with_out(*args: Any, json_fields: str | None = None, jq_expr: str | None = None, **kwargs: Any) -> R:
        return command(*args, out=make_output(json_fields, jq_expr, no_color=state().no_color), **kwargs)

    decorated = click.option(
        "--jq",
        "jq_expr",
        metavar="EXPR",
        default=None,
        help="Filter the JSON output with a jq expression.",
    )(with_out)
    return click.option(
        "--json",
        "json_fields",
        metavar="FIELDS",
        default=None,
        is_flag=False,
        flag_value="",
        help="Print JSON; with FIELDS (comma-separated) only those fields; `--json help` lists them.",
    )(decorated)


def make_output(json_fields: str | None, jq_expr: str | None, *, no_color: bool = False) -> Output:
    fields = None if json_fields is None else [f.strip() for f in json_fields.split(",") if f.strip()]
    return Output(json_fields=fields, jq=jq_expr, color=color_enabled(no_color))
