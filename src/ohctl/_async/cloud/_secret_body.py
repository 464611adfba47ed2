"""Answers that carry a credential (a new API key, an LLM key, a device code or token): read like
``http.request(parse=...)``, except that a body of the wrong shape raises UnexpectedResponseError
with none of the body in it. The pipeline's shape errors quote the start of the body with only the
values of secret names masked (``_redact``); a credential under a name the vocabulary does not know
would show there, so these errors quote nothing (their ``excerpt`` is the placeholder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from ... import _errors, _redact, _responses
from .._http import AsyncHTTP

T = TypeVar("T")


def withheld_error(response: httpx.Response, kind: str, field: str | None = None) -> _errors.UnexpectedResponseError:
    where = _responses.request_line(response.request)
    at = f" at {field!r}" if field else ""
    what = "JSON ohctl cannot read" if kind == "shape" else "a body that is not JSON"
    error = _errors.UnexpectedResponseError(
        f"{where} answered {response.status_code} with {what}{at}; the body carries a credential, so it is "
        "not shown. The server may be of a version this ohctl does not know: upgrade ohctl, or report it",
        response=response,
        kind=kind,
        field=field,
    )
    error.excerpt = _redact.REDACTED
    return error


def read_secret_body(response: httpx.Response, parse: Callable[[Any], T]) -> T:
    """``parse`` the JSON body of ``response``; any failure names the route and field, never the body."""
    try:
        data = _responses.parse_json(response)
    except _errors.UnexpectedResponseError as exc:
        raise withheld_error(response, exc.kind) from None
    try:
        return parse(data)
    except _errors.SHAPE_ERRORS as exc:
        raise withheld_error(response, "shape", _responses.error_field(exc)) from None


async def request_secret(http: AsyncHTTP, method: str, path: str, parse: Callable[[Any], T], **kwargs: Any) -> T:
    """Send (with the pipeline's retries and error mapping) and read an answer that carries a credential."""
    response = await http.send(method, path, **kwargs)
    return read_secret_body(response, parse)
