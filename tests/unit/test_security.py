"""Credentials go only to their own server; configuration mistakes get configuration errors; URLs
with a password never show it."""

from __future__ import annotations

import logging

import httpx
import pytest

import ohctl
from tests.support.helpers import Recorder, json_response

KEY = "sk-oh-very-secret-0123456789"
SESSION = "session-key-abcdef-0123"


def client_with(recorder: Recorder, **kwargs: object) -> ohctl.OpenHands:
    return ohctl.OpenHands(
        api_key=KEY,
        base_url=kwargs.pop("base_url", "https://app.example.com"),  # type: ignore[arg-type]
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://other.example.com/x",
        "http://app.example.com/x",  # another scheme is another origin
        "https://app.example.com:8443/x",  # another port too
        "https://app.example.com.evil.io/x",
    ],
)
def test_the_key_never_goes_to_another_origin(url: str) -> None:
    recorder = Recorder(json_response(200, {}))
    client = client_with(recorder)
    client.with_options(headers={"X-Team": "t"}).request("GET", url)
    sent = recorder.requests[-1]
    assert "authorization" not in sent.headers and "x-team" not in sent.headers
    assert KEY not in str(sent.headers) and KEY not in str(sent.url)


def test_the_key_goes_to_its_own_origin_by_absolute_url_too() -> None:
    recorder = Recorder(json_response(200, {}))
    client = client_with(recorder)
    client.request("GET", "https://app.example.com:443/api/v1/users/me")
    assert recorder.requests[-1].headers["authorization"] == f"Bearer {KEY}"


def test_a_caller_cannot_smuggle_credentials_to_another_origin() -> None:
    recorder = Recorder(json_response(200, {}))
    client = client_with(recorder)
    client.request("GET", "https://other.example.com/x", headers={"X-Session-API-Key": SESSION})
    assert "x-session-api-key" not in recorder.requests[-1].headers


def test_the_session_key_goes_only_to_its_agent_server() -> None:
    recorder = Recorder(json_response(200, {}))
    agent = ohctl.AgentServer(
        "http://127.0.0.1:8011", SESSION, http_client=httpx.Client(transport=httpx.MockTransport(recorder))
    )
    agent.request("GET", "/server_info")
    assert recorder.requests[-1].headers["x-session-api-key"] == SESSION
    agent.request("GET", "http://127.0.0.1:9999/elsewhere")
    assert "x-session-api-key" not in recorder.requests[-1].headers


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_an_error_and_is_not_followed(status: int) -> None:
    recorder = Recorder(httpx.Response(status, headers={"location": "https://login.example.net/?next=/api"}))
    client = client_with(recorder)
    with pytest.raises(ohctl.UnexpectedResponseError, match=r"redirect to https://login\.example\.net") as err:
        client.users.me()
    assert err.value.status_code == status and len(recorder.requests) == 1
    assert "base_url" in str(err.value)


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("https://app.example.com/", "https://app.example.com"),
        ("https://app.example.com/api", "https://app.example.com"),
        ("https://app.example.com/api/", "https://app.example.com"),
        ("https://app.example.com/api/v1/", "https://app.example.com"),
        ("https://example.com/openhands/api/v1", "https://example.com/openhands"),
        ("  https://app.example.com  ", "https://app.example.com"),
    ],
)
def test_base_url_is_the_server_root(given: str, root: str) -> None:
    recorder = Recorder(json_response(200, 0))
    client = client_with(recorder, base_url=given)
    assert client.base_url == root
    client.conversations.count()
    assert str(recorder.requests[-1].url).startswith(root + "/api/v1/app-conversations/count")


@pytest.mark.parametrize(
    "bad",
    [
        "http://exa mple.com",
        "https://a b.example.com/x",
        "ftp://example.com",
        "example.com",
        "https://",
        "http://[::1",
        "https://h/?q=1",
    ],
)
def test_an_invalid_base_url_is_a_configuration_error(bad: str) -> None:
    with pytest.raises(ohctl.ConfigurationError, match="base_url"):
        ohctl.OpenHands(api_key=KEY, base_url=bad)


def test_a_password_in_the_base_url_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder(json_response(500, {"detail": "boom"}))
    client = client_with(recorder, base_url="https://user:hunter2pass@app.example.com", max_retries=1)
    caplog.set_level(logging.DEBUG, logger="ohctl")
    with pytest.raises(ohctl.InternalServerError) as err:
        client.users.me()
    for text in (str(err.value), repr(client), caplog.text, err.value.url):
        assert "hunter2pass" not in text
    with pytest.raises(ohctl.ConfigurationError) as bad:
        ohctl.OpenHands(api_key=KEY, base_url="ftp://user:hunter2pass@app.example.com")
    assert "hunter2pass" not in str(bad.value)


def test_websocket_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    from ohctl._backend import WS_LOGGER

    caplog.set_level(logging.DEBUG, logger="ohctl")
    WS_LOGGER.debug("> TEXT '%s' [62 bytes]", f'{{"type": "auth", "session_api_key": "{SESSION}"}}')
    WS_LOGGER.debug("> X-Session-API-Key: %s", SESSION)
    WS_LOGGER.debug("> Authorization: Bearer %s", KEY)
    WS_LOGGER.debug('< TEXT \'{"kind": "MessageEvent"}\' [25 bytes]')
    assert SESSION not in caplog.text and KEY not in caplog.text
    assert caplog.text.count("<redacted>") == 3 and "MessageEvent" in caplog.text
