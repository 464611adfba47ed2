"""Route templates: each route is written once, as the full literal path of the OpenAPI document,
beside the method that calls it (``route("/api/v1/sandboxes/{sandbox_id}/pause", sandbox_id=...)``), so
grepping a path from the document lands on its code. The coverage test reads the same templates."""

from __future__ import annotations

import string
from urllib.parse import quote

_FORMATTER = string.Formatter()


def route(template: str, /, **values: object) -> str:
    """Fill a template's ``{name}`` fields; each value is quoted as one path segment."""
    fields = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    if fields != set(values):
        raise TypeError(f"route {template!r} needs {sorted(fields)}, got {sorted(values)}")
    return template.format(**{name: quote(str(value), safe="") for name, value in values.items()})
