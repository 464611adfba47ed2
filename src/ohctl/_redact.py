"""The one place that recognises a secret and masks it: one vocabulary of secret names, one
placeholder, and the maskers every output path uses (error messages, debug logs, reprs, the CLI's
output, MCP results, GitHub comments).

A name is secret when, written in snake case, it holds one of the words below (``api_key``,
``X-Session-API-Key``, ``githubToken``, ``secrets_store``, ``set-cookie``) or ends in ``key``
(``private_key``), unless it counts tokens (``max_input_tokens``, ``prompt_tokens``). ``strict``
adds the bare name ``key``, which a created API key's body uses: it is masked in bodies ohctl
quotes, not in ohctl's own data (a batch task's ``key``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote_plus

if TYPE_CHECKING:  # httpx is imported when a URL is redacted: the command line's output needs none
    import httpx

__all__ = [
    "REDACTED",
    "is_masked",
    "is_secret_name",
    "redact",
    "redact_headers",
    "redact_text",
    "redact_url",
    "scrub",
]

REDACTED = "<redacted>"
# Known secret values shorter than this are not scrubbed: they would hide ordinary words, and no
# real key is that short.
MIN_SECRET_LENGTH = 6

# The vocabulary. A word may have letters before it (``accesstoken``) but none after it, so that a
# ``tokenizer`` or a ``secretary`` is not a secret.
SECRET_WORDS = (
    "api_key",
    "apikey",
    "session_key",
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "credential",
    "authorization",
    "cookie",
    "device_code",
)
_SECRET = re.compile(r"(?:" + "|".join(SECRET_WORDS) + r")s?(?![a-z])|(?:^|_)key$")
# Names that count tokens rather than hold one (``max_input_tokens``, ``prompt_tokens``,
# ``cache_read_tokens``, ``per_turn_token``, ``token_usage``): the LLM settings and metrics use them.
_TOKEN_COUNT = re.compile(
    r"(?:^|_)(?:max|min|num|input|output|prompt|completion|total|reasoning|cache|cached|read|write|creation"
    r"|context|turn)_tokens?$|(?:^|_)tokens?_(?:usage|count|counts|limit|budget|used)$"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
T = TypeVar("T")


def _snake(name: str) -> str:
    return _NOT_WORD.sub("_", _CAMEL.sub("_", name).lower()).strip("_")


def is_secret_name(name: str, *, strict: bool = False) -> bool:
    """Whether a header, JSON member, query parameter or variable of this name holds a secret."""
    snake = _TOKEN_COUNT.sub("", _snake(name))
    if _SECRET.search(snake) is None:
        return False
    return strict or snake != "key"


def is_masked(value: str) -> bool:
    """A value that shows nothing: empty, a server's mask (``**********``) or the placeholder."""
    return not value.strip("*") or value == REDACTED


def redact(data: Any, *, strict: bool = False, _under: bool = False) -> Any:
    """A copy of JSON-like data (dicts and lists, any depth) with every string under a secret name
    replaced by the placeholder; under a secret name holding a dict or list (``secrets_store``,
    ``provider_tokens``), every string is. Numbers, booleans and null are left: they carry no key."""
    if isinstance(data, Mapping):
        return {
            k: redact(v, strict=strict, _under=_under or (isinstance(k, str) and is_secret_name(k, strict=strict)))
            for k, v in data.items()
        }
    if isinstance(data, (list, tuple)):
        return [redact(v, strict=strict, _under=_under) for v in data]
    if _under and isinstance(data, str) and not is_masked(data):
        return REDACTED
    return data


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with the value of each credential header (Authorization, X-Session-API-Key,
    Cookie, any secret name) replaced."""
    return {name: REDACTED if is_secret_name(name) and value else value for name, value in headers.items()}


def redact_url(url: str | httpx.URL, *, keep_query: bool = False) -> str:
    """A URL fit for a message or a log: never its user:password part, no fragment, and no query
    string unless ``keep_query``, then with the values of secret parameters masked."""
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "<unparseable URL>"
    parsed = parsed.copy_with(userinfo=b"", fragment=None)
    if not keep_query or not parsed.query:
        return str(parsed.copy_with(query=None))
    pairs = [pair.partition("=") for pair in parsed.query.decode("ascii", "replace").split("&")]
    query = "&".join(
        f"{name}={REDACTED}" if value and is_secret_name(unquote_plus(name)) else f"{name}{eq}{value}"
        for name, eq, value in pairs
    )
    return f"{parsed.copy_with(query=None)}?{query}"


# A name and what joins it to its value: "name": / 'name': / name= / name: (headers, logs, queries).
_MEMBER = re.compile(
    r"""(?P<q>["'])(?P<quoted>[^"'\\\r\n]{1,64})(?P=q)\s*[:=]\s*"""
    r"""|(?<![\w.\-])(?P<bare>[A-Za-z_][\w.\-]{0,63})\s*(?P<op>[:=])[ \t]*"""
)
_QUOTED = re.compile(r""""(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?""", re.DOTALL)
_AFTER_EQUALS = re.compile(r"""[^\s&,;"'}\])]+""")  # a query or key=value value
_TO_LINE_END = re.compile(r"[^\r\n]+")  # a header's value (``Authorization: Bearer ...``), quotes and all
_SCALAR = re.compile(r"""[^\s,}\])"']+""")
_LITERALS = frozenset({"null", "true", "false", "None", "True", "False"})
_BEARER = re.compile(r"(?i)\b(bearer\s+)(?!" + re.escape(REDACTED) + r")[^\s\"']+")


def _container_end(text: str, start: int) -> int:
    """Where the JSON object or array opening at ``start`` ends (the end of text when it is cut off)."""
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char in "\"'":
            found = _QUOTED.match(text, i)
            i = found.end() if found else i + 1
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _value_end(text: str, start: int, quoted_name: bool, op: str | None) -> int:
    """Where the value starting at ``start`` ends (``start`` when there is no value to mask)."""
    if start >= len(text):
        return start
    if not quoted_name and op == ":":  # a header line: whatever follows is the value
        found = _TO_LINE_END.match(text, start)
        return found.end() if found else start
    char = text[start]
    if char in "{[":
        return _container_end(text, start)
    if char in "\"'":
        found = _QUOTED.match(text, start)
        return found.end() if found else start
    found = (_SCALAR if quoted_name else _AFTER_EQUALS).match(text, start)
    if found is None:
        return start
    end = found.end()
    while end > start and text[end - 1] in " \t":
        end -= 1
    return start if text[start:end] in _LITERALS else end


def _mask_members(text: str) -> str:
    out: list[str] = []
    pos = 0
    while (found := _MEMBER.search(text, pos)) is not None:
        name = found.group("quoted") or found.group("bare")
        start = found.end()
        if not is_secret_name(name, strict=True):
            out.append(text[pos : found.start() + 1])  # step one character: a name may start inside
            pos = found.start() + 1
            continue
        end = _value_end(text, start, found.group("quoted") is not None, found.group("op"))
        value = text[start:end]
        out.append(text[pos:start])
        if end == start or is_masked(value.strip("\"'")):
            out.append(value)
        elif value[0] == "'":
            out.append(f"'{REDACTED}'")
        elif value[0] in '{["' or found.group("quoted") is not None:
            out.append(f'"{REDACTED}"')  # JSON stays JSON
        else:
            out.append(REDACTED)
        pos = end
    out.append(text[pos:])
    return _BEARER.sub(lambda m: m.group(1) + REDACTED, "".join(out))


def _redact_json(data: Any, *, under: bool = False) -> Any:
    if isinstance(data, dict):
        return {k: _redact_json(v, under=under or is_secret_name(k, strict=True)) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact_json(v, under=under) for v in data]
    if isinstance(data, str):
        return REDACTED if under and not is_masked(data) else _mask_members(data)
    return data


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Free text fit for a message or a log: the known ``secrets`` scrubbed, and the values of
    secret members masked, whether JSON (``"api_key": "..."``, any depth; a body cut off is masked
    as far as it goes), ``key=value``, a header line (``Authorization: ...``) or a bearer token. A
    whole JSON document keeps its shape (it is parsed and written back)."""
    text = scrub(text, secrets)
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            data = json.loads(stripped)
        except ValueError:
            pass
        else:
            return json.dumps(_redact_json(data), ensure_ascii=False)
    return _mask_members(text)


def scrub(data: T, secrets: Iterable[str | None]) -> T:
    """A copy of text or JSON-like data (keys too) with each known secret value replaced, longest
    first (values under ``MIN_SECRET_LENGTH`` characters are not)."""
    values = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
    return _scrub(data, values) if values else data


def _scrub(data: Any, values: list[str]) -> Any:
    if isinstance(data, str):
        for value in values:
            if value in data:
                data = data.replace(value, REDACTED)
        return data
    if isinstance(data, Mapping):
        return {_scrub(k, values): _scrub(v, values) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_scrub(v, values) for v in data]
    return data
