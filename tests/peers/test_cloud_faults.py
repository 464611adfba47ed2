"""Hosted-Cloud behaviour, reproduced by a fault-injecting proxy in front of the real app server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import ohctl
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.peer_suite import Shared

HTML = b"<!DOCTYPE html><html><head><title>OpenHands</title></head><body><div id=root></div></body></html>"


@pytest.fixture
def proxy(base_url: str) -> Iterator[FaultProxy]:
    p = FaultProxy(base_url).start()
    yield p
    p.stop()


def no_sleep(_: float) -> None:
    return None


def test_html_page_with_200(proxy: FaultProxy) -> None:
    proxy.rules.append(lambda m, p: Fault(200, HTML, {"Content-Type": "text/html"}) if "/users/me" in p else None)
    with ohctl.OpenHands(base_url=proxy.base_url) as client, pytest.raises(ohctl.UnexpectedResponseError) as info:
        client.users.me()
    assert "web page" in str(info.value) and info.value.status_code == 200
    assert proxy.seen == [("GET", "/api/v1/users/me")]  # a 200 page is not retried


def test_bearer_rejection(proxy: FaultProxy) -> None:
    def reject(method: str, path: str) -> Fault | None:
        return Fault(401, b'{"error": "BearerTokenError"}', {"Content-Type": "application/json"})

    proxy.rules.append(reject)
    with ohctl.OpenHands(base_url=proxy.base_url, api_key="sk-oh-secret-key-123") as client:
        with pytest.raises(ohctl.AuthenticationError) as info:
            client.settings.get()
    message = str(info.value)
    assert "BearerTokenError" in message and "OPENHANDS_API_KEY" in message
    assert "sk-oh-secret-key-123" not in message and "sk-oh-secret-key-123" not in repr(info.value.__dict__)


def test_concurrency_limit_on_start_is_not_retried(proxy: FaultProxy) -> None:
    body = {
        "detail": {
            "error": "CONCURRENCY_LIMIT_REACHED",
            "message": "You have reached your limit of 3 concurrent conversations.",
            "limit": 3,
            "current": 3,
        }
    }
    proxy.rules.append(
        lambda m, p: (
            Fault(429, json.dumps(body).encode(), {"Content-Type": "application/json", "Retry-After": "1"})
            if m == "POST"
            else None
        )
    )
    with ohctl.OpenHands(base_url=proxy.base_url, sleep=no_sleep) as client:
        with pytest.raises(ohctl.ConcurrencyLimitError) as info:
            client.conversations.start("never started", wait=None)
    assert info.value.limit == 3 and info.value.current == 3
    assert "pause or delete" in str(info.value)
    assert [s for s in proxy.seen if s[0] == "POST"] == [("POST", "/api/v1/app-conversations")]


def test_5xx_burst_retried_for_reads_not_for_creates(proxy: FaultProxy, shared: Shared) -> None:
    failures = {"left": 2}

    def burst(method: str, path: str) -> Fault | None:
        if failures["left"] > 0:
            failures["left"] -= 1
            return Fault(503, b"<html>maintenance</html>", {"Content-Type": "text/html"})
        return None

    proxy.rules.append(burst)
    with ohctl.OpenHands(base_url=proxy.base_url, sleep=no_sleep) as client:
        conv = client.conversations.retrieve(shared.id)  # two 503s, then the real answer
        assert conv.id == shared.id
        assert len(proxy.seen) == 3 and len(proxy.forwarded) == 1

        failures["left"] = 1
        with pytest.raises(ohctl.InternalServerError) as info:
            client.conversations.start("must not start twice", sandbox_id=shared.sandbox_id, wait=None)
        assert info.value.status_code == 503
    posts = [s for s in proxy.seen if s[0] == "POST"]
    assert posts == [("POST", "/api/v1/app-conversations")]  # exactly one attempt


def test_rate_limit_then_success_honours_retry_after(proxy: FaultProxy, shared: Shared) -> None:
    calls = {"n": 0}

    def limit(method: str, path: str) -> Fault | None:
        calls["n"] += 1
        if calls["n"] == 1:
            return Fault(
                429,
                b'{"error": "Rate limit exceeded: 10 per 1 second"}',
                {"Content-Type": "application/json", "Retry-After": "3"},
            )
        return None

    proxy.rules.append(limit)
    slept: list[float] = []
    with ohctl.OpenHands(base_url=proxy.base_url, sleep=slept.append) as client:
        assert client.conversations.count() >= 1
    assert slept == [3.0]


@pytest.mark.anyio
async def test_stream_start_cut_short(proxy: FaultProxy, shared: Shared) -> None:
    """The connection drops right after the first snapshot: a typed error with the last task seen,
    and no second POST (the server runs the start inside the stream and abandons it)."""
    proxy.rules.append(lambda m, p: Fault(cut_after=b'"WORKING"') if p.endswith("/stream-start") else None)
    async with ohctl.AsyncOpenHands(base_url=proxy.base_url) as client:
        updates = []
        with pytest.raises(ohctl.StreamError) as info:
            async for update in client.conversations.stream_start("[ohctl:default] cut", sandbox_id=shared.sandbox_id):
                updates.append(update)
        assert [str(u.status) for u in updates] == ["WORKING"]
        assert info.value.last is updates[-1]
        assert "start_tasks.retrieve" in str(info.value)
        task = await client.start_tasks.retrieve(info.value.last)
        assert task.id == updates[0].id
    assert len([s for s in proxy.seen if s[0] == "POST"]) == 1
