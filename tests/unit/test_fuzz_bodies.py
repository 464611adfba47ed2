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

import json
from pathlib import Path
from typing import Any

import pytest

import ohctl
from tests.support import route_walker
from tests.support.fuzz_cases import BODY_SECRET, CID, NOT_JSON, SECRET, Case
from tests.support.fuzz_cases import CASES as BASE_CASES
from tests.support.fuzz_cases_cloud import CLOUD_CASES
from tests.support.fuzzing import (
    HUGE,
    MAX_MESSAGE,
    Server,
    Tally,
    body_secret_shows,
    drain_sync,
    fuzz_async,
    fuzz_sync,
    sync_client,
)
from tests.support.legacy_fuzz_cases import LEGACY_CASES, LEGACY_NOT_JSON

CASES = BASE_CASES + CLOUD_CASES
EXAMPLES_PER_ROUTE = 80  # x ~100 routes: about 8,000 cases
ASYNC_EXAMPLES = 12  # the async client on every route, fewer cases each


# Found by this fuzzing and fixed (each now also has its own test at the end): a 1 MB ``next_page_id``
# made the next page's URL too long (httpx.InvalidURL escaped untyped), and a key the body carried
# (``session_api_key``) showed in the error's excerpt.


# -- calling the SDK --------------------------------------------------------------------------------


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
