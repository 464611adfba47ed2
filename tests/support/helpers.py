from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

import ohctl

Handler = Callable[[httpx.Request], httpx.Response]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"content-type": "application/json", **(headers or {})}
    )


class Recorder:
    """A MockTransport handler that answers from a queue of responses and records requests."""

    def __init__(self, *responses: httpx.Response | Exception | Handler) -> None:
        self.queue = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.queue.pop(0) if len(self.queue) > 1 else self.queue[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item


def make_client(recorder: Recorder, **kwargs: Any) -> tuple[ohctl.OpenHands, list[float]]:
    slept: list[float] = []
    client = ohctl.OpenHands(
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        sleep=slept.append,
        **kwargs,
    )
    return client, slept


def make_async_client(recorder: Recorder, **kwargs: Any) -> tuple[ohctl.AsyncOpenHands, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = ohctl.AsyncOpenHands(
        base_url="http://127.0.0.1:9",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        sleep=sleep,
        **kwargs,
    )
    return client, slept


def conversation(cid: str, sandbox: str | None = "RUNNING", execution: str | None = "running") -> dict[str, Any]:
    return {"id": cid, "sandbox_id": "sb", "sandbox_status": sandbox, "execution_status": execution}
