"""The hosted Cloud's published OpenAPI document (tests/data/cloud-docs.openapi.json) as a checker:
the response and request schemas of each route, validated with jsonschema (formats included, with
``date-time`` checked too). The Cloud fake (cloud_fake.py) checks every body it sends and receives
with it, so a fake that drifts from the document fails its tests."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

DOCUMENT = Path(__file__).resolve().parents[1] / "data" / "cloud-docs.openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")

# Error bodies the document does not describe: FastAPI's HTTPException, and RFC 8628/6749 token errors.
HTTP_ERROR = {"type": "object", "required": ["detail"], "properties": {"detail": {}}}
OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": ["string", "null"]}},
}

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value


@cache
def document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return data


def operations() -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, ops in document()["paths"].items() for m in ops if m in METHODS}


def operation(method: str, template: str) -> dict[str, Any]:
    try:
        op: dict[str, Any] = document()["paths"][template][method.lower()]
    except KeyError:
        raise AssertionError(f"{method} {template} is not in the Cloud's document") from None
    return op


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    # The schema's "#/components/..." references resolve against a root that carries the components.
    root = {**schema, "components": document()["components"]}
    return Draft202012Validator(root, format_checker=FORMATS)


def problems(schema: dict[str, Any], data: Any, what: str) -> list[str]:
    """Where ``data`` breaks ``schema`` (empty: it fits)."""
    errors = sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{what}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}" for e in errors[:5]]


def response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    """The document's schema of a JSON answer with ``status`` (None: the document has none for it)."""
    response = operation(method, template)["responses"].get(str(status))
    if response is None:
        return None
    schema: dict[str, Any] | None = response.get("content", {}).get("application/json", {}).get("schema")
    return schema


def request_schema(method: str, template: str) -> tuple[str, dict[str, Any]] | None:
    """(content type, schema) of the route's request body, or None when it takes none."""
    content = operation(method, template).get("requestBody", {}).get("content", {})
    for kind, spec in content.items():
        return kind, spec["schema"]
    return None


def parameters(method: str, template: str, where: str) -> dict[str, dict[str, Any]]:
    """The route's parameters in ``where`` (path, query, header): name -> parameter object."""
    return {p["name"]: p for p in operation(method, template).get("parameters", []) if p["in"] == where}


def coerce(value: str, schema: dict[str, Any]) -> Any:
    """A path or query string as the type its schema names (an integer id, a boolean)."""
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value
