"""One way for every client to hold its resources: a ``resource`` attribute, made on first use, once
per client; a ``with_options`` twin makes its own, over its own request options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ohctl
from ohctl.legacy import AsyncLegacyOpenHands, LegacyOpenHands

MAKERS: dict[str, Callable[[], Any]] = {
    "OpenHands": lambda: ohctl.OpenHands(api_key="k", base_url="https://example.test"),
    "AsyncOpenHands": lambda: ohctl.AsyncOpenHands(api_key="k", base_url="https://example.test"),
    "AgentServer": lambda: ohctl.AgentServer("https://example.test", "k"),
    "AsyncAgentServer": lambda: ohctl.AsyncAgentServer("https://example.test", "k"),
    "LegacyOpenHands": lambda: LegacyOpenHands(api_key="k", base_url="https://example.test"),
    "AsyncLegacyOpenHands": lambda: AsyncLegacyOpenHands(api_key="k", base_url="https://example.test"),
}


def resource_names(client: object) -> list[str]:
    return [
        name
        for klass in type(client).__mro__
        for name, value in vars(klass).items()
        if type(value).__name__ == "resource"
    ]


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_resources_are_made_once_on_first_use(make: Callable[[], Any]) -> None:
    client = make()
    names = resource_names(client)
    assert {"conversations", "events"} <= set(names)
    assert not set(names) & set(vars(client))  # nothing made yet
    made = {name: getattr(client, name) for name in names}
    for name, value in made.items():
        assert getattr(client, name) is value
        assert getattr(value, "_http", client._http) is client._http

    twin = client.with_options(timeout=5)
    for name, value in made.items():
        mine = getattr(twin, name)
        assert mine is not value
        assert getattr(mine, "_http", twin._http) is twin._http
    assert client.conversations is made["conversations"]


def test_legacy_resources_reach_each_other_through_their_client() -> None:
    client = LegacyOpenHands(api_key="k", base_url="https://example.test")
    twin = client.with_options(max_retries=0)
    assert twin.conversations._client.events is twin.events
    assert twin.files._client.conversations is twin.conversations
