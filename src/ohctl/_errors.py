"""One exception tree for everything ohctl raises.

Every error message says what to do next. No error carries an API key or session key: request
headers are never copied into an error, URLs lose their user:password part and query, and a body
quoted in a message is masked by ``_redact`` first. Which response becomes which of these errors is
decided in ``_responses``.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

import httpx

from ._redact import redact_text, redact_url

__all__ = [
    "OhctlError",
    "ConfigurationError",
    "MissingAPIKeyError",
    "IdKindError",
    "InvalidArgumentError",
    "InvalidIdError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "SessionKeyError",
    "PermissionDeniedError",
    "NotFoundError",
    "ResourceNotFoundError",
    "ConflictError",
    "GoneError",
    "UnprocessableEntityError",
    "RateLimitError",
    "ConcurrencyLimitError",
    "DailyLimitError",
    "InternalServerError",
    "UnexpectedResponseError",
    "ServerTooOldError",
    "StreamError",
    "WaitError",
    "WaitTimeoutError",
    "StartTaskFailedError",
    "ConversationFailedError",
    "NeedsInputError",
    "StalledError",
    "OverBudgetError",
    "WorkspaceDiffError",
    "SandboxNotRunningError",
    "SandboxFailedError",
    "NothingPendingError",
]


class OhctlError(Exception):
    """Root of every error ohctl raises."""


class ConfigurationError(OhctlError):
    """The client is missing a setting or was given one that cannot work."""


class MissingAPIKeyError(ConfigurationError):
    """No API key for a server that needs one (the hosted Cloud): pass one, set one, or log in."""


class IdKindError(OhctlError, TypeError):
    """An id of one kind (say, a start-task id) was passed where another kind belongs."""


class InvalidArgumentError(OhctlError, ValueError):
    """An argument the SDK can tell is wrong before any request (an empty command, a relative path)."""


class InvalidIdError(InvalidArgumentError):
    """A value that cannot be an id of the kind asked for (conversation and start-task ids are UUIDs)."""


class APIConnectionError(OhctlError):
    """The server could not be reached, or the connection broke."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out."""


def _detail_text(body: Any) -> str:
    """The human part of one of the servers' many error body shapes."""
    if isinstance(body, str):
        return body.strip()[:500]
    if isinstance(body, dict):
        for key in ("detail", "error", "message"):
            value = body.get(key)
            if value is None:
                continue
            if isinstance(value, list):  # FastAPI validation errors
                parts = []
                for item in value:
                    if isinstance(item, dict):
                        loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                        parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
                    else:
                        parts.append(str(item))
                return "; ".join(parts)
            if isinstance(value, dict):
                return str(value.get("message") or value.get("error") or value)
            return str(value)
    return "" if body is None else str(body)[:500]


class APIStatusError(OhctlError):
    """The server answered with an error status."""

    hint = ""

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None:
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.detail = _detail_text(body)
        self.request_id = response.headers.get("x-request-id") or response.headers.get("x-amzn-requestid")
        request = response.request
        self.method = request.method
        self.url = redact_url(request.url)
        text = f"{message}: {self.method} {self.url} -> {self.status_code}"
        if self.detail:
            text += f": {self.detail}"
        hint = self._hint_for(request.url.path)
        if hint:
            text += f". {hint}"
        super().__init__(text)

    def _hint_for(self, path: str) -> str:
        """The hint appended to the message (a subclass may choose by the route)."""
        return self.hint


class BadRequestError(APIStatusError):
    hint = "The server refused the request as malformed; check the arguments"


class AuthenticationError(APIStatusError):
    hint = (
        "Check the API key (OPENHANDS_API_KEY) and that it belongs to this server; "
        "a self-hosted server with SESSION_API_KEY needs auth='session-key'"
    )


class SessionKeyError(AuthenticationError):
    """An agent server refused the session key."""

    hint = (
        "Check the session API key: it comes from the sandbox (session_api_key) and changes when the "
        "sandbox is resumed; get a fresh client with client.conversations.agent(...)"
    )


class PermissionDeniedError(APIStatusError):
    hint = "The key has no access to this resource or repository"


CONVERSATION_ID_HINT = "Check the id; conversation ids come from a READY start task's app_conversation_id"


class NotFoundError(APIStatusError):
    hint = "Check the id (one that is not yours is not found either)"

    def _hint_for(self, path: str) -> str:
        return CONVERSATION_ID_HINT if "conversations/" in path else self.hint


class ResourceNotFoundError(NotFoundError):
    """A batch get answered null for the id: the resource does not exist (or is not yours)."""

    def __init__(self, message: str, *, resource: str, id: str, url: str) -> None:
        Exception.__init__(self, f"{message}. {CONVERSATION_ID_HINT}" if resource == "conversation" else message)
        # The server answered 200 with null for the id; an APIStatusError still carries a response, so
        # this is the 404 the server would have given for a single lookup of ``url`` (the batch get).
        self.body = {"detail": message}
        self.response = httpx.Response(404, json=self.body, request=httpx.Request("GET", url))
        self.status_code = 404
        self.detail = message
        self.request_id = None
        self.method = "GET"
        self.url = redact_url(self.response.request.url)
        self.resource = resource
        self.id = id


class ConflictError(APIStatusError):
    hint = "The resource is not in a state that allows this (a paused sandbox must be resumed first)"


class GoneError(APIStatusError):
    hint = "The sandbox was archived; start a new conversation"


class UnprocessableEntityError(APIStatusError):
    hint = "The server could not validate the request"


class RateLimitError(APIStatusError):
    hint = "Too many requests; slow down or retry later"

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.response.headers)


class ConcurrencyLimitError(RateLimitError):
    hint = "Too many conversations are running at once: finish, pause or delete one before starting another"

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None:
        super().__init__(message, response=response, body=body)
        detail = body.get("detail") if isinstance(body, dict) else None
        info = detail if isinstance(detail, dict) else {}
        self.limit: int | None = info.get("limit")
        self.current: int | None = info.get("current")


class DailyLimitError(RateLimitError):
    hint = "The daily sandbox limit is reached; it resets at midnight UTC"


class InternalServerError(APIStatusError):
    hint = "The server failed; retry later, and report it if it persists"


class UnexpectedResponseError(OhctlError):
    """The server answered with something that is not what the route returns: an HTML page
    (``kind="html"``), a body that is not JSON or was cut off (``"not-json"``), JSON of another shape
    (``"shape"``, with the ``field`` that failed), or a redirect (``"redirect"``). ``route`` is the
    method and URL (no query), ``excerpt`` the start of the body."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response | None = None,
        kind: str = "not-json",
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code if response is not None else None
        self.kind = kind
        self.field = field
        self.route = f"{response.request.method} {redact_url(response.request.url)}" if response is not None else None
        self.excerpt = body_excerpt(response)


def body_excerpt(response: httpx.Response | None, size: int = 200) -> str:
    """The start of a body for a message: credential values masked first, then cut to ``size``."""
    if response is None:
        return ""
    try:
        text = response.text[: size * 20]
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    return redact_text(text)[:size]


class ServerTooOldError(OhctlError):
    """The server is a version without this route (it answered 404 or 405). ``version`` is what the
    server reports (None when unknown); ``route`` is the route that is missing."""

    def __init__(self, message: str, *, route: str, version: str | None = None) -> None:
        super().__init__(message)
        self.route = route
        self.version = version


class StreamError(OhctlError):
    """A streamed response ended early or could not be parsed; ``last`` is the last item received."""

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.last = last


class WaitError(OhctlError):
    """Base of the errors a wait ends with."""


class WaitTimeoutError(WaitError, TimeoutError):
    """The deadline passed; ``last`` holds the last state seen."""

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.last = last


class StartTaskFailedError(WaitError):
    """A start task ended in ERROR; ``task.detail`` holds the server's reason, and ``failure`` (a
    ``StartFailure``) that reason with, for a server ohctl runs here, the sandbox log's error lines."""

    def __init__(self, message: str, *, task: Any, failure: Any = None) -> None:
        super().__init__(message)
        self.task = task
        self.failure = failure


class ConversationFailedError(WaitError):
    """The agent ended in error or stuck, or the sandbox in ERROR or MISSING."""

    def __init__(self, message: str, *, conversation: Any) -> None:
        super().__init__(message)
        self.conversation = conversation


class NeedsInputError(WaitError):
    """The agent waits for confirmation of a pending action."""

    def __init__(self, message: str, *, conversation: Any) -> None:
        super().__init__(message)
        self.conversation = conversation


class StalledError(WaitError):
    """The agent is running but has produced no event for ``stall_after`` seconds (``stall`` says
    when it last did, and what)."""

    def __init__(self, message: str, *, conversation: Any, stall: Any = None) -> None:
        super().__init__(message)
        self.conversation = conversation
        self.stall = stall


class OverBudgetError(WaitError):
    """The conversation reached its spending limit (``max_cost`` or ``max_tokens``) and its agent was
    paused; ``budget`` says which limit, the value and the limit. Nothing was deleted: a message
    continues the conversation."""

    def __init__(self, message: str, *, conversation: Any, budget: Any = None) -> None:
        super().__init__(message)
        self.conversation = conversation
        self.budget = budget


class WorkspaceDiffError(OhctlError):
    """``workspace_diff`` found no git repository in the sandbox (pass ``path``), or git failed there."""


class SandboxNotRunningError(OhctlError):
    """No agent server to talk to: the sandbox is paused (resume it, or use ``ensure_running``),
    starting, or gone. ``sandbox`` is what the server last reported (a Sandbox or AppConversation)."""

    def __init__(self, message: str, *, sandbox: Any = None) -> None:
        super().__init__(message)
        self.sandbox = sandbox


class SandboxFailedError(SandboxNotRunningError, WaitError):
    """The sandbox is in ERROR or MISSING: it will not come back; start a new conversation."""


class NothingPendingError(OhctlError):
    """``approve`` / ``reject``: the agent is not waiting for confirmation, so there is nothing to
    answer; ``conversation`` is the conversation as last read."""

    def __init__(self, message: str, *, conversation: Any = None) -> None:
        super().__init__(message)
        self.conversation = conversation


# What a parser raises on a body of an unexpected shape (pydantic's ValidationError is a ValueError):
# the one list, for the request pipeline, ``_parse`` and the readers of bodies that carry a key.
SHAPE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a Retry-After header asks to wait (a number or an HTTP date), None without one."""
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


def reason_of(exc: BaseException) -> str:
    """A failure's reason, never empty (some transport errors carry no message, notably async resets)."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(parts) < 3:
        seen.add(id(current))
        text = str(current).strip()
        parts.append(f"{type(current).__name__}: {text}" if text else type(current).__name__)
        current = current.__cause__ or current.__context__
    return " <- ".join(parts)
