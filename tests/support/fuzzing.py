"""The fuzzing of success bodies (tests/unit/test_fuzz_bodies.py, test_legacy_fuzz.py): the hypothesis
strategy that mutates a route's valid body, the mock server that answers it, the clients, and the
tally of what each call returned or raised."""

from __future__ import annotations

import asyncio
import collections.abc
import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ohctl
from tests.support.fuzz_cases import BODY_SECRET, CID, SECRET, Case
from tests.support.helpers import json_response

HUGE = "x" * 1_000_000
MAX_MESSAGE = 2_000

WEIRD: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**70,
    1.5,
    "",
    "SOMETHING_NEW",
    "<html>",
    [],
    {},
    [None],
    [1, "a", None],
    {"kind": "Unknown", "nested": {"x": [1]}},
    {"session_api_key": BODY_SECRET},
]


# Built once: a strategy made inside each example is validated again each time, which was most of
# the fuzzing's time.
LEAF: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(WEIRD),
    st.just(HUGE),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(st.sampled_from(WEIRD), max_size=3),
    st.dictionaries(st.text(max_size=5), st.sampled_from(WEIRD), max_size=3),
)
_CHANGES = {
    "dict": ("leaf", "nest", "drop", "change", "change", "add"),
    "list": ("leaf", "nest", "drop", "change", "change", "add"),
    "str": ("leaf", "nest", "str"),
    "other": ("leaf", "nest"),
}
_STRINGS = ("SOMETHING_NEW", HUGE, "")


def _nest(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"value": value}
    return value


def _index(draw: st.DrawFn, size: int) -> int:
    return draw(st.integers(0, size - 1))


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    """One change somewhere in ``value``: a leaf in its place, nested 1 to 40 deep, or (in a dict or
    list) an entry dropped, one entry changed the same way, an entry added; a string may also become
    a new enum value, a megabyte or empty."""
    if isinstance(value, dict) and value:
        shape = "dict"
    elif isinstance(value, list) and value:
        shape = "list"
    elif isinstance(value, str):
        shape = "str"
    else:
        shape = "other"
    choices = _CHANGES[shape]
    change = choices[_index(draw, len(choices))]
    if change == "leaf":
        return draw(LEAF)
    if change == "nest":
        return _nest(value, draw(st.integers(1, 40)), draw(st.booleans()))
    if change == "str":
        return _STRINGS[_index(draw, len(_STRINGS))]
    if isinstance(value, dict):
        keys = sorted(value)
        if change == "add":
            return {**value, "unknown_field": draw(LEAF)}
        key = keys[_index(draw, len(keys))]
        if change == "drop":
            return {x: y for x, y in value.items() if x != key}
        return {**value, key: _mutate(draw, value[key])}
    assert isinstance(value, list)
    if change == "add":
        return [*value, draw(LEAF)]
    i = _index(draw, len(value))
    if change == "drop":
        return value[:i] + value[i + 1 :]
    return [*value[:i], _mutate(draw, value[i]), *value[i + 1 :]]


@st.composite
def _mutated(draw: st.DrawFn, body: Any) -> Any:
    value = body
    for _ in range(draw(st.integers(1, 3))):
        value = _mutate(draw, value)
    return value


def mutations(body: Any) -> st.SearchStrategy[Any]:
    """One to three changes on top of each other."""
    return _mutated(body)


class Server:
    """A MockTransport handler: the route under test answers ``body``; any other route 404."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.body: Any = case.body
        self.hits = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == self.case.method and self.case.pattern.fullmatch(request.url.path):
            self.hits += 1
            return json_response(200, self.body)
        return json_response(404, {"detail": "Not Found"})


def sync_client(case: Case, server: Server) -> Any:
    http = httpx.Client(transport=httpx.MockTransport(server))
    if case.api == "app":
        return ohctl.OpenHands(
            base_url="http://127.0.0.1:9", api_key=SECRET, http_client=http, max_retries=0, sleep=lambda s: None
        )
    return ohctl.AgentServer(
        "http://127.0.0.1:9", SECRET, conversation_id=CID, http_client=http, max_retries=0, sleep=lambda s: None
    )


def async_client(case: Case, server: Server) -> Any:
    async def sleep(seconds: float) -> None:
        return None

    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    if case.api == "app":
        return ohctl.AsyncOpenHands(
            base_url="http://127.0.0.1:9", api_key=SECRET, http_client=http, max_retries=0, sleep=sleep
        )
    return ohctl.AsyncAgentServer(
        "http://127.0.0.1:9", SECRET, conversation_id=CID, http_client=http, max_retries=0, sleep=sleep
    )


def drain_sync(result: Any) -> Any:
    if isinstance(result, (str, bytes, dict, list)) or not isinstance(result, collections.abc.Iterable):
        return result
    return list(result)


async def drain_async(result: Any) -> Any:
    if inspect.isawaitable(result):
        return await result
    if isinstance(result, collections.abc.AsyncIterable):
        return [item async for item in result]
    return result


class Tally:
    """Counts of one run: cases, returns, typed errors and the untyped ones (with an example each)."""

    def __init__(self) -> None:
        self.cases = 0
        self.returned = 0
        self.typed = 0
        self.untyped: collections.Counter[str] = collections.Counter()
        self.problems: list[str] = []
        self.routes: set[str] = set()

    def check(self, case: Case, body: Any, run: Callable[[], Any]) -> None:
        self.cases += 1
        self.routes.add(f"{case.method} {case.template}")
        try:
            run()
        except ohctl.OhctlError as exc:
            self.typed += 1
            problem = error_problem(exc)
            if problem:
                self.problems.append(f"{case.name}: {problem} (body {short(body)})")
            if body_secret_shows(exc):
                self.problems.append(f"{case.name}: a key from the body is in the error (body {short(body)})")
        except Exception as exc:  # counting what escapes untyped is the point
            self.untyped[f"{case.name}: {type(exc).__name__}"] += 1
            if len(self.problems) < 40:
                self.problems.append(
                    f"{case.name}: untyped {type(exc).__name__}: {str(exc)[:200]} (body {short(body)})"
                )
        else:
            self.returned += 1

    def summary(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "routes": len(self.routes),
            "returned": self.returned,
            "typed_errors": self.typed,
            "untyped_errors": sum(self.untyped.values()),
            "untyped_by_route": dict(self.untyped.most_common()),
        }


def short(body: Any) -> str:
    return json.dumps(body)[:160]


def body_secret_shows(exc: ohctl.OhctlError) -> bool:
    return BODY_SECRET in str(exc) or BODY_SECRET in repr(exc) or BODY_SECRET in getattr(exc, "excerpt", "")


def error_problem(exc: ohctl.OhctlError) -> str | None:
    """What is wrong with a typed error: the client's key in it, an overlong message, a shape error
    without its route."""
    text, rep = str(exc), repr(exc)
    if SECRET in text or SECRET in rep:
        return f"the client's key is in the error: {text[:300]}"
    if len(text) > MAX_MESSAGE:
        return f"a message of {len(text)} characters"
    if isinstance(exc, ohctl.UnexpectedResponseError):
        if not exc.route:
            return f"an UnexpectedResponseError without a route: {text[:200]}"
        if len(exc.excerpt) > 200:
            return f"an excerpt of {len(exc.excerpt)} characters"
        if SECRET in exc.excerpt:
            return "the client's key is in the excerpt"
    return None


FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz_sync(case: Case, tally: Tally, examples: int) -> None:
    server = Server(case)
    client = sync_client(case, server)

    @settings(FUZZ, max_examples=examples)
    @given(mutations(case.body))
    def run(body: Any) -> None:
        server.body = body
        tally.check(case, body, lambda: drain_sync(case.call(client)))

    try:
        run()
    finally:
        client.close()


def fuzz_async(case: Case, tally: Tally, examples: int) -> None:
    server = Server(case)

    @settings(FUZZ, max_examples=examples)
    @given(mutations(case.body))
    def run(body: Any) -> None:
        server.body = body

        async def go() -> Any:
            client = async_client(case, server)
            try:
                return await drain_async(case.call(client))
            finally:
                await client.close()

        tally.check(case, body, lambda: asyncio.run(go()))

    run()
