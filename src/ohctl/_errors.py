"""One exception tree for everything ohctl raises.

Every error message says what to do next. No error carries an API key or session key: request
headers are never copied into an error, and bodies are kept as the server sent them.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

__all__ = [
    "OhctlError",
    "ConfigurationError",
    "IdKindError",
    "InvalidArgumentError",
    "InvalidIdError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
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
    "MissingAPIKeyError",
    "ServerTooOldError",
    "StreamError",
    "WaitError",
    "WaitTimeoutError",
    "StartTaskFailedError",
    "ConversationFailedError",
    "NeedsInputError",
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
        if self.hint:
            text += f". {self.hint}"
        super().__init__(text)


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


class NotFoundError(APIStatusError):
    hint = "Check the id; conversation ids come from a READY start task's app_conversation_id"


class ResourceNotFoundError(NotFoundError):
    """A batch get answered null for the id: the resource does not exist (or is not yours)."""

    def __init__(self, message: str, *, resource: str, id: str, url: str) -> None:
        Exception.__init__(self, f"{message}. {self.hint}" if resource == "conversation" else message)
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
        self.excerpt = _excerpt(response)


# JSON members whose values are credentials: masked in any excerpt of a body shown to a user.
_MEMBER = re.compile(r"""(["'])([^"'\\]{1,64})\1(\s*:\s*)("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,{}\[\]"']+)""")
_SECRET_WORDS = ("api_key", "apikey", "token", "secret", "password", "authorization", "cookie", "session_key")
_SECRET_CONTAINER = re.compile(
    r"""["'][^"'\\]{0,64}(?:""" + "|".join(_SECRET_WORDS) + r""")[^"'\\]{0,64}["']\s*:\s*[\[{]""", re.IGNORECASE
)
# A created API key's value is "key"; a device-login grant is "device_code".
_SECRET_NAMES = frozenset({"key", "device_code"})
WITHHELD = "<withheld: the body carries credentials>"


def mask_secrets(text: str) -> str:
    """``text`` with the values of credential-looking members (``"session_api_key": "..."``) masked;
    when such a member holds a list or an object, the whole text is withheld."""
    if _SECRET_CONTAINER.search(text):
        return WITHHELD

    def mask(match: re.Match[str]) -> str:
        name = match.group(2).lower().replace("-", "_")
        if any(word in name for word in _SECRET_WORDS) or name in _SECRET_NAMES or name.endswith("_key"):
            return f'{match.group(1)}{match.group(2)}{match.group(1)}{match.group(3)}"<redacted>"'
        return match.group(0)

    return _MEMBER.sub(mask, text)


def _excerpt(response: httpx.Response | None, size: int = 200) -> str:
    """The start of a body for a message: credential values masked first, then cut to ``size``."""
    if response is None:
        return ""
    try:
        text = response.text[: size * 20]
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    return mask_secrets(text)[:size]


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


# -- mapping responses and transport failures to this tree -------------------------------------


def redact_url(url: str | httpx.URL, *, keep_query: bool = False) -> str:
    """A URL fit for a message or a log: never its user:password part, and no query string unless asked."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<unparseable URL>"
    parsed = parsed.copy_with(userinfo=b"", fragment=None)
    return str(parsed if keep_query else parsed.copy_with(query=None))


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port or _DEFAULT_PORTS.get(a.scheme)) == (
        b.scheme,
        b.host,
        b.port or _DEFAULT_PORTS.get(b.scheme),
    )


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def redirect_error(response: httpx.Response) -> UnexpectedResponseError:
    request = response.request
    location = response.headers.get("location")
    where = f"{request.method} {redact_url(request.url)}"
    target = f" to {redact_url(request.url.join(location))}" if location else ""
    return UnexpectedResponseError(
        f"{where} answered {response.status_code}, a redirect{target}. ohctl does not follow redirects (the "
        "key must not follow one to another host): set base_url to the server's final address",
        response=response,
        kind="redirect",
    )


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


def connection_error(
    exc: httpx.TransportError, request: httpx.Request, *, unsure: str | None = None
) -> APIConnectionError:
    """The error for a request that got no answer. ``unsure``: the request changes something and may
    have reached the server before the connection broke; the message then says so and how to check,
    instead of suggesting that nothing happened."""
    where = f"{request.method} {redact_url(request.url)}"
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


T = TypeVar("T")
# What parsing a body of an unexpected shape raises (pydantic's ValidationError is a ValueError).
SHAPE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)
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
        errors = getattr(exc, "errors", None)
        first = errors()[0] if callable(errors) and errors() else {}
        if first.get("type") == "json_invalid":
            raise _not_json_error(response) from None
        raise shape_error(response, exc) from exc


def _is_web_page(response: httpx.Response) -> bool:
    return "html" in response.headers.get("content-type", "") or bool(_LOOKS_LIKE_MARKUP.match(response.content))


def _web_page_error(response: httpx.Response) -> UnexpectedResponseError:
    where = f"{response.request.method} {redact_url(response.request.url)}"
    return UnexpectedResponseError(
        f"{where} answered {response.status_code} with a web page instead of JSON. The base URL may "
        "be wrong (it must be the server root, without /api), or this server does not have the route",
        response=response,
        kind="html",
    )


def _not_json_error(response: httpx.Response) -> UnexpectedResponseError:
    where = f"{response.request.method} {redact_url(response.request.url)}"
    content_type = response.headers.get("content-type", "")
    return UnexpectedResponseError(
        f"{where} answered {response.status_code} with a body that is not JSON "
        f"({content_type or 'no content type'}): {response.text[:200]!r}",
        response=response,
    )


def shape_error(response: httpx.Response, exc: Exception) -> UnexpectedResponseError:
    """A success body that parsed as JSON but not into the route's model (a missing field, a wrong
    type): typed, with the field that failed and the start of the body."""
    field: str | None = None
    reason = f"{type(exc).__name__}: {exc}"
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            field = ".".join(str(part) for part in first.get("loc", ())) or None
            reason = str(first.get("msg", reason))
        except (IndexError, TypeError, KeyError, AttributeError):
            pass
    where = f"{response.request.method} {redact_url(response.request.url)}"
    excerpt = _excerpt(response, 120)
    at = f" at {field!r}" if field else ""
    return UnexpectedResponseError(
        f"{where} answered {response.status_code} with JSON ohctl cannot read{at}: {reason[:200]}; the body "
        f"starts {excerpt!r}. The server may be of a version this ohctl does not know: upgrade ohctl, or "
        "report it",
        response=response,
        kind="shape",
        field=field,
    )
