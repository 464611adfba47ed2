"""The fast paths of bench/ keep their meaning: pages sized from what is left, events validated a page
at a time exactly as one at a time, concurrent batch gets in order, and imports that stay lazy."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ohctl
from ohctl.types.events import ActionEvent, Event, MessageEvent, ObservationEvent, parse_event, parse_event_page
from tests.support.helpers import Recorder, conversation, json_response, make_async_client, make_client

CID = "c" * 32


def numbered(total: int) -> Any:
    """A search of ``total`` secrets that honours the ``limit`` and ``page_id`` asked for."""

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("page_id") or 0)
        size = int(request.url.params["limit"])
        end = min(start + size, total)
        nxt = str(end) if end < total else None
        return json_response(200, {"items": [{"name": f"S{i}"} for i in range(start, end)], "next_page_id": nxt})

    return answer


@pytest.mark.parametrize(
    ("limit", "page_size", "asked"),
    [
        (150, None, [100, 50]),
        (250, 100, [100, 100, 50]),
        (70, 30, [30, 30, 10]),
        (5, None, [5]),
        (100, None, [100]),
        (101, None, [100, 1]),
        (None, 40, [40, 40, 40, 40, 40, 40, 40, 40]),  # 300 items: no limit, every page full size
    ],
)
def test_the_last_page_asks_only_for_what_is_left(limit: int | None, page_size: int | None, asked: list[int]) -> None:
    recorder = Recorder(numbered(300))
    client, _ = make_client(recorder)
    items = list(client.secrets.search(limit=limit, page_size=page_size))
    assert len(items) == (300 if limit is None else limit)
    assert [int(r.url.params["limit"]) for r in recorder.requests] == asked
    assert [s.name for s in items] == [f"S{i}" for i in range(len(items))]


def test_pages_stop_at_the_limit_and_the_cursor_points_past_it() -> None:
    recorder = Recorder(numbered(300))
    client, _ = make_client(recorder)
    pager = client.secrets.search(limit=150)
    assert [len(page.items) for page in pager.pages()] == [100, 50]
    assert pager.cursor == "150"  # resume(pager.cursor) goes on after the items it gave
    assert [s.name for s in pager.resume(pager.cursor)][:1] == ["S150"]
    assert list(client.secrets.search(limit=0)) == []


@given(total=st.integers(0, 450), limit=st.integers(0, 450), page_size=st.integers(1, 100))
@settings(max_examples=60, deadline=None)
def test_limits_never_over_fetch(total: int, limit: int, page_size: int) -> None:
    recorder = Recorder(numbered(total))
    client, _ = make_client(recorder)
    items = list(client.secrets.search(limit=limit, page_size=page_size))
    assert len(items) == min(total, limit)
    asked = sum(int(r.url.params["limit"]) for r in recorder.requests)
    assert asked <= max(limit, 1)  # never more items asked for than wanted (one when the limit is 0)


EVENTS: list[dict[str, Any]] = [
    {"id": "1", "kind": "MessageEvent", "llm_message": {"role": "user", "content": [{"type": "text", "text": "hi"}]}},
    {"id": "2", "kind": "ActionEvent", "action": {"command": "ls"}, "tool_name": "terminal", "extra_field": 3},
    {"id": "3", "kind": "openhands.agent_server.models.ServerErrorEvent", "code": "E", "detail": "boom"},
    {"id": "4", "kind": None, "source": "agent"},
    {"id": "5"},
    {"id": "6", "kind": "BrandNewEvent", "payload": [1, 2]},
    {"id": "7", "kind": "ConversationStateUpdateEvent", "key": "execution_status", "value": "finished"},
    {"id": "8", "kind": "AgentErrorEvent", "error": "bad"},
]


def test_a_page_of_events_reads_as_each_event_alone() -> None:
    page = parse_event_page(json.dumps({"items": EVENTS, "next_page_id": "n"}).encode())
    one_by_one = [parse_event(dict(e)) for e in EVENTS]
    assert [type(e) for e in page.items] == [type(e) for e in one_by_one]
    assert [e.model_dump() for e in page.items] == [e.model_dump() for e in one_by_one]
    assert page.next_page_id == "n"
    kinds = [e.kind for e in page.items]
    assert kinds[2] == "openhands.agent_server.models.ServerErrorEvent"  # kept as sent
    assert kinds[3] == kinds[4] == "Event" and kinds[5] == "BrandNewEvent"
    assert page.items[5].payload == [1, 2]  # type: ignore[attr-defined]  (unknown fields kept)
    assert page.items[2].text == "boom" and type(page.items[0]).__name__ == "MessageEvent"


# As a real app server 1.11 sends them (recorded; every field, null and empty ones included).
REAL_EVENTS: list[dict[str, Any]] = [
    {
        "id": "5ccc101d-7af3-4dad-82fc-b7988aa7315b",
        "timestamp": "2026-11-29T18:49:48.629992",
        "source": "user",
        "parent_id": "b3ecddc5-43f3-4f83-8042-f0c8219b4c9b",
        "llm_message": {
            "role": "user",
            "content": [{"cache_prompt": False, "type": "text", "text": "Print twelve lines"}],
            "tool_calls": None,
            "tool_call_id": None,
            "name": None,
            "reasoning_content": None,
            "thinking_blocks": [],
            "responses_reasoning_item": None,
        },
        "llm_response_id": None,
        "activated_skills": [],
        "extended_content": [],
        "sender": None,
        "critic_result": None,
        "kind": "MessageEvent",
    },
    {
        "id": "74bf16c9-28c9-485f-adf4-fc23daaa1675",
        "timestamp": "2026-11-29T18:49:49.364240",
        "source": "agent",
        "parent_id": "5ccc101d-7af3-4dad-82fc-b7988aa7315b",
        "thought": [],
        "reasoning_content": None,
        "thinking_blocks": [],
        "responses_reasoning_item": None,
        "action": {"command": "echo step 1", "is_input": False, "timeout": None, "kind": "TerminalAction"},
        "tool_name": "terminal",
        "tool_call_id": "call_70800aa132f14759",
        "tool_call": {
            "id": "call_70800aa132f14759",
            "responses_item_id": None,
            "name": "terminal",
            "arguments": '{"command": "echo step 1"}',
            "origin": "completion",
        },
        "llm_response_id": "chatcmpl-5345be7977f9",
        "security_risk": "LOW",
        "critic_result": None,
        "summary": "scripted",
        "kind": "ActionEvent",
    },
    {
        "id": "6f2a5a54-36a8-4d0c-a45c-df04c9bf295c",
        "timestamp": "2026-11-29T18:49:49.732409",
        "source": "environment",
        "parent_id": "74bf16c9-28c9-485f-adf4-fc23daaa1675",
        "tool_name": "terminal",
        "tool_call_id": "call_70800aa132f14759",
        "observation": {"content": [{"type": "text", "text": "step 1"}], "exit_code": 0, "kind": "TerminalObservation"},
        "action_id": "74bf16c9-28c9-485f-adf4-fc23daaa1675",
        "extended_content": [],
        "kind": "ObservationEvent",
    },
]


def test_a_page_of_known_kinds_reads_as_each_event_alone_with_every_field_typed() -> None:
    page = parse_event_page(json.dumps({"items": REAL_EVENTS, "next_page_id": None}).encode())
    one_by_one = [parse_event(dict(e)) for e in REAL_EVENTS]
    assert [e.model_dump() for e in page.items] == [e.model_dump() for e in one_by_one]
    message, action, observation = page.items
    assert isinstance(action, ActionEvent) and action.tool_call is not None
    assert action.tool_call["name"] == "terminal" and action.thinking_blocks == [] and action.summary == "scripted"
    assert isinstance(message, MessageEvent) and message.activated_skills == [] and message.text == "Print twelve lines"
    assert isinstance(observation, ObservationEvent) and observation.text == "step 1"
    assert all(not e.model_extra for e in page.items)  # every field the server sends is a declared one
    assert page.next_page_id is None


def test_a_page_with_one_odd_event_still_reads_every_other_event_typed() -> None:
    odd = {"id": "x", "kind": "BrandNewEvent", "payload": 1}
    page = parse_event_page(json.dumps({"items": [*REAL_EVENTS, odd]}).encode())
    assert [type(e).__name__ for e in page.items] == ["MessageEvent", "ActionEvent", "ObservationEvent", "Event"]
    assert page.items[-1].model_extra == {"payload": 1}


def test_a_pager_holds_one_page_at_a_time() -> None:
    """The previous page is dropped before the next is fetched (memory and garbage-collector work stay
    at one page), unless the caller keeps it."""
    import gc
    import weakref

    alive: list[int] = []
    refs: list[weakref.ref[Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        gc.collect()
        alive.append(sum(1 for r in refs if r() is not None))
        return numbered(300)(request)

    client, _ = make_client(Recorder(answer))
    for item in client.secrets.search(page_size=100):
        if not refs or refs[-1]() is None or item.name.endswith("00"):
            refs.append(weakref.ref(item))
        del item
    assert alive == [0, 0, 0]  # no item of an earlier page was still held when the next one was asked


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'{"items": [3]}', "shape"),
        (b'{"items": [{"kind": "MessageEvent"}]}', "shape"),  # no id
        (b'{"items": [], "next_page_id": 5}', "shape"),
        (b'{"items": [], "next_page_id": "' + b"x" * 5000 + b'"}', "shape"),
        (b'{"items": [', "not-json"),
        (b"<html><body>Sign in</body></html>", "html"),
    ],
)
def test_a_bad_page_of_events_is_a_typed_error(body: bytes, kind: str) -> None:
    response = httpx.Response(200, content=body, headers={"content-type": "application/json"})
    # Not JSON is retried (it may be a cut-off body); the rest fail at once.
    client, slept = make_client(Recorder(response), max_retries=2)
    with pytest.raises(ohctl.UnexpectedResponseError) as caught:
        list(client.events.search(CID))
    assert caught.value.kind == kind
    assert len(slept) == (2 if kind == "not-json" else 0)


def test_the_async_client_fetches_batches_concurrently_and_in_order() -> None:
    ids = [f"{i:032x}" for i in range(1, 251)]  # 3 calls of at most 99
    in_flight = 0
    most = 0

    async def main() -> list[Any]:
        async def answer(request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            await anyio.sleep(0.05)
            in_flight -= 1
            return json_response(200, [conversation(i) for i in request.url.params.get_list("ids")])

        client = ohctl.AsyncOpenHands(
            base_url="http://127.0.0.1:9", http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer))
        )
        async with client:
            return await client.conversations.get(ids)

    found = anyio.run(main)
    assert [c.id for c in found] == ids
    assert most == 3


def test_a_failed_batch_fails_the_whole_get_and_leaves_no_call_running() -> None:
    ids = [f"{i:032x}" for i in range(1, 301)]
    recorder = Recorder(json_response(200, [None] * 99), httpx.ConnectError("down"))

    async def main() -> None:
        client, _ = make_async_client(recorder, max_retries=0)
        async with client:
            await client.conversations.get(ids)

    with pytest.raises(ohctl.APIConnectionError):
        anyio.run(main)


def loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_ohctl_loads_nothing_heavy() -> None:
    modules = loaded_after("import ohctl")
    heavy = {m for m in modules if m.split(".")[0] in {"httpx", "pydantic", "websockets", "rich", "jq"}}
    assert not heavy, heavy
    assert not any(m.startswith(("ohctl._async", "ohctl._sync")) for m in modules)


def test_the_sync_client_loads_neither_websockets_nor_the_async_stack() -> None:
    modules = loaded_after("from ohctl import OpenHands\nOpenHands(api_key='k', base_url='http://127.0.0.1:9')")
    assert not any(m.startswith("websockets") for m in modules)
    assert not any(m.startswith("ohctl._async") for m in modules)


def test_every_public_name_imports() -> None:
    for name in ohctl.__all__:
        assert getattr(ohctl, name) is not None, name
    assert isinstance(Event, type)


def test_exact_first_keeps_unknown_fields_and_the_same_errors() -> None:
    from pydantic import TypeAdapter, ValidationError

    from ohctl._parse import ExactFirst
    from ohctl.types.conversations import AppConversation

    parse = ExactFirst(TypeAdapter(list[AppConversation]))
    known = json.dumps([conversation(CID)]).encode()
    newer = json.dumps([conversation(CID) | {"brand_new": {"x": 1}}]).encode()
    [exact] = parse(known)
    assert exact.model_extra is None  # no dict of unknown fields was made
    [tolerant] = parse(newer)
    assert tolerant.model_extra == {"brand_new": {"x": 1}}  # kept, as one-at-a-time validation keeps it
    assert exact == AppConversation.model_validate(conversation(CID))  # None and {} extras compare equal
    assert parse._skip == ExactFirst.SKIP  # the next bodies go straight to the tolerant pass
    assert [c.id for c in parse(known)] == [CID] and parse._skip == ExactFirst.SKIP - 1
    exact.note = "mine"  # an unknown attribute can still be set
    assert exact.model_extra == {"note": "mine"}
    for body in (b'[{"id": 5}]', b"[{", b"[3]", b'[{"id": "nope", "brand_new": 1}]'):
        parse._skip = 0  # the exact pass is tried first, and fails
        with pytest.raises(ValidationError) as exact_error:
            parse(body)
        with pytest.raises(ValidationError) as plain_error:
            TypeAdapter(list[AppConversation]).validate_json(body)
        assert exact_error.value.errors() == plain_error.value.errors()
