"""Retry policy: which failures to retry and how long to pause (pure code, shared by both pipelines).

The mapping of responses and transport failures to exceptions lives in ``_responses``."""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from ._errors import parse_retry_after
from ._responses import decode_body, limit_code

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0


def backoff(attempt: int, *, initial: float = 0.5, maximum: float = 8.0) -> float:
    """Exponential backoff with jitter for retry number ``attempt`` (0-based): a random pause between
    half and all of ``initial * 2**attempt``, capped at ``maximum`` (the one backoff of the package)."""
    ceiling = min(maximum, initial * (2**attempt))
    return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = MAX_RETRY_AFTER

    def backoff(self, attempt: int) -> float:
        return backoff(attempt, initial=self.initial_delay, maximum=self.max_delay)


def is_rate_limit_rejection(response: httpx.Response) -> bool:
    """A 429 from a rate limiter, which refuses before any handler runs (safe to retry, even a create).

    The concurrency and daily limits are also 429s, but retrying them soon does not help.
    """
    return response.status_code == 429 and limit_code(decode_body(response)) is None


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
