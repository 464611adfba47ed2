"""Secrets of the hosted Cloud's answers stay out of errors, reprs and logs, whatever the body's shape
(the MockTransport stands for the hosted service)."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

import ohctl
from ohctl.cloud import DeviceLogin

KEY = "sk-oh-NEWKEY-0123456789abcdef"
CLIENT_KEY = "sk-oh-CLIENT-fedcba9876543210"


def client_answering(body: object, status: int = 200) -> ohctl.OpenHands:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    return ohctl.OpenHands(base_url="http://127.0.0.1:9", api_key=CLIENT_KEY, http_client=http, max_retries=0)


@pytest.mark.parametrize(
    "body",
    [
        {"id": "seven", "created_at": "2024-05-01T12:00:00", "key": KEY},  # a wrong type next to the key
        {"id": 7, "key": KEY, "created_at": {"when": "now"}},
        [{"id": 7, "created_at": "2024-05-01T12:00:00", "key": KEY}],  # wrapped in a list
    ],
)
def test_a_created_key_in_a_body_of_the_wrong_shape_is_not_quoted(
    body: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ohctl")
    with client_answering(body) as client, pytest.raises(ohctl.UnexpectedResponseError) as info:
        client.cloud.keys.create("ci")
    error = info.value
    assert error.kind == "shape" and error.route and "/api/keys" in error.route
    for text in (str(error), repr(error), error.excerpt, caplog.text):
        assert KEY not in text and CLIENT_KEY not in text
    assert "carries a credential" in str(error)


def test_reprs_hide_the_key_values() -> None:
    body = {"id": 7, "created_at": "2024-05-01T12:00:00", "key": KEY, "name": "ci"}
    with client_answering(body) as client:
        created = client.cloud.keys.create("ci")
        assert created.key == KEY and KEY not in repr(created) and CLIENT_KEY not in repr(client)
    with client_answering({"key": KEY}) as client:
        assert KEY not in repr(client.cloud.keys.byor_llm_key())


def test_a_device_token_of_the_wrong_shape_is_not_quoted() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/authorize"):
            body: object = {"device_code": KEY, "user_code": "AB", "verification_uri": "https://x", "interval": 1,
                            "expires_in": 60}  # fmt: skip
        else:
            body = {"access_token": KEY, "expires_in": "one day"}
        return httpx.Response(200, json=body)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with DeviceLogin("http://127.0.0.1:9", http_client=http, sleep=lambda _: None) as login:
        with pytest.raises(ohctl.UnexpectedResponseError) as info:
            login.login()
    assert info.value.field == "expires_in" and KEY not in str(info.value) and KEY not in info.value.excerpt
