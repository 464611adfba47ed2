"""The SDK against the real app server behind a fault proxy: creates, paging and waits, with every
figure counted on the wire (the proxy) and on the server (its own search and count routes).

Run with ``-s`` to see the figures; they are also written to ``$TMPDIR/ohctl-fault-figures.json``.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import ohctl
from tests.support.fault_proxy import (
    FaultProxy,
    Rule,
    cut_stream,
    latency,
    maintenance,
    not_json,
    rate_limited,
    reset_after,
    reset_before,
    server_error,
    stall,
    truncate,
)
from tests.support.peer_suite import Shared, needs_own_server


class Sleeps:
    """A sleep that records every pause the SDK asks for and sleeps at most ``cap`` seconds."""

    def __init__(self, cap: float = 0.05) -> None:
        self.cap = cap
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        time.sleep(min(seconds, self.cap))

    async def async_sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(min(seconds, self.cap))


# -- a. creates under faults ---------------------------------------------------------------------
CREATES = 48
CREATE_FAULTS = [
    reset_before(),
    reset_after(),
    maintenance(),
    server_error(502),
    truncate(keep_length=True),
    truncate(keep_length=False),
    rate_limited(1),
    rate_limited(1, as_date=True),
    latency(5.0),  # the client gives up at 4 s; the proxy still forwards: a timeout after reaching the server
    stall(),  # headers, then nothing: a timeout that never reached the server
]


def _marker(task: ohctl.types.StartTask, run: str) -> int | None:
    found = re.search(rf"fault-create-{run}-(\d+)\b", json.dumps(task.request or {}))
    return int(found.group(1)) if found else None


@pytest.mark.anyio
async def test_creates_under_faults_are_counted_exactly(
    app_proxy: FaultProxy, shared: Shared, base_url: str, figures: dict[str, Any]
) -> None:
    run = uuid.uuid4().hex[:8]
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    app_proxy.add(Rule(CREATE_FAULTS, method="POST", path=r"^/api/v1/app-conversations$", rate=0.6))
    sleeps = Sleeps()
    outcomes: dict[int, ohctl.types.StartTask | ohctl.OhctlError] = {}
    gate = asyncio.Semaphore(6)
    started = time.monotonic()
    async with ohctl.AsyncOpenHands(
        base_url=app_proxy.base_url, max_retries=3, timeout=4, sleep=sleeps.async_sleep
    ) as client:

        async def create(i: int) -> None:
            async with gate:
                # Every 8th starts a real conversation on the shared sandbox; the others name a
                # sandbox that does not exist, so the server makes the start task and ends it in ERROR
                # at once (40 conversations on one sandbox would take minutes on 2 cores).
                sandbox = shared.sandbox_id if i % 8 == 0 else f"ohctl-missing-{run}"
                try:
                    outcomes[i] = await client.conversations.start(
                        f"[ohctl:default] fault-create-{run}-{i}", sandbox_id=sandbox, wait=None
                    )
                except ohctl.OhctlError as exc:
                    outcomes[i] = exc

        await asyncio.gather(*(create(i) for i in range(CREATES)))
    elapsed = time.monotonic() - started

    app_proxy.wait_idle()  # a create delayed past the client's timeout still reaches the server
    # What the wire saw, per create call (each carries its number in the task text).
    posts = [s for s in app_proxy.requests if s.method == "POST"]
    forwarded_by_call: dict[int, int] = {}
    sent_by_call: dict[int, int] = {}
    for s in posts:
        found = re.search(rf"fault-create-{run}-(\d+)\b", s.body.decode())
        assert found, s
        i = int(found.group(1))
        sent_by_call[i] = sent_by_call.get(i, 0) + 1
        forwarded_by_call[i] = forwarded_by_call.get(i, 0) + int(s.forwarded)

    # What the server holds, by its own routes (no proxy).
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as direct:
        # The count route counts every start task of the period, this test's and any another made then.
        everything = list(direct.start_tasks.search(created_after=since))
        server_count = direct.start_tasks.count(created_after=since)
        tasks = [t for t in everything if _marker(t, run) is not None]
        by_call: dict[int, list[ohctl.types.StartTask]] = {}
        for t in tasks:
            by_call.setdefault(_marker(t, run), []).append(t)  # type: ignore[arg-type]

        created = {i: o for i, o in outcomes.items() if isinstance(o, ohctl.types.StartTask)}
        failed = {i: o for i, o in outcomes.items() if not isinstance(o, ohctl.types.StartTask)}
        duplicates = sum(len(v) - 1 for v in by_call.values() if len(v) > 1)
        failed_but_created = sorted(i for i in failed if by_call.get(i))
        failed_kinds: dict[str, int] = {}
        for exc in failed.values():
            failed_kinds[type(exc).__name__] = failed_kinds.get(type(exc).__name__, 0) + 1
        figures["a_creates"] = {
            "create_calls": CREATES,
            "seconds": round(elapsed, 1),
            "requests_seen": len(posts),
            "requests_forwarded": sum(forwarded_by_call.values()),
            "faults_by_kind": app_proxy.faults(),
            "server_created": len(tasks),
            "server_created_on_shared_sandbox": sum(1 for t in tasks if (_marker(t, run) or 0) % 8 == 0),
            "server_count_route": server_count,
            "server_search_in_period (any test's)": len(everything),
            "sdk_reported_created": len(created),
            "sdk_reported_failed": len(failed),
            "sdk_failed_by_error": failed_kinds,
            "failed_but_created_on_server (reached the server, answer lost)": len(failed_but_created),
            "duplicates": duplicates,
            "retry_after_pauses": sorted(round(a, 1) for a in sleeps.asked if a >= 0.9),
        }

        try:
            assert len(outcomes) == CREATES
            assert duplicates == 0
            assert all(v <= 1 for v in forwarded_by_call.values()), "a create reached the server twice"
            assert server_count == len(everything), "the count route and the search disagree"
            for i, task in created.items():  # every id the SDK returned exists, once, with its text
                assert [t.id for t in by_call[i]] == [task.id]
            for i in failed:  # a failed create exists on the server only if its POST went through
                assert len(by_call.get(i, [])) <= forwarded_by_call.get(i, 0)
            for i in range(CREATES):  # a forwarded POST whose answer arrived must have made one task
                if i in created:
                    assert forwarded_by_call[i] == 1
            assert len(tasks) == len(created) + len(failed_but_created)
            assert set(by_call) == set(created) | set(failed_but_created)
            # The wire saw the faults it was told to inject, and the 429 rate limits were retried.
            assert len(app_proxy.faults()) >= 6 and sum(app_proxy.faults().values()) >= CREATES // 3
            if app_proxy.counts["rate_limit"]:
                assert any(sent > 1 for sent in sent_by_call.values())
        except AssertionError as exc:  # the figures say what the wire and the server saw
            raise AssertionError(f"{exc}\n{json.dumps(figures['a_creates'], default=str)}") from None
        finally:
            figures["a_creates"]["still_starting_at_cleanup (server side)"] = _cleanup(direct, tasks)


def _cleanup(direct: ohctl.OpenHands, tasks: list[ohctl.types.StartTask], timeout: float = 45) -> dict[str, int]:
    """Delete the conversations of these start tasks (waiting, with one batch call per round, for
    those still starting); returns the statuses of any still not READY or ERROR at the deadline."""
    pending = {t.id for t in tasks}
    deadline = time.monotonic() + timeout
    left: dict[str, int] = {}
    while pending:
        left = {}
        for task in direct.start_tasks.get(list(pending)):
            if task is None:
                continue
            if task.is_ready and task.app_conversation_id:
                direct.conversations.delete(task.app_conversation_id)
                pending.discard(task.id)
            elif task.is_error:
                pending.discard(task.id)
            else:
                left[str(task.status)] = left.get(str(task.status), 0) + 1
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(1)
    return left


@needs_own_server
def test_sandbox_creates_under_faults(app_proxy: FaultProxy, base_url: str, figures: dict[str, Any]) -> None:
    """Three sandbox creates: reset before the server (nothing made), a 429 rate limit then success
    (one made, one POST forwarded), reset after the server (one made, reported failed)."""
    path = r"^/api/v1/sandboxes(\?|$)"
    app_proxy.add(Rule(reset_before(), method="POST", path=path, nth={1}))
    app_proxy.add(Rule(rate_limited(1), method="POST", path=path, nth={2}))
    app_proxy.add(Rule(reset_after(), method="POST", path=path, nth={4}))
    sleeps = Sleeps()
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as direct:
        before = {s.id for s in direct.sandboxes.search()}
        made: list[str] = []
        errors: list[str] = []
        try:
            with ohctl.OpenHands(base_url=app_proxy.base_url, max_retries=3, sleep=sleeps) as client:
                for _ in range(3):
                    try:
                        made.append(client.sandboxes.create().id)
                    except ohctl.OhctlError as exc:
                        errors.append(type(exc).__name__)
        finally:
            new = [s.id for s in direct.sandboxes.search() if s.id not in before]
            for sid in new:
                direct.sandboxes.delete(sid)
    posts = [s for s in app_proxy.requests if s.method == "POST"]
    figures["a_sandbox_creates"] = {
        "create_calls": 3,
        "requests_seen": len(posts),
        "requests_forwarded": sum(s.forwarded for s in posts),
        "faults_by_kind": app_proxy.faults(),
        "server_created": len(new),
        "sdk_reported_created": len(made),
        "sdk_reported_failed": errors,
    }
    assert [s.fault for s in posts] == ["reset_before", "rate_limit", "", "reset_after"]
    assert [s.forwarded for s in posts] == [False, False, True, True]
    assert len(made) == 1 and made[0] in new
    assert len(errors) == 2 and all(e in ("APIConnectionError", "APITimeoutError") for e in errors)
    assert len(new) == 2  # the one reported, and the one whose answer the reset swallowed
    assert 1.0 in sleeps.asked  # Retry-After: 1 was honoured


# -- b. 5,000 events paged under 10% faults ---------------------------------------------------------
EVENTS = 5000
PAGE_FAULTS = [
    server_error(502),
    maintenance(),
    reset_before(),
    reset_after(),
    not_json(),
    truncate(keep_length=False),
    truncate(keep_length=True),
    latency(0.3),
]


def _fill(base_url: str, shared: Shared, count: int) -> tuple[str, list[str]]:
    """A conversation id whose app-server store holds ``count`` events, posted in batches to the app
    server's own webhook route with the shared sandbox's session key (as a sandbox would)."""
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as direct:
        key = direct.sandboxes.retrieve(shared.sandbox_id).session_api_key
    assert key
    conv = uuid.uuid4().hex
    base = datetime(2030, 1, 1)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    events = [
        {
            "kind": "PauseEvent",
            "id": ids[n],
            "source": "user",
            "timestamp": (base + timedelta(milliseconds=n)).isoformat(timespec="microseconds"),
        }
        for n in range(count)
    ]
    with httpx.Client(base_url=base_url, timeout=120, headers={"X-Session-API-Key": key}) as http:
        for start in range(0, count, 500):
            r = http.post(f"/api/v1/webhooks/events/{conv}", json=events[start : start + 500])
            assert r.status_code == 200, r.text
    return conv, ids


@pytest.fixture(scope="module")
def filled(base_url: str, shared: Shared) -> tuple[str, list[str]]:
    return _fill(base_url, shared, EVENTS)


@pytest.fixture(scope="module")
def filled_small(base_url: str, shared: Shared) -> tuple[str, list[str]]:
    """1,000 events: the server reads every stored event for each page, so a second 5,000-event
    walk would cost about 30 s."""
    return _fill(base_url, shared, 1000)


def test_5000_events_paged_under_10_percent_faults(
    filled: tuple[str, list[str]], app_proxy: FaultProxy, base_url: str, figures: dict[str, Any]
) -> None:
    conv, expected = filled
    with ohctl.OpenHands(base_url=base_url) as direct:
        assert direct.events.count(conv) == EVENTS
    app_proxy.add(Rule(PAGE_FAULTS, method="GET", path="/events/search", rate=0.1))
    sleeps = Sleeps()
    started = time.monotonic()
    with ohctl.OpenHands(base_url=app_proxy.base_url, max_retries=8, sleep=sleeps) as client:
        pager = client.events.search(conv, page_size=100)
        received = [str(e.id) for e in pager]
    elapsed = time.monotonic() - started
    figures["b_events_paged"] = {
        "expected": EVENTS,
        "received": len(received),
        "lost": len(set(expected) - set(received)),
        "duplicated": len(received) - len(set(received)),
        "pages": pager.pages_fetched,
        "requests_seen": app_proxy.counts["seen"],
        "faults_by_kind": app_proxy.faults(),
        "fault_rate": round(sum(app_proxy.faults().values()) / app_proxy.counts["seen"], 3),
        "seconds": round(elapsed, 1),
    }
    assert received == expected  # same ids, same order: 0 lost, 0 duplicated
    assert pager.pages_fetched == EVENTS // 100
    assert sum(app_proxy.faults().values()) >= 2  # the faults did happen (seeded: same run every time)


def test_pager_stopped_by_faults_resumes_from_its_cursor(
    filled_small: tuple[str, list[str]], app_proxy: FaultProxy, figures: dict[str, Any]
) -> None:
    conv, expected = filled_small
    # Pages 1-3 pass; then page 4 fails on every try (1 + 2 retries), so the iteration stops there.
    app_proxy.add(Rule([maintenance(), reset_before(), not_json()], method="GET", path="/events/search", nth={4, 5, 6}))
    with ohctl.OpenHands(base_url=app_proxy.base_url, max_retries=2, sleep=Sleeps()) as client:
        pager = client.events.search(conv, page_size=100)
        first: list[str] = []
        with pytest.raises(ohctl.OhctlError) as info:
            for event in pager:
                first.append(str(event.id))
        cursor = pager.cursor
        rest = [str(e.id) for e in pager.resume(cursor)]
    figures["b_resume"] = {
        "before_failure": len(first),
        "error": type(info.value).__name__,
        "cursor": cursor,
        "after_resume": len(rest),
        "lost": len(set(expected) - set(first) - set(rest)),
        "repeated": len(first) + len(rest) - len(set(first) | set(rest)),
    }
    assert len(first) == 300 and cursor is not None
    assert first + rest == expected


# -- c. waits through an outage, and deadlines under stalled answers --------------------------------
OUTAGE = 8.0


@pytest.fixture(scope="module")
def ready_task(base_url: str, shared: Shared) -> ohctl.types.StartTask:
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as direct:
        [task] = list(direct.start_tasks.search(conversation_id=shared.id, limit=1))
    assert task.is_ready
    return task


@pytest.mark.anyio
async def test_waits_ride_through_an_outage(
    app_proxy: FaultProxy, shared: Shared, ready_task: ohctl.types.StartTask, figures: dict[str, Any]
) -> None:
    """Every request fails (503 page or a reset) for OUTAGE seconds; both waits go on and return
    the finished conversation / READY task once the outage ends (defect 1)."""
    rule = app_proxy.outage(OUTAGE, [maintenance(), reset_before()])
    started = time.monotonic()
    async with ohctl.AsyncOpenHands(base_url=app_proxy.base_url, max_retries=2) as client:

        async def timed(coro: Any) -> tuple[Any, float]:
            value = await coro
            return value, time.monotonic() - started

        (conv, t_conv), (task, t_task) = await asyncio.gather(
            timed(client.conversations.wait(shared.id, timeout=60)),
            timed(client.start_tasks.wait(ready_task.id, timeout=60)),
        )
    figures["c_outage"] = {
        "outage_seconds": OUTAGE,
        "failed_requests": rule.applied,
        "conversations_wait_returned_after": round(t_conv, 1),
        "start_tasks_wait_returned_after": round(t_task, 1),
        "faults_by_kind": app_proxy.faults(),
    }
    assert conv.id == shared.id and str(conv.execution_status) == "finished"
    assert task.id == ready_task.id and task.is_ready
    assert rule.applied >= 4
    assert OUTAGE <= t_conv < OUTAGE + 12 and OUTAGE <= t_task < OUTAGE + 12


@pytest.mark.anyio
async def test_wait_deadline_holds_while_every_request_stalls(
    app_proxy: FaultProxy, shared: Shared, ready_task: ohctl.types.StartTask, figures: dict[str, Any]
) -> None:
    """Every answer stalls (headers, then nothing; or nothing at all): wait(timeout=3) ends within
    1 s of its deadline, whatever the client's own request timeout (defect 2)."""
    app_proxy.add(Rule([stall(headers=True), stall(headers=False)], websocket=None))
    deadline = 3.0
    overshoots: dict[str, list[float]] = {"conversations.wait": [], "start_tasks.wait": []}
    errors: set[str] = set()

    async def one(kind: str) -> None:
        async with ohctl.AsyncOpenHands(base_url=app_proxy.base_url, max_retries=2) as client:
            started = time.monotonic()
            with pytest.raises(ohctl.OhctlError) as info:
                if kind == "conversations.wait":
                    await client.conversations.wait(shared.id, timeout=deadline)
                else:
                    await client.start_tasks.wait(ready_task.id, timeout=deadline)
            overshoots[kind].append(round(time.monotonic() - started - deadline, 2))
            errors.add(type(info.value).__name__)

    await asyncio.gather(*(one(kind) for kind in overshoots for _ in range(3)))
    worst = max(max(v) for v in overshoots.values())
    figures["c_deadline"] = {
        "timeout": deadline,
        "overshoot_seconds": overshoots,
        "worst": worst,
        "errors": sorted(errors),
    }
    assert app_proxy.counts["seen"] >= 6
    assert worst < 1.0


# -- a stream cut by a reset ------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_stream_start_reset_mid_stream_is_a_stream_error(app_proxy: FaultProxy, shared: Shared) -> None:
    app_proxy.add(Rule(cut_stream(b'"WORKING"', reset=True), method="POST", path="/stream-start$"))
    async with ohctl.AsyncOpenHands(base_url=app_proxy.base_url) as client:
        updates = []
        try:
            with pytest.raises(ohctl.StreamError) as info:
                async for update in client.conversations.stream_start(
                    "[ohctl:default] reset mid-stream", sandbox_id=shared.sandbox_id
                ):
                    updates.append(update)
        finally:
            async with ohctl.AsyncOpenHands(base_url=shared_base(app_proxy)) as direct:
                for update in updates[-1:]:  # the server abandons the start: delete what it made, if anything
                    task = await direct.start_tasks.retrieve(update.id)
                    if task.app_conversation_id:
                        await direct.conversations.delete(task.app_conversation_id)
    assert [str(u.status) for u in updates] == ["WORKING"]
    assert info.value.last is updates[-1]
    assert app_proxy.counts["cut_stream_reset"] == 1 and app_proxy.counts["forwarded"] == 1


def shared_base(proxy: FaultProxy) -> str:
    return proxy.upstream
