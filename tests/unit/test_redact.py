"""The one secret vocabulary and its maskers, by property: every secret name (in any case, with
prefixes and suffixes, in any output form: JSON data at any depth, JSON text whole or cut off,
headers, URL queries, key=value and header lines) has its value masked; everything else is left as
it was; masking twice changes nothing. The names are listed here, not read from ``_redact``, so
that dropping one word from the vocabulary fails these tests."""

from __future__ import annotations

import json
import logging
import string
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ohctl
from ohctl._redact import REDACTED, is_secret_name, redact, redact_headers, redact_text, redact_url, scrub
from tests.support.helpers import Recorder, json_response

# Every word that makes a name secret (the union of what the five former copies masked), as words.
WORDS = [
    ("api", "key"),
    ("apikey",),
    ("session", "key"),
    ("session", "api", "key"),
    ("llm", "api", "key"),
    ("token",),
    ("tokens",),
    ("secret",),
    ("secrets",),
    ("password",),
    ("passwd",),
    ("passphrase",),
    ("credential",),
    ("credentials",),
    ("authorization",),
    ("cookie",),
    ("device", "code"),
    ("private", "key"),  # any name ending in "key" (but ``private_key_id`` is an id)
    ("ssh", "key"),
]
KEY_ENDINGS = {("private", "key"), ("ssh", "key")}
NOT_SECRET = ["id", "name", "model", "host", "status", "custom_tokenizer", "keyring", "monkey", "title", "items"]
MARK = "\u00a7"  # in every secret value and nowhere else: its absence shows the value is gone


def styled(words: tuple[str, ...], style: str) -> str:
    if style == "camel":
        return words[0] + "".join(w.title() for w in words[1:])
    if style == "Pascal":
        return "".join(w.title() for w in words)
    if style == "UPPER":
        return "_".join(words).upper()
    if style == "kebab":
        return "-".join(w.title() for w in words)  # a header's spelling: X-Session-Api-Key
    return "_".join(words)


@st.composite
def secret_names(draw: st.DrawFn, words: tuple[str, ...]) -> str:
    style = draw(st.sampled_from(["snake", "camel", "Pascal", "UPPER", "kebab"]))
    prefix = draw(st.sampled_from(["", "x-", "X_", "my_", "github", "Github", "access-"]))
    suffix = draw(st.sampled_from(["", "_id", "-value", "_v2", "_key", "Set"]))
    if words in KEY_ENDINGS:
        suffix = draw(st.sampled_from(["", "_key", "Key"]))
    name = styled(words, style)
    if prefix and prefix[-1].isalpha() and style in ("camel", "snake"):
        prefix += "_"  # githubtoken reads as one word only when spelled as one
    if suffix == "Set" and style in ("snake", "UPPER", "kebab"):
        suffix = "_set"
    return prefix + name + suffix


# Values: non-empty printable text, the mark somewhere in it.
values = st.builds(lambda a, b: f"{a}{MARK}{b}", st.text(string.printable, max_size=12), st.text(string.printable))
# Values where a key=value or a query carries them (no separator inside).
token_values = st.builds(
    lambda a, b: f"{a}{MARK}{b}",
    st.text(string.ascii_letters + string.digits + "-._~+/=!@$%^*", max_size=12),
    st.text(string.ascii_letters + string.digits + "-._~+/", max_size=12),
)
plain = st.one_of(
    st.integers(), st.booleans(), st.none(), st.text(string.ascii_letters + string.digits + " ", max_size=10)
)
# JSON that holds no secret: non-secret names, any depth.
trees = st.recursive(
    plain,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(NOT_SECRET), inner, max_size=3)
    ),
    max_leaves=12,
)


def plant(tree: Any, path: list[int], name: str, value: Any) -> tuple[Any, Any]:
    """``tree`` with the member ``name: value`` put somewhere in it (chosen by ``path``), and the tree
    expected once masked (the value replaced)."""
    masked = mask_all(value)
    if isinstance(tree, dict) and path:
        keys = sorted(tree)
        if keys:
            key = keys[path[0] % len(keys)]
            inner, inner_masked = plant(tree[key], path[1:], name, value)
            return {**tree, key: inner}, {**tree, key: inner_masked}
    if isinstance(tree, list) and tree and path:
        i = path[0] % len(tree)
        inner, inner_masked = plant(tree[i], path[1:], name, value)
        return [*tree[:i], inner, *tree[i + 1 :]], [*tree[:i], inner_masked, *tree[i + 1 :]]
    # here: wrap the tree with the secret member beside it
    return {"data": tree, name: value}, {"data": tree, name: masked}


def mask_all(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: mask_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_all(v) for v in value]
    return REDACTED if isinstance(value, str) else value


# A secret's value: a string, or a container of them (``secrets: {"GITHUB": "..."}``).
secret_values = st.one_of(
    values,
    st.dictionaries(st.sampled_from(["GITHUB", "github", "A"]), values, min_size=1, max_size=2),
    st.lists(values, min_size=1, max_size=2),
)
paths = st.lists(st.integers(min_value=0, max_value=5), max_size=4)
EXAMPLES = settings(max_examples=30, deadline=None)


@pytest.mark.parametrize("words", WORDS, ids="_".join)
@EXAMPLES
@given(data=st.data(), tree=trees, path=paths, value=secret_values)
def test_json_data_at_any_depth(
    words: tuple[str, ...], data: st.DataObject, tree: Any, path: list[int], value: Any
) -> None:
    name = data.draw(secret_names(words))
    assert is_secret_name(name), name
    planted, expected = plant(tree, path, name, value)
    masked = redact(planted)
    assert masked == expected  # the value masked, everything else as it was
    assert MARK not in json.dumps(masked, ensure_ascii=False)
    assert redact(masked) == masked
    # The same data as JSON text, whole: parsed, masked, written back.
    text = redact_text(json.dumps(planted, ensure_ascii=False))
    assert MARK not in text and json.loads(text) == expected
    assert redact_text(text) == text


@pytest.mark.parametrize("words", WORDS, ids="_".join)
@EXAMPLES
@given(data=st.data(), tree=trees, path=paths, value=secret_values, cut=st.integers(min_value=1))
def test_json_text_cut_off(
    words: tuple[str, ...], data: st.DataObject, tree: Any, path: list[int], value: Any, cut: int
) -> None:
    """An excerpt is the start of a body: masked as far as it goes, never showing a value."""
    planted, _ = plant(tree, path, data.draw(secret_names(words)), value)
    whole = json.dumps(planted, ensure_ascii=False)
    text = whole[: cut % len(whole)]
    masked = redact_text(text)
    assert MARK not in masked
    assert redact_text(masked) == masked


@pytest.mark.parametrize("words", WORDS, ids="_".join)
@EXAMPLES
@given(data=st.data(), value=token_values, line=st.text(string.printable.replace("\r", "").replace("\n", "")))
def test_headers_queries_and_lines(words: tuple[str, ...], data: st.DataObject, value: str, line: str) -> None:
    name = data.draw(secret_names(words))
    headers = redact_headers({name: value, "Accept": "application/json"})
    assert headers == {name: REDACTED, "Accept": "application/json"}
    assert redact_headers(headers) == headers

    url = redact_url(f"https://h.example/p?page=2&{quote(name)}={quote(value, safe='')}&q=a+b#frag", keep_query=True)
    query = parse_qsl(urlsplit(url).query)
    assert query == [("page", "2"), (name, REDACTED), ("q", "a b")]
    assert redact_url(url, keep_query=True) == url
    assert MARK not in redact_url(f"https://user:{quote(value, safe='')}@h.example/?{quote(name)}=1")

    header_line = line.replace(MARK, "") + MARK  # a header's value runs to the end of the line
    for text in (
        f"GET /x?{name}={value}&page=2",
        f"{name}={value} model=m",
        f"{name}: {header_line}\nAccept: json",
        f"{{'{name}': '{value.replace(chr(39), '')}', 'n': 1}}",
        f"sent Authorization: Bearer {value}",
        f"retrying with Bearer {value}",
    ):
        masked = redact_text(text)
        assert MARK not in masked, (text, masked)
        assert redact_text(masked) == masked
    assert redact_text(f"GET /x?{name}={value}&page=2").endswith("&page=2")


@EXAMPLES
@given(tree=trees)
def test_data_without_secrets_is_left_as_it_was(tree: Any) -> None:
    assert redact(tree) == tree
    text = json.dumps(tree)
    assert json.loads(redact_text(text)) == tree
    assert redact_url("https://h.example/p?page=2&id=7", keep_query=True) == "https://h.example/p?page=2&id=7"


def test_the_names_that_are_not_secrets() -> None:
    for name in NOT_SECRET:
        assert not is_secret_name(name), name
    # A bare ``key`` is a created API key's value in a body the server sends, but ohctl's own data
    # uses it for other things (a batch task's key): masked in text, not in data.
    assert is_secret_name("key", strict=True) and not is_secret_name("key")
    assert redact({"key": "a", "api_key": "b"}) == {"key": "a", "api_key": REDACTED}
    assert json.loads(redact_text('{"key": "sk-oh-abc"}')) == {"key": REDACTED}
    # Values that show nothing stay as they are: a server's mask, empty, null, a flag.
    shown = {"api_key": "**********", "token": "", "password": None, "api_key_set": True, "max_tokens": 5}
    assert redact(shown) == shown


@EXAMPLES
@given(secret=st.text(string.printable, min_size=6), before=st.text(string.printable), after=st.text(string.printable))
def test_known_values_are_scrubbed_anywhere(secret: str, before: str, after: str) -> None:
    secret = secret + MARK
    text = f"{before}{secret}{after}"
    assert MARK not in redact_text(text, [secret])
    data = {"a": [text, {secret: 1}], "n": 3, "short": "abc"}
    cleaned = scrub(data, [secret, None, "abc"])  # under six characters: not scrubbed
    assert MARK not in json.dumps(cleaned, ensure_ascii=False) and cleaned["short"] == "abc"
    assert scrub(data, []) is data


def test_the_debug_log_masks_secret_query_parameters(caplog: pytest.LogCaptureFixture) -> None:
    """``OHCTL_LOG=debug`` shows each request's query; a secret parameter's value is masked there."""
    secret = "sess-0123456789abcdef"
    recorder = Recorder(json_response(200, {}))
    client = ohctl.OpenHands(
        api_key="sk-oh-0123456789",
        base_url="https://app.example.com",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )
    caplog.set_level(logging.DEBUG, logger="ohctl")
    client.with_options(params={"session_api_key": secret, "page": "2"}).request("GET", "/api/x")
    assert "page=2" in caplog.text and f"session_api_key={REDACTED}" in caplog.text
    assert secret not in caplog.text


def test_a_body_that_is_not_json_shows_no_secret() -> None:
    """A body cut off before its end is not JSON; the error quotes its start, masked."""
    secret = "sk-oh-live-0123456789abcdef"
    body = json.dumps({"id": "c1", "session_api_key": secret, "status": "RUNNING"})[:-5].encode()
    recorder = Recorder(httpx.Response(200, content=body, headers={"content-type": "application/json"}))
    client = ohctl.OpenHands(
        api_key="sk-oh-0123456789",
        base_url="https://app.example.com",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )
    with pytest.raises(ohctl.UnexpectedResponseError) as caught:
        client.request("GET", "/api/x")
    error = caught.value
    assert error.kind == "not-json"
    for text in (str(error), repr(error), error.excerpt):
        assert secret not in text
    assert "session_api_key" in str(error)  # the start of the body is still shown


def test_credential_headers_never_go_to_another_origin() -> None:
    """A header given for one request goes to another origin unless its name is a secret one (not only
    the five names the pipeline knew before)."""
    recorder = Recorder(json_response(200, {}), json_response(200, {}))
    client = ohctl.OpenHands(
        api_key="sk-oh-0123456789",
        base_url="https://app.example.com",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )
    extra = {"X-Api-Key": "k-0123456789", "X-Team": "t"}
    client.request("GET", "https://other.example.com/x", headers=extra)
    client.request("GET", "/api/x", headers=extra)
    foreign, own = recorder.requests
    assert "x-api-key" not in foreign.headers and foreign.headers["x-team"] == "t"
    assert own.headers["x-api-key"] == "k-0123456789"


@pytest.mark.parametrize(
    "name",
    [
        "max_input_tokens",
        "maxOutputTokens",
        "prompt_tokens",
        "completion_tokens",
        "cache_read_tokens",
        "reasoning_tokens",
        "per_turn_token",
        "accumulated_token_usage",
        "total_tokens",
    ],
)
def test_names_that_count_tokens_are_not_secrets(name: str) -> None:
    """The LLM settings and metrics count tokens: masking them hid ``max_input_tokens`` from
    ``ohctl settings`` and refused ``ohctl settings set max_input_tokens 4096``."""
    assert not is_secret_name(name)
    assert redact({name: "4096"}) == {name: "4096"}


@pytest.mark.parametrize("name", ["github_token", "access_token", "provider_tokens", "tokens", "secret_prompt_tokens"])
def test_names_that_hold_tokens_still_are(name: str) -> None:
    assert is_secret_name(name)
