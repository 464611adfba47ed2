"""Retry policy and response classification, shared by the sync and async pipelines (pure code)."""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from . import _errors as e

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = MAX_RETRY_AFTER

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for retry number ``attempt`` (0-based)."""
        ceiling = min(self.max_delay, self.initial_delay * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def decode_body(response: httpx.Response) -> Any:
    """The body as JSON when it parses, else as text (error bodies are not always JSON)."""
    text = response.text
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _limit_code(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        code = body["detail"].get("error")
        return str(code) if code else None
    return None


def status_error(response: httpx.Response, *, agent: bool = False) -> e.APIStatusError:
    """Map an error response to the most specific exception class (``agent``: from an agent server)."""
    body = decode_body(response)
    status = response.status_code
    cls: type[e.APIStatusError]
    if agent and status == 401:
        cls = e.SessionKeyError
    elif status == 429:
        code = _limit_code(body)
        if code == "CONCURRENCY_LIMIT_REACHED":
            cls = e.ConcurrencyLimitError
        elif code == "DAILY_SANDBOX_LIMIT_REACHED":
            cls = e.DailyLimitError
        else:
            cls = e.RateLimitError
    else:
        cls = {
            400: e.BadRequestError,
            401: e.AuthenticationError,
            403: e.PermissionDeniedError,
            404: e.NotFoundError,
            409: e.ConflictError,
            410: e.GoneError,
            422: e.UnprocessableEntityError,
        }.get(status, e.InternalServerError if status >= 500 else e.APIStatusError)
    return cls("Request failed", response=response, body=body)


def is_rate_limit_rejection(response: httpx.Response) -> bool:
    """A 429 from a rate limiter, which refuses before any handler runs (safe to retry, even a create).

    The concurrency and daily limits are also 429s, but retrying them soon does not help.
    """
    return response.status_code == 429 and _limit_code(decode_body(response)) is None


def retry_delay(policy: RetryPolicy, attempt: int, response: httpx.Response | None) -> float:
    if response is not None:
        after = parse_retry_after(response.headers)
        if after is not None:
            return min(after, policy.max_retry_after)
    return policy.backoff(attempt)


def should_retry_response(response: httpx.Response, idempotent: bool) -> bool:
    if response.status_code not in RETRYABLE_STATUS:
        return False
    if response.status_code == 429:
        return is_rate_limit_rejection(response)
    return idempotent


def never_reached_server(exc: httpx.TransportError) -> bool:
    """True when the request provably was not sent: the connection was never made."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def should_retry_exception(exc: httpx.TransportError, idempotent: bool) -> bool:
    if never_reached_server(exc):
        return True
    if not idempotent:
        return False
    return isinstance(exc, (httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteError))


def connection_error(exc: httpx.TransportError, request: httpx.Request) -> e.APIConnectionError:
    where = f"{request.method} {request.url.copy_with(query=None)}"
    if isinstance(exc, httpx.TimeoutException):
        return e.APITimeoutError(
            f"Request timed out: {where} ({type(exc).__name__}); raise timeout= or check the server",
            request=request,
        )
    return e.APIConnectionError(
        f"Could not reach the server: {where}: {exc or type(exc).__name__}; check base_url and the network",
        request=request,
    )


def parse_json(response: httpx.Response) -> Any:
    """Parse a success body that must be JSON; an HTML page or other text raises UnexpectedResponseError."""
    content_type = response.headers.get("content-type", "")
    where = f"{response.request.method} {response.request.url.copy_with(query=None)}"
    if "html" in content_type or response.text.lstrip()[:1] == "<":
        raise e.UnexpectedResponseError(
            f"{where} answered {response.status_code} with a web page instead of JSON. The base URL may "
            "be wrong (it must be the server root, without /api), or this server does not have the route",
            response=response,
        )
    try:
        return response.json()
    except ValueError:
        snippet = response.text[:200]
        raise e.UnexpectedResponseError(
            f"{where} answered {response.status_code} with a body that is not JSON "
            f"({content_type or 'no content type'}): {snippet!r}",
            response=response,
        ) from None


REDACTED_HEADERS = frozenset({"authorization", "x-session-api-key", "x-access-token", "cookie", "set-cookie"})


def redacted_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k: ("<redacted>" if k.lower() in REDACTED_HEADERS else v) for k, v in headers.items()}
