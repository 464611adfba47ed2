"""From a response or a transport failure to the exception of ``_errors`` that says what happened:
error statuses, redirects, connection failures, and success bodies that are not the JSON the route
returns (a web page, text, JSON of another shape). Every URL and body quoted is redacted first."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from ._errors import (
    SHAPE_ERRORS,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConcurrencyLimitError,
    ConflictError,
    DailyLimitError,
    GoneError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SessionKeyError,
    UnexpectedResponseError,
    UnprocessableEntityError,
    body_excerpt,
    reason_of,
)
from ._redact import redact_text, redact_url

T = TypeVar("T")


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port or _DEFAULT_PORTS.get(a.scheme)) == (
        b.scheme,
        b.host,
        b.port or _DEFAULT_PORTS.get(b.scheme),
    )


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def request_line(request: httpx.Request) -> str:
    """The request as a message names it: its method and its URL, redacted."""
    return f"{request.method} {redact_url(request.url)}"


def first_error(exc: Exception) -> Mapping[str, Any]:
    """The first entry of a validation error's ``errors()`` (``type``, ``loc``, ``msg``), or {}."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return {}
    try:
        first = errors()[0]
    except (IndexError, TypeError, KeyError, AttributeError):
        return {}
    return first if isinstance(first, Mapping) else {}


def error_field(exc: Exception) -> str | None:
    """The field a validation error names first, as a dotted path (``items.0.id``), or None."""
    return ".".join(str(part) for part in first_error(exc).get("loc", ())) or None


def redirect_error(response: httpx.Response) -> UnexpectedResponseError:
    request = response.request
    location = response.headers.get("location")
    where = request_line(request)
    target = f" to {redact_url(request.url.join(location))}" if location else ""
    return UnexpectedResponseError(
        f"{where} answered {response.status_code}, a redirect{target}. ohctl does not follow redirects (the "
        "key must not follow one to another host): set base_url to the server's final address",
        response=response,
        kind="redirect",
    )


def decode_body(response: httpx.Response) -> Any:
    """The body as JSON when it parses, else as text (error bodies are not always JSON)."""
    text = response.text
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def limit_code(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        code = body["detail"].get("error")
        return str(code) if code else None
    return None


def status_error(response: httpx.Response, *, agent: bool = False) -> APIStatusError:
    """Map an error response to the most specific exception class (``agent``: from an agent server)."""
    body = decode_body(response)
    status = response.status_code
    cls: type[APIStatusError]
    if agent and status == 401:
        cls = SessionKeyError
    elif status == 429:
        code = limit_code(body)
        if code == "CONCURRENCY_LIMIT_REACHED":
            cls = ConcurrencyLimitError
        elif code == "DAILY_SANDBOX_LIMIT_REACHED":
            cls = DailyLimitError
        else:
            cls = RateLimitError
    else:
        cls = {
            400: BadRequestError,
            401: AuthenticationError,
            403: PermissionDeniedError,
            404: NotFoundError,
            409: ConflictError,
            410: GoneError,
            422: UnprocessableEntityError,
        }.get(status, InternalServerError if status >= 500 else APIStatusError)
    return cls("Request failed", response=response, body=body)


def connection_error(
    exc: httpx.TransportError, request: httpx.Request, *, unsure: str | None = None
) -> APIConnectionError:
    """The error for a request that got no answer. ``unsure``: the request changes something and may
    have reached the server before the connection broke; the message then says so and how to check,
    instead of suggesting that nothing happened."""
    where = request_line(request)
    reason = reason_of(exc)
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    if unsure is not None:
        return cls(
            f"No answer to {where} ({reason}): the request may have reached the server and taken effect, "
            f"so it was not repeated. {unsure}",
            request=request,
        )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Request timed out: {where} ({reason}); raise timeout= or check the server", request=request
        )
    return APIConnectionError(
        f"Could not reach the server: {where} ({reason}); check base_url and the network", request=request
    )


_LOOKS_LIKE_MARKUP = re.compile(rb"\s*<")  # an HTML page served with a JSON or no content type


def parse_json(response: httpx.Response) -> Any:
    """Parse a success body that must be JSON; an HTML page or other text raises UnexpectedResponseError."""
    if _is_web_page(response):
        raise _web_page_error(response)
    try:
        return json.loads(response.content)  # bytes: no decode to text first (JSON is UTF-8)
    except ValueError:
        raise _not_json_error(response) from None


def parse_raw_json(response: httpx.Response, parse: Callable[[bytes], T]) -> T:
    """``parse`` (a one-pass JSON validator) applied to a success body: an HTML page raises like
    ``parse_json``; invalid JSON raises the not-JSON error (which may be retried); any other failure
    is a shape error."""
    if _is_web_page(response):
        raise _web_page_error(response)
    try:
        return parse(response.content)
    except SHAPE_ERRORS as exc:
        if first_error(exc).get("type") == "json_invalid":
            raise _not_json_error(response) from None
        raise shape_error(response, exc) from exc


def _is_web_page(response: httpx.Response) -> bool:
    return "html" in response.headers.get("content-type", "") or bool(_LOOKS_LIKE_MARKUP.match(response.content))


def _web_page_error(response: httpx.Response) -> UnexpectedResponseError:
    where = request_line(response.request)
    return UnexpectedResponseError(
        f"{where} answered {response.status_code} with a web page instead of JSON. The base URL may "
        "be wrong (it must be the server root, without /api), or this server does not have the route",
        response=response,
        kind="html",
    )


def _not_json_error(response: httpx.Response) -> UnexpectedResponseError:
    where = request_line(response.request)
    content_type = response.headers.get("content-type", "")
    return UnexpectedResponseError(
        f"{where} answered {response.status_code} with a body that is not JSON "
        f"({content_type or 'no content type'}): {redact_text(response.text[:4000])[:200]!r}",
        response=response,
    )


def shape_error(response: httpx.Response, exc: Exception) -> UnexpectedResponseError:
    """A success body that parsed as JSON but not into the route's model (a missing field, a wrong
    type): typed, with the field that failed and the start of the body."""
    field = error_field(exc)
    reason = str(first_error(exc).get("msg", f"{type(exc).__name__}: {exc}"))
    where = request_line(response.request)
    excerpt = body_excerpt(response, 120)
    at = f" at {field!r}" if field else ""
    return UnexpectedResponseError(
        f"{where} answered {response.status_code} with JSON ohctl cannot read{at}: {reason[:200]}; the body "
        f"starts {excerpt!r}. The server may be of a version this ohctl does not know: upgrade ohctl, or "
        "report it",
        response=response,
        kind="shape",
        field=field,
    )
