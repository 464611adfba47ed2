"""Route templates: each route is written once, as the full literal path of the OpenAPI document,
beside the method that calls it (``route("/api/v1/sandboxes/{sandbox_id}/pause", sandbox_id=...)``), so
grepping a path from the document lands on its code. The coverage test reads the same templates.

A value fills exactly one path segment and can never change which route is called: besides being
quoted, a value that is empty, a dot segment (``.``, ``..``: clients and servers resolve them, so
``pause("..")`` would become ``POST /api/v1/pause``), or holds a slash, ``?``, ``#`` or a
percent-encoded dot or slash is refused before anything is sent."""

from __future__ import annotations

import re
import string
from urllib.parse import quote

from ._errors import InvalidArgumentError

_FORMATTER = string.Formatter()
_ROUTE_CHANGING = re.compile(r"[/?#\\]|%2e|%2f|%5c|%3f|%23", re.IGNORECASE)


def route(template: str, /, **values: object) -> str:
    """Fill a template's ``{name}`` fields; each value is quoted as one path segment."""
    fields = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    if fields != set(values):
        raise TypeError(f"route {template!r} needs {sorted(fields)}, got {sorted(values)}")
    return template.format(**{name: quote(segment(name, value), safe="") for name, value in values.items()})


def segment(name: str, value: object) -> str:
    """``value`` as one path segment, or InvalidArgumentError when it would name another route."""
    text = str(value)
    if text.strip(".") == "" or _ROUTE_CHANGING.search(text):
        raise InvalidArgumentError(
            f"{name} {text!r} is not a valid {name}: a path value cannot be empty, '.' or '..', nor hold '/', "
            "'\\', '?', '#' or a percent-encoded dot or slash. Pass the id exactly as the server gave it."
        )
    return text
