"""Fuzzing the bodies of SUCCESSFUL responses on every route that reads JSON.

A hypothesis strategy mutates each route's valid body (keys dropped, values replaced by null, wrong
types, lists, dicts, 1 MB strings or unknown enum strings, values nested deeper, the whole body
replaced by a scalar or a list) and the SDK method must either return or raise an ``OhctlError``
(normally ``UnexpectedResponseError(kind="shape")`` with its route): never a bare pydantic
``ValidationError``, ``TypeError``, ``KeyError`` or ``AttributeError``. Error messages stay short
and never carry the API key, the session key or a secret from the body.

Run with ``-s`` to see the totals; they are also written to ``fuzz_bodies.json`` in the pytest tmp dir.
"""

from __future__ import annotations

import asyncio
import collections.abc
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ohctl
from tests.support import route_walker
from tests.support.fuzz_cases import BODY_SECRET, CID, NOT_JSON, SECRET, Case
from tests.support.fuzz_cases import CASES as BASE_CASES
from tests.support.fuzz_cases_cloud import CLOUD_CASES
from tests.support.helpers import json_response
from tests.support.legacy_fuzz_cases import LEGACY_CASES, LEGACY_NOT_JSON

CASES = BASE_CASES + CLOUD_CASES
EXAMPLES_PER_ROUTE = 80  # x ~100 routes: about 8,000 cases
ASYNC_EXAMPLES = 12  # the async client on every route, fewer cases each
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

# Found by this fuzzing and fixed (each now also has its own test at the end): a 1 MB ``next_page_id``
# made the next page's URL too long (httpx.InvalidURL escaped untyped), and a key the body carried
# (``session_api_key``) showed in the error's excerpt.


def leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(WEIRD),
        st.just(HUGE),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        st.lists(st.sampled_from(WEIRD), max_size=3),
        st.dictionaries(st.text(max_size=5), st.sampled_from(WEIRD), max_size=3),
    )


def _nest(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"value": value}
    return value


def mutate_once(value: Any) -> st.SearchStrategy[Any]:
    """One change somewhere in ``value`` (at the top, or inside a dict or list)."""
    options: list[st.SearchStrategy[Any]] = [
        leaf(),
        st.tuples(st.integers(1, 40), st.booleans()).map(lambda t: _nest(value, t[0], t[1])),
    ]
    if isinstance(value, dict) and value:
        keys = sorted(value)
        options += [
            st.sampled_from(keys).map(lambda k: {x: y for x, y in value.items() if x != k}),
            st.sampled_from(keys).flatmap(lambda k: mutate_once(value[k]).map(lambda v: {**value, k: v})),
            st.sampled_from(keys).flatmap(lambda k: mutate_once(value[k]).map(lambda v: {**value, k: v})),
            leaf().map(lambda v: {**value, "unknown_field": v}),
        ]
    elif isinstance(value, list) and value:
        indexes = st.integers(0, len(value) - 1)
        options += [
            indexes.map(lambda i: value[:i] + value[i + 1 :]),
            indexes.flatmap(lambda i: mutate_once(value[i]).map(lambda v: [*value[:i], v, *value[i + 1 :]])),
            indexes.flatmap(lambda i: mutate_once(value[i]).map(lambda v: [*value[:i], v, *value[i + 1 :]])),
            leaf().map(lambda v: [*value, v]),
        ]
    elif isinstance(value, str):
        options.append(st.sampled_from(["SOMETHING_NEW", HUGE, ""]))
    return st.one_of(options)


def mutations(body: Any) -> st.SearchStrategy[Any]:
    """One to three changes on top of each other."""

    def chain(count: int) -> st.SearchStrategy[Any]:
        strategy: st.SearchStrategy[Any] = st.just(body)
        for _ in range(count):
            strategy = strategy.flatmap(mutate_once)
        return strategy

    return st.integers(1, 3).flatmap(chain)


# -- calling the SDK --------------------------------------------------------------------------------


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


# -- the tests ----------------------------------------------------------------------------------------


def test_every_json_route_the_code_calls_has_a_fuzz_case() -> None:
    walked = route_walker.walk()
    assert not walked.unresolved
    called = walked.routes() - NOT_JSON - LEGACY_NOT_JSON
    # The V0 routes are fuzzed with the legacy client in test_legacy_fuzz.py.
    table = {(case.method, case.template) for case in CASES} | {(c.method, c.template) for c in LEGACY_CASES}
    missing = sorted(called - table)
    assert not missing, f"routes without a fuzz case in tests/support/fuzz_cases.py: {missing}"
    stale = sorted(table - walked.routes())
    assert not stale, f"fuzz cases for routes the code no longer calls: {stale}"
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_valid_example_body_is_read(case: Case) -> None:
    """The examples are valid: each call returns (so the fuzzing starts from a working call)."""
    server = Server(case)
    client = sync_client(case, server)
    try:
        drain_sync(case.call(client))
    finally:
        client.close()
    assert server.hits >= 1, f"{case.name} never called {case.method} {case.template}"


def test_fuzzed_success_bodies_raise_only_typed_errors(tmp_path_factory: pytest.TempPathFactory) -> None:
    tally = Tally()
    for case in CASES:
        fuzz_sync(case, tally, EXAMPLES_PER_ROUTE)
    for case in CASES:
        fuzz_async(case, tally, ASYNC_EXAMPLES)
    summary = tally.summary()
    out = Path(tmp_path_factory.getbasetemp()) / "fuzz_bodies.json"
    out.write_text(json.dumps(summary, indent=2))
    print(f"\nfuzz_bodies: {json.dumps(summary)} -> {out}")
    assert summary["routes"] == len({(c.method, c.template) for c in CASES})
    assert summary["cases"] >= 7_800
    assert summary["untyped_errors"] == 0 and not tally.problems, "\n".join(tally.problems[:40])


# -- the harness can fail -----------------------------------------------------------------------------


def test_the_wrapper_types_a_deliberately_broken_parse() -> None:
    case = CASES[0]
    server = Server(case)
    client = sync_client(case, server)

    def broken(data: Any) -> Any:
        return {}["no such field"]  # a KeyError inside parse=

    with pytest.raises(ohctl.UnexpectedResponseError) as caught:
        client._http.request("GET", "/api/v1/app-conversations", parse=broken)
    assert caught.value.kind == "shape" and caught.value.route
    assert isinstance(caught.value.__cause__, KeyError)


def test_the_tally_counts_a_parse_outside_the_wrapper() -> None:
    """A method that reads the body outside ``parse=`` would be counted as untyped."""
    case = CASES[0]
    server = Server(case)
    client = sync_client(case, server)
    tally = Tally()

    def careless() -> Any:
        data = client.request("GET", "/api/v1/app-conversations")
        return data["no such field"]

    tally.check(case, case.body, careless)
    assert tally.summary()["untyped_errors"] == 1


def test_shape_errors_name_the_route_and_field_and_stay_short() -> None:
    case = next(c for c in CASES if c.name == "sandboxes.create")
    server = Server(case)
    server.body = {"status": "RUNNING", "id": None, "padding": "x" * 5_000}
    client = sync_client(case, server)
    with pytest.raises(ohctl.UnexpectedResponseError) as caught:
        client.sandboxes.create()
    error = caught.value
    assert error.kind == "shape" and error.route == "POST http://127.0.0.1:9/api/v1/sandboxes"
    assert error.field == "id" and error.status_code == 200
    assert len(error.excerpt) <= 200 and len(str(error)) <= MAX_MESSAGE
    assert SECRET not in str(error) and SECRET not in repr(error)


def test_a_field_inside_a_list_is_named() -> None:
    case = next(c for c in CASES if c.name == "conversations.skills")
    server = Server(case)
    server.body = {"skills": [{"name": "a"}, {"name": None}]}
    client = sync_client(case, server)
    with pytest.raises(ohctl.UnexpectedResponseError) as caught:
        client.conversations.skills(CID)
    assert caught.value.field == "skills.1.name"


def test_a_key_in_the_body_stays_out_of_shape_errors() -> None:
    case = next(c for c in CASES if c.name == "sandboxes.create")
    server = Server(case)
    server.body = {"session_api_key": BODY_SECRET, "status": "RUNNING", "id": None}
    client = sync_client(case, server)
    with pytest.raises(ohctl.UnexpectedResponseError) as caught:
        client.sandboxes.create()
    assert not body_secret_shows(caught.value)


def test_a_huge_cursor_is_a_typed_error() -> None:
    case = next(c for c in CASES if c.name == "secrets.search")
    server = Server(case)
    server.body = {"items": [{"name": "A"}], "next_page_id": HUGE}
    client = sync_client(case, server)
    with pytest.raises(ohctl.UnexpectedResponseError, match="next_page_id is 1000000 characters long") as caught:
        list(client.secrets.search())
    assert caught.value.kind == "shape"
    assert server.hits == 1  # the cursor was refused, never sent back as the next page's page_id
