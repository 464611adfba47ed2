# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""THE request pipeline: auth, timeouts, retries, error mapping, the HTML guard and redacted logging."""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, overload

import httpx

from .. import _errors, _responses, _retry
from .._backend import Job, Sleep, Work, sync_settle, sync_sleep, sync_spawn
from .._config import ClientConfig
from .._deadline import bounded, remaining
from .._errors import SHAPE_ERRORS
from .._options import RequestOptions, Timeout, as_timeout
from .._redact import is_secret_name, redact_url
from .._responses import redirect_error, request_line, same_origin
from .._version import __version__

log = logging.getLogger("ohctl.http")

USER_AGENT = f"ohctl/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"

Params = Mapping[str, Any]
T = TypeVar("T")
JOB_GRACE = 30.0  # how long closing a client waits for its background jobs (a title set between steps)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


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


def _fits(delay: float) -> bool:
    """Whether a retry pause of ``delay`` seconds ends before the current deadline (if any)."""
    left = remaining()
    return left is None or delay < left


class HTTP:
    def __init__(
        self,
        config: ClientConfig,
        *,
        timeout: Timeout = None,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        sleep: Sleep | None = None,
        agent: bool = False,
        options: RequestOptions | None = None,
    ) -> None:
        self.config = config
        self.agent = agent  # an agent server: a 401 means the session key
        self.options = options or RequestOptions(timeout=as_timeout(timeout), max_retries=max_retries)
        self._owns_client = http_client is None
        self.client = http_client or httpx.Client(timeout=self.options.timeout, follow_redirects=False)
        self.sleep: Sleep = sleep or sync_sleep
        self.jobs: list[Job] = []

    @property
    def timeout(self) -> httpx.Timeout:
        return self.options.timeout

    @property
    def policy(self) -> _retry.RetryPolicy:
        return _retry.RetryPolicy(max_retries=self.options.max_retries)

    @property
    def user_http_client(self) -> httpx.Client | None:
        """The httpx client the user passed in (None when this pipeline made its own)."""
        return None if self._owns_client else self.client

    def derive(self, options: RequestOptions) -> HTTP:
        """A pipeline with other options over the same connection pool (which it does not close)."""
        twin = HTTP(self.config, http_client=self.client, sleep=self.sleep, agent=self.agent, options=options)
        return twin

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.config.base_url + path

    def lookup_url(self, path: str, **params: str) -> str:
        """The full URL of a lookup (for an error that names it), its query encoded."""
        return str(httpx.URL(self.url(path), params=params))

    def own_origin(self, url: str | httpx.URL) -> bool:
        """Whether ``url`` is on this client's server (same scheme, host and port)."""
        if isinstance(url, str) and url.startswith(self.config.base_url + "/"):
            return True  # built from a path: no need to parse it (this runs on every request)
        return same_origin(httpx.URL(url), httpx.URL(self.config.base_url))

    def headers(self, extra: Mapping[str, str] | None = None, *, url: str | None = None) -> dict[str, str]:
        """The headers of a request to ``url``: the key and the client's extra headers go only to the
        client's own origin; another origin (an absolute URL given to ``request``) gets neither."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        own = url is None or self.own_origin(url)
        if own:
            headers.update(self.options.headers)
        headers.update(extra or {})
        if own:
            headers.update(self.config.auth_headers())
        else:
            log.debug("no credentials sent to %s: not the configured server", redact_url(url or ""))
            for name in list(headers):
                if is_secret_name(name):
                    del headers[name]
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
        unsure: str | None = None,
    ) -> httpx.Response:
        """Send with retries; return a success response (streaming when asked) or raise a mapped error.

        ``idempotent`` defaults to True for GET, PUT and DELETE. A request that is not idempotent is
        retried only when it provably never reached the server, or a rate limiter refused it.
        ``retries`` overrides the client's retry count for this call; ``retry_server_errors=False``
        keeps retrying network failures but not 5xx answers (for a 500 that means "no such id").
        ``unsure`` is what to tell the caller when a request that changes something may have reached
        the server before the connection broke (how to find out whether it took effect).

        Inside ``ohctl.deadline(...)`` (every wait sets one), each attempt's timeouts are cut to the
        time left, and no retry pause runs past the deadline.
        """
        policy = self.policy
        max_retries = policy.max_retries if retries is None else retries
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        query = clean_params({**self.options.params, **(params or {})} if self.options.params else params) or None
        while True:
            left = remaining()
            url = self.url(path)
            try:
                request = self.client.build_request(
                    method,
                    url,
                    params=query,  # None, not {}: an empty dict makes httpx rebuild the URL
                    json=json,
                    files=files,
                    content=content,
                    headers=self.headers(headers, url=url),
                    timeout=bounded(timeout or self.options.timeout, left),
                )
            except httpx.InvalidURL as exc:
                raise _errors.InvalidArgumentError(
                    f"Cannot build a request to {redact_url(url)}: {exc} (a path or query value too long for a URL)"
                ) from None
            if left is not None and left <= 0:
                raise _errors.APITimeoutError(
                    f"The deadline passed before {request_line(request)} could be sent", request=request
                )
            started = time.monotonic()
            debug = log.isEnabledFor(logging.DEBUG)  # the redacted URL costs a parse: only when logged
            if debug:
                log.debug("-> %s %s", method, redact_url(request.url, keep_query=True))
            try:
                response = self.client.send(request, stream=stream)
            except httpx.TransportError as exc:
                if attempt < max_retries and _retry.should_retry_exception(exc, idempotent):
                    delay = policy.backoff(attempt)
                    if _fits(delay):
                        attempt += 1
                        self._pause(attempt, max_retries, request, delay, _errors.reason_of(exc))
                        continue
                unsure_now = not idempotent and not _retry.never_reached_server(exc)
                hint = (unsure or "Check whether it took effect before sending it again.") if unsure_now else None
                raise _responses.connection_error(exc, request, unsure=hint) from exc
            if debug:
                log.debug(
                    "<- %s %s %d (%.0f ms)",
                    method,
                    request.url.path,
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                )
            if response.is_redirect:
                response.close()
                raise redirect_error(response)
            if not response.is_error:
                return response
            if (
                attempt < max_retries
                and (retry_server_errors or response.status_code < 500)
                and _retry.should_retry_response(response, idempotent)
            ):
                delay = _retry.retry_delay(policy, attempt, response)
                if _fits(delay):
                    attempt += 1
                    response.close()
                    self._pause(attempt, max_retries, request, delay, f"HTTP {response.status_code}")
                    continue
            if stream:
                response.read()
            raise _responses.status_error(response, agent=self.agent)

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

    @overload
    def request(self, method: str, path: str, *, parse: None = None, parse_raw: None = None, **kwargs: Any) -> Any: ...
    @overload
    def request(
        self, method: str, path: str, *, parse: Callable[[Any], T], parse_raw: None = None, **kwargs: Any
    ) -> T: ...
    @overload
    def request(
        self, method: str, path: str, *, parse: None = None, parse_raw: Callable[[bytes], T], **kwargs: Any
    ) -> T: ...
    def request(
        self,
        method: str,
        path: str,
        *,
        parse: Callable[[Any], T] | None = None,
        parse_raw: Callable[[bytes], T] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send and decode a JSON body, then ``parse`` it (a model's ``model_validate``, say); or hand
        the body's bytes to ``parse_raw``, which decodes and validates in one pass (pydantic's
        ``validate_json``: a JSON syntax error in it counts as a body that is not JSON).

        An HTML page raises UnexpectedResponseError (``kind="html"``) at once. A body that is not JSON
        or was cut off is retried like a 5xx when the request may be repeated, within the same retry
        budget; a body of the wrong shape (``parse`` failed: a missing field, a wrong type) raises
        UnexpectedResponseError (``kind="shape"``) naming the field, never a bare pydantic or
        attribute error."""
        retries = kwargs.get("retries")
        max_retries = self.options.max_retries if retries is None else int(retries)
        idempotent = kwargs.get("idempotent")
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            response = self.send(method, path, **kwargs)
            try:
                if parse_raw is not None:
                    return _responses.parse_raw_json(response, parse_raw)
                data = _responses.parse_json(response)
            except _errors.UnexpectedResponseError as exc:
                if exc.kind != "not-json" or not idempotent or attempt >= max_retries:
                    raise
                delay = self.policy.backoff(attempt)
                if not _fits(delay):
                    raise
                attempt += 1
                self._pause(attempt, max_retries, response.request, delay, "a body that is not JSON")
                continue
            if parse is None:
                return data
            try:
                return parse(data)
            except SHAPE_ERRORS as exc:
                raise _responses.shape_error(response, exc) from exc

    @contextmanager
    def stream(self, method: str, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        response = self.send(method, path, stream=True, **kwargs)
        try:
            yield response
        finally:
            response.close()

    def spawn(self, job: Work) -> None:
        """Run a best-effort job in the background; ``aclose`` lets it finish (for JOB_GRACE seconds)."""
        self.jobs.append(sync_spawn(job))

    def close(self) -> None:
        sync_settle(self.jobs, JOB_GRACE)
        if self._owns_client:
            self.client.close()
