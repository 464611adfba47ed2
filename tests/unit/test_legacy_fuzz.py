"""The fuzzing of ``test_fuzz_bodies`` on the legacy V0 client: every V0 route that reads JSON gets
mutated success bodies, and each call returns or raises an ``OhctlError`` (never a bare pydantic,
type or key error), with no key in the message."""

from __future__ import annotations

from typing import Any

import httpx

from ohctl.legacy import AsyncLegacyOpenHands, LegacyOpenHands
from tests.support import route_walker
from tests.support.fuzz_cases import SECRET, Case
from tests.support.fuzzing import FUZZ, Server, Tally, drain_async, drain_sync, mutations
from tests.support.legacy_fuzz_cases import LEGACY_CASES, LEGACY_NOT_JSON

EXAMPLES = 60
ASYNC_EXAMPLES = 8


def sync_client(server: Server) -> LegacyOpenHands:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return LegacyOpenHands(
        base_url="http://127.0.0.1:9", api_key=SECRET, http_client=http, max_retries=0, sleep=lambda s: None
    )


def async_client(server: Server) -> AsyncLegacyOpenHands:
    async def sleep(seconds: float) -> None:
        return None

    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    return AsyncLegacyOpenHands(
        base_url="http://127.0.0.1:9", api_key=SECRET, http_client=http, max_retries=0, sleep=sleep
    )


def test_every_v0_json_route_has_a_case() -> None:
    sites = route_walker.walk().sites
    called = {(s.method, s.template) for s in sites if s.api == "legacy" or s.module == "detect.py"}
    table = {(c.method, c.template) for c in LEGACY_CASES}
    assert sorted(called - LEGACY_NOT_JSON - table) == [], "V0 routes without a case in legacy_fuzz_cases.py"
    assert sorted(table - called) == [], "cases for V0 routes the code no longer calls"


def test_the_valid_examples_are_read() -> None:
    for case in LEGACY_CASES:
        server = Server(case)
        with sync_client(server) as client:
            drain_sync(case.call(client))
        assert server.hits >= 1, case.name


def _fuzz(case: Case, tally: Tally) -> None:
    from hypothesis import given, settings

    server = Server(case)
    client = sync_client(server)

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(mutations(case.body))
    def run(body: Any) -> None:
        server.body = body
        tally.check(case, body, lambda: drain_sync(case.call(client)))

    try:
        run()
    finally:
        client.close()

    @settings(FUZZ, max_examples=ASYNC_EXAMPLES)
    @given(mutations(case.body))
    def run_async(body: Any) -> None:
        import asyncio

        server.body = body

        async def go() -> Any:
            async with async_client(server) as aclient:
                return await drain_async(case.call(aclient))

        tally.check(case, body, lambda: asyncio.run(go()))

    run_async()


def test_fuzzed_v0_bodies_raise_only_typed_errors() -> None:
    tally = Tally()
    for case in LEGACY_CASES:
        _fuzz(case, tally)
    summary = tally.summary()
    assert summary["routes"] == len(LEGACY_CASES) and summary["cases"] >= len(LEGACY_CASES) * 40
    assert summary["untyped_errors"] == 0 and not tally.problems, "\n".join(tally.problems[:40])
