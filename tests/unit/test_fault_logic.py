"""Retry and deadline rules under faults, proxy-free (httpx.MockTransport): the fast twins of the peer
fault suite in tests/peers/test_faults.py."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

import ohctl
from tests.support.helpers import Recorder, json_response, make_client

TASK = {"id": "a" * 32, "status": "WORKING"}


def test_retry_after_as_an_http_date_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    limited = json_response(429, {"error": "Rate limit exceeded: 10 per 1 second"}, {"Retry-After": when})
    recorder = Recorder(limited, json_response(200, 7))
    client, slept = make_client(recorder, max_retries=2)
    with client:
        assert client.conversations.count() == 7
    assert len(recorder.requests) == 2
    assert len(slept) == 1 and 3.5 <= slept[0] <= 5.0  # the date, less the second that may have begun


def test_three_non_json_200s_then_success_on_a_read() -> None:
    page = httpx.Response(200, content=b"upstream connect error", headers={"content-type": "text/plain"})
    recorder = Recorder(page, page, page, json_response(200, 3))
    client, slept = make_client(recorder, max_retries=3)
    with client:
        assert client.conversations.count() == 3
    assert len(recorder.requests) == 4 and len(slept) == 3


def test_non_json_200s_beyond_the_retry_budget_raise() -> None:
    page = httpx.Response(200, content=b"upstream connect error", headers={"content-type": "text/plain"})
    recorder = Recorder(page)
    client, _ = make_client(recorder, max_retries=2)
    with client, pytest.raises(ohctl.UnexpectedResponseError):
        client.conversations.count()
    assert len(recorder.requests) == 3


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadError("connection reset by peer"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ReadTimeout("timed out"),
        json_response(503, {"detail": "maintenance"}),
        json_response(502, {"detail": "bad gateway"}),
        httpx.Response(200, content=b'{"id": "aaaa', headers={"content-type": "application/json"}),  # cut short
    ],
    ids=["reset", "cut-off", "read-timeout", "503", "502", "truncated-json"],
)
def test_a_create_is_never_retried_once_it_may_have_reached_the_server(failure: object) -> None:
    recorder = Recorder(failure, json_response(200, TASK))  # type: ignore[arg-type]
    client, _ = make_client(recorder, max_retries=3)
    with client, pytest.raises(ohctl.OhctlError):
        client.conversations.start("once only", wait=None)
    assert [r.method for r in recorder.requests] == ["POST"]


def test_a_create_refused_before_the_server_is_retried() -> None:
    """A connection that was never made, and a rate limiter's 429, are safe to retry even for a create."""
    limited = json_response(429, {"error": "Rate limit exceeded"}, {"Retry-After": "1"})
    recorder = Recorder(httpx.ConnectError("connection refused"), limited, json_response(200, TASK))
    client, slept = make_client(recorder, max_retries=3)
    with client:
        task = client.conversations.start("retried safely", wait=None)
    assert str(task.id) == "a" * 32
    assert [r.method for r in recorder.requests] == ["POST", "POST", "POST"]
    assert slept[-1] == 1.0


def test_the_concurrency_limit_is_not_retried() -> None:
    detail = {"error": "CONCURRENCY_LIMIT_REACHED", "message": "limit", "limit": 3, "current": 3}
    recorder = Recorder(json_response(429, {"detail": detail}, {"Retry-After": "1"}), json_response(200, TASK))
    client, _ = make_client(recorder, max_retries=3)
    with client, pytest.raises(ohctl.ConcurrencyLimitError) as info:
        client.conversations.start("limited", wait=None)
    assert info.value.limit == 3 and len(recorder.requests) == 1
