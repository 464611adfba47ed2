# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""THE request pipeline: auth, timeouts, retries, error mapping, the HTML guard and redacted logging."""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from .. import _errors, _retry
from .._backend import SyncSleep, sync_sleep
from .._config import DEFAULT_TIMEOUT, ClientConfig
from .._version import __version__

log = logging.getLogger("ohctl")

USER_AGENT = f"ohctl/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"

Params = Mapping[str, Any]


def clean_params(params: Params | None) -> dict[str, Any]:
    """Drop unset values; lists become repeated parameters, booleans lowercase, enums their value."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif hasattr(value, "value") and isinstance(value.value, str):
            value = value.value
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


class SyncHTTP:
    def __init__(
        self,
        config: ClientConfig,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        sleep: SyncSleep | None = None,
        agent: bool = False,
    ) -> None:
        self.config = config
        self.agent = agent  # an agent server: a 401 means the session key
        self.timeout = (
            timeout
            if isinstance(timeout, httpx.Timeout)
            else (httpx.Timeout(timeout, connect=min(timeout, 10.0)) if timeout is not None else DEFAULT_TIMEOUT)
        )
        self.policy = _retry.RetryPolicy(max_retries=max_retries)
        self._owns_client = http_client is None
        self.client = http_client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        self.sleep: SyncSleep = sleep or sync_sleep

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.config.base_url + path

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        headers.update(self.config.auth_headers())
        headers.update(extra or {})
        return headers

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        timeout: httpx.Timeout | None = None,
        stream: bool = False,
        content: Any = None,
        retries: int | None = None,
        retry_server_errors: bool = True,
    ) -> httpx.Response:
        """Send with retries; return a success response (streaming when asked) or raise a mapped error.

        ``idempotent`` defaults to True for GET, PUT and DELETE. A request that is not idempotent is
        retried only when it provably never reached the server, or a rate limiter refused it.
        ``retries`` overrides the client's retry count for this call; ``retry_server_errors=False``
        keeps retrying network failures but not 5xx answers (for a 500 that means "no such id").
        """
        max_retries = self.policy.max_retries if retries is None else retries
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        attempt = 0
        while True:
            request = self.client.build_request(
                method,
                self.url(path),
                params=clean_params(params),
                json=json,
                files=files,
                content=content,
                headers=self.headers(headers),
                timeout=timeout or self.timeout,
            )
            started = time.monotonic()
            log.debug("-> %s %s", method, request.url)
            try:
                response = self.client.send(request, stream=stream)
            except httpx.TransportError as exc:
                if attempt < max_retries and _retry.should_retry_exception(exc, idempotent):
                    delay = self.policy.backoff(attempt)
                    attempt += 1
                    self._pause(attempt, max_retries, request, delay, type(exc).__name__)
                    continue
                raise _errors.connection_error(exc, request) from exc
            log.debug(
                "<- %s %s %d (%.0f ms)",
                method,
                request.url.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            if not response.is_error:
                return response
            if (
                attempt < max_retries
                and (retry_server_errors or response.status_code < 500)
                and _retry.should_retry_response(response, idempotent)
            ):
                delay = _retry.retry_delay(self.policy, attempt, response)
                attempt += 1
                response.close()
                self._pause(attempt, max_retries, request, delay, f"HTTP {response.status_code}")
                continue
            if stream:
                response.read()
            raise _errors.status_error(response, agent=self.agent)

    def _pause(self, attempt: int, limit: int, request: httpx.Request, delay: float, reason: str) -> None:
        log.debug(
            "retry %d/%d of %s %s in %.2fs after %s",
            attempt,
            limit,
            request.method,
            request.url.path,
            delay,
            reason,
        )
        self.sleep(delay)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send and decode a JSON body (an HTML page or other non-JSON body raises)."""
        response = self.send(method, path, **kwargs)
        return _errors.parse_json(response)

    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        response = self.send(method, path, stream=True, **kwargs)
        try:
            yield response
        finally:
            response.close()

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
