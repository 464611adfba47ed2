import logging

import httpx
import pytest

import ohctl
from ohctl._config import resolve
from tests.support.helpers import Recorder, json_response, make_client


def test_key_precedence() -> None:
    env = {"OPENHANDS_CLOUD_API_KEY": "b", "OH_API_KEY": "c"}
    assert resolve(api_key=None, base_url=None, environ=env).api_key == "b"
    assert (
        resolve(api_key=None, base_url=None, environ={**env, "OPENHANDS_API_KEY": "a"}).api_key_source
        == "OPENHANDS_API_KEY"
    )
    assert resolve(api_key="arg", base_url=None, environ={"OPENHANDS_API_KEY": "a"}).api_key == "arg"
    assert resolve(api_key=None, base_url=None, environ={"OH_API_KEY": "c"}).api_key_source == "OH_API_KEY"


def test_base_url_precedence() -> None:
    env = {"OPENHANDS_APP_BASE": "https://b.example", "OPENHANDS_API_KEY": "k"}
    assert resolve(api_key=None, base_url=None, environ=env).base_url == "https://b.example"
    env["OPENHANDS_BASE_URL"] = "https://a.example/"
    assert resolve(api_key=None, base_url=None, environ=env).base_url == "https://a.example"
    assert resolve(api_key="k", base_url="https://x.example/api/v1", environ={}).base_url == "https://x.example"
    assert resolve(api_key="k", base_url=None, environ={}).base_url == ohctl.CLOUD_URL


def test_missing_key_for_cloud_names_the_variables() -> None:
    with pytest.raises(ohctl.ConfigurationError, match="OPENHANDS_API_KEY, OPENHANDS_CLOUD_API_KEY, OH_API_KEY"):
        resolve(api_key=None, base_url=None, environ={})
    assert resolve(api_key=None, base_url="http://localhost:3000", environ={}).api_key is None


def test_plain_http_key_refused_off_loopback() -> None:
    with pytest.raises(ohctl.ConfigurationError, match="allow_insecure"):
        resolve(api_key="k", base_url="http://oh.internal:3000", environ={})
    assert resolve(api_key="k", base_url="http://oh.internal:3000", allow_insecure=True, environ={}).api_key == "k"
    for host in ("127.0.0.1", "localhost", "[::1]"):
        assert resolve(api_key="k", base_url=f"http://{host}:3000", environ={}).api_key == "k"
    with pytest.raises(ohctl.ConfigurationError, match="http"):
        resolve(api_key="k", base_url="ftp://x", environ={})


def test_key_never_in_repr_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    secret = "sk-oh-SECRET-42"
    recorder = Recorder(json_response(401, {"error": "BearerTokenError"}))
    client, _ = make_client(recorder, api_key=secret)
    assert secret not in repr(client) and secret not in repr(client.config)
    with caplog.at_level(logging.DEBUG, logger="ohctl"), pytest.raises(ohctl.AuthenticationError) as info:
        client.users.me()
    assert recorder.requests[0].headers["authorization"] == f"Bearer {secret}"
    assert secret not in caplog.text and secret not in str(info.value)
    assert "ohctl/" in recorder.requests[0].headers["user-agent"]


def test_session_key_header() -> None:
    recorder = Recorder(json_response(200, {"id": "u"}))
    client, _ = make_client(recorder, api_key="k", auth="session-key")
    client.users.me()
    assert recorder.requests[0].headers["x-session-api-key"] == "k"
    assert "authorization" not in recorder.requests[0].headers
    with pytest.raises(ohctl.ConfigurationError):
        ohctl.OpenHands(api_key="k", base_url="http://127.0.0.1", auth="basic")  # type: ignore[arg-type]
    assert isinstance(httpx.Client, type)
