"""A path parameter fills exactly one segment of its route and can never change which route is called
(``client.sandboxes.pause("..")`` once sent ``POST /api/v1/pause``): checked over every route template
the SDK calls, with hostile and arbitrary values, and through the public methods."""

from __future__ import annotations

import string

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ohctl
from ohctl._routes import route
from tests.support import route_walker
from tests.support.helpers import Recorder, json_response, make_client

HOSTILE = ["..", ".", "", "...", "a/b", "../x", "x/..", "a?b=1", "a#b", "%2e%2e", "%2E%2E", "%2f", "a%2Fb", "a\\b"]
TEMPLATES = sorted({site.template for site in route_walker.walk().sites if "{" in site.template})


def fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def test_the_walker_found_the_parameterised_routes() -> None:
    assert len(TEMPLATES) > 30 and any("{sandbox_id}" in t for t in TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_that_would_change_the_route_is_refused(template: str, value: str) -> None:
    others = {name: "abc" for name in fields(template)}
    for name in fields(template):
        with pytest.raises(ohctl.InvalidArgumentError, match=name):
            route(template, **{**others, name: value})


@given(st.text(min_size=1, max_size=40))
def test_any_accepted_value_stays_one_segment_of_its_route(value: str) -> None:
    template = "/api/v1/sandboxes/{sandbox_id}/pause"
    try:
        path = route(template, sandbox_id=value)
    except ohctl.InvalidArgumentError:
        return
    url = httpx.URL("http://127.0.0.1:9").join(path)  # what the client sends, dot segments resolved
    segments = url.raw_path.decode().split("/")
    assert segments[:4] == ["", "api", "v1", "sandboxes"] and segments[5:] == ["pause"] and len(segments) == 6
    assert httpx.URL(f"http://h/{segments[4]}").path == f"/{value}"  # the value itself, decoded back


@pytest.mark.parametrize("value", ["..", ".", "a/b", "%2e%2e"])
def test_the_public_methods_refuse_before_sending(value: str) -> None:
    recorder = Recorder(json_response(200, {}))
    client, _ = make_client(recorder)
    with client:
        for call in (client.sandboxes.pause, client.sandboxes.resume):
            with pytest.raises(ohctl.InvalidArgumentError, match="not a valid sandbox"):
                call(value)
    assert recorder.requests == []
