"""``ohctl api``: any route of the app server, like ``gh api``, through the client's request pipeline
(its key, retries, error mapping and redacted logs)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ohctl import redact

from ..context import state
from ..output import Output, with_output

if TYPE_CHECKING:
    import ohctl

_PART = re.compile(r"\[([^\[\]]*)\]")


def _split_key(key: str) -> list[str]:
    """``a[b][]`` -> ``["a", "b", ""]`` (gh's nested field syntax; ``[]`` appends to a list)."""
    head, _, rest = key.partition("[")
    parts = [head]
    if rest:
        rest = "[" + rest
        if _PART.sub("", rest):
            raise click.BadParameter(f"{key!r}: nested keys look like a[b] or a[]")
        parts += _PART.findall(rest)
    if not head:
        raise click.BadParameter(f"{key!r}: a field needs a name")
    return parts


def _place(target: dict[str, Any], key: str, value: Any) -> None:
    parts = _split_key(key)
    node: Any = target
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt_is_list = not last and parts[i + 1] == ""
        if part == "":
            if not isinstance(node, list):
                raise click.BadParameter(f"{key!r}: [] must follow a list")
            if last:
                node.append(value)
                return
            node.append({})
            node = node[-1]
            continue
        if not isinstance(node, dict):
            raise click.BadParameter(f"{key!r}: cannot nest under a list item")
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, [] if nxt_is_list else {})


def _read_at(value: str) -> str:
    """``@path`` (or ``@-`` for stdin) as text."""
    source = value[1:]
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(f"cannot read {source}: {exc.strerror}") from None


def _typed(value: str) -> Any:
    """gh's -F conversion: true, false, null and integers become JSON values; @file reads a file."""
    if value.startswith("@"):
        return _read_at(value)
    if value in ("true", "false"):
        return value == "true"
    if value == "null":
        return None
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _pairs(items: tuple[str, ...], typed: bool) -> list[tuple[str, Any]]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use key=value", param_hint="-f/-F")
        out.append((key, _typed(value) if typed else value))
    return out


def _headers(items: tuple[str, ...]) -> dict[str, str]:
    headers = {}
    for item in items:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r}: use 'Name: value'", param_hint="-H")
        headers[name.strip()] = value.strip()
    return headers


def _pages(client: ohctl.OpenHands, path: str, params: dict[str, Any], headers: dict[str, str]) -> Iterator[Any]:
    """Every item of every page, through the library's pager (``client.paginate``): a ``limit`` field
    is its page size and a ``page_id`` field the page it starts at."""
    import ohctl

    rest = dict(params)
    size, start = rest.pop("limit", None), rest.pop("page_id", None)
    try:
        page_size = None if size is None else int(size)
    except ValueError:
        raise click.BadParameter(f"limit={size!r}: a page size is a whole number", param_hint="-F") from None
    if headers:
        client = client.with_options(headers=headers)
    try:
        pager = client.paginate(path, rest, page_size=page_size, start_page_id=None if start is None else str(start))
    except ohctl.InvalidArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint="-F limit") from None
    try:
        yield from pager
    except ohctl.UnexpectedResponseError as exc:
        if exc.kind != "shape":
            raise
        raise click.UsageError(f"--paginate: {path} did not answer a page ({{items, next_page_id}})") from None


@click.command("api")
@click.argument("method")
@click.argument("path", required=False)
@click.option("-f", "--raw-field", "raw_fields", multiple=True, metavar="KEY=VALUE", help="A string field.")
@click.option(
    "-F",
    "--field",
    "typed_fields",
    multiple=True,
    metavar="KEY=VALUE",
    help="A typed field: true/false/null/integers as JSON, @file (or @-) reads a file's text.",
)
@click.option("--input", "input_file", metavar="FILE", help="The request body from FILE ('-': stdin).")
@click.option("-H", "--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="An extra header.")
@click.option("--paginate", is_flag=True, help="Follow next_page_id: every item (NDJSON; --json: one array).")
@with_output
def api_command(
    method: str,
    path: str | None,
    raw_fields: tuple[str, ...],
    typed_fields: tuple[str, ...],
    input_file: str | None,
    headers: tuple[str, ...],
    paginate: bool,
    out: Output,
) -> None:
    """Call any app-server route: `ohctl api GET /api/v1/sandboxes/search --paginate`.

    METHOD may be left out (`ohctl api /api/v1/users/me`): GET, or POST when there are fields.
    Fields go to the query string for GET and DELETE, else to a JSON body (nested: a[b]=1, a[]=1).
    With --input, the body is the file and the fields go to the query string. The key, retries and
    errors are those of every other command; the answer is printed as JSON.
    """
    fields = _pairs(raw_fields, False) + _pairs(typed_fields, True)
    if path is None:
        path, method = method, ("POST" if fields and not paginate else "GET")
    method = method.upper()
    if not re.fullmatch(r"[A-Z]+", method):
        raise click.BadParameter(f"{method!r} is not an HTTP method", param_hint="METHOD")
    if not path.startswith(("/", "http://", "https://")):
        path = "/" + path
    if paginate and method != "GET":
        raise click.UsageError("--paginate works with GET only")
    data: dict[str, Any] = {}
    for key, value in fields:
        _place(data, key, value)
    kwargs: dict[str, Any] = {"headers": _headers(headers)}
    if input_file is not None:
        kwargs["content"] = sys.stdin.buffer.read() if input_file == "-" else _read_file_bytes(input_file)
        kwargs["headers"].setdefault("Content-Type", "application/json")
        if data:
            kwargs["params"] = data
    elif method in ("GET", "DELETE", "HEAD"):
        if data:
            kwargs["params"] = data
    elif data:
        kwargs["json"] = data
    run = state()
    client = run.client()
    if paginate:
        items = _pages(client, path, kwargs.get("params") or {}, kwargs["headers"])
        if out.structured:
            out.emit_list(items, [])
        else:
            for item in items:
                click.echo(json.dumps(redact(item)))
        return
    out.emit(client.request(method, path, **kwargs))


def _read_file_bytes(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {name}: {exc.strerror}", param_hint="--input") from None
