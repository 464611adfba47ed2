"""The batch runner against the in-process stub app server (bench/batch_stub.py): outcomes, limits,
lost answers, crash recovery, cancel, timeouts."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import ohctl
from ohctl.batch import AsyncBatch, Batch, Ledger, TaskResult
from ohctl.batch import reconcile as reconcile_module
from ohctl.batch.runner import BatchPausedError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
StubAppServer: Any = importlib.import_module("batch_stub").StubAppServer

BASE = "http://127.0.0.1:9"


def limit_body(code: str) -> dict[str, Any]:
    return {"detail": {"error": code, "message": f"{code} (stub)", "limit": 2, "current": 2}}


def run(
    stub: StubAppServer, ledger: Path, tasks: list[dict[str, Any]] | None, **options: Any
) -> tuple[list[TaskResult], AsyncBatch]:
    async def go() -> tuple[list[TaskResult], AsyncBatch]:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url=BASE, http_client=http, max_retries=0) as client:
            batch = AsyncBatch(client, ledger, tasks, poll_interval=0.02, **options)
            try:
                return [r async for r in batch.run()], batch
            finally:
                batch.close()

    return asyncio.run(go())


def tasks(n: int, message: Callable[[int], str] = lambda i: f"task {i}") -> list[dict[str, Any]]:
    return [{"key": f"k{i:03d}", "message": message(i)} for i in range(n)]


def test_mixed_outcomes_each_started_once_with_batched_polls(tmp_path: Path) -> None:
    stub = StubAppServer(lambda m: 0.05)
    marks = {0: "", 1: " [fail]", 2: " [input]"}
    results, batch = run(stub, tmp_path / "b.db", tasks(30, lambda i: f"t{i}{marks[i % 3]}"), concurrency=8)
    states = {r.key: r.state for r in results}
    assert len(results) == 30 and set(states.values()) == {"finished", "failed", "needs_input"}
    assert all(states[f"k{i:03d}"] == ("finished", "failed", "needs_input")[i % 3] for i in range(30))
    assert sorted(stub.starts.values()) == [1] * 30
    done = [r for r in results if r.ok]
    assert all(r.cost == 0.01 and r.prompt_tokens == 1000 and r.prs == [7] and r.url for r in done)
    assert all(r.error for r in results if not r.ok)
    # Polls are batch calls: far fewer than one per task per cycle.
    polls = stub.requests["GET /api/v1/app-conversations"] + stub.requests["GET /api/v1/app-conversations/start-tasks"]
    assert polls == batch.requests and polls < 30 * 3
    status = Batch(tmp_path / "b.db").status()
    assert status.done and status.counts["finished"] == 10 and abs(status.cost - 0.3) < 1e-9


def test_concurrency_limit_lowers_the_concurrency_and_requeues(tmp_path: Path) -> None:
    running: dict[str, float] = {}

    def refuse(method: str, path: str, body: dict[str, Any]) -> httpx.Response | None:
        # The "server" takes 2 running conversations at most.
        now = time.time()
        live = [t for t in stub.tasks.values() if now < t["ready_at"] + t["duration"]]
        if len(live) >= 2:
            running["refused"] = running.get("refused", 0) + 1
            return httpx.Response(429, json=limit_body("CONCURRENCY_LIMIT_REACHED"))
        return None

    stub = StubAppServer(lambda m: 0.1, refuse=refuse)
    results, batch = run(stub, tmp_path / "b.db", tasks(8), concurrency=5)
    assert [r.state for r in results] == ["finished"] * 8
    assert running["refused"] >= 1 and batch.limit <= 2
    assert sorted(stub.starts.values()) == [1] * 8
    ledger = Ledger(tmp_path / "b.db")
    events = [e for _, _, e, _ in ledger.log()]
    assert "concurrency" in events and "requeued" in events and "error" not in events
    ledger.close()


def test_daily_limit_pauses_with_a_resume_hint_then_resume_finishes(tmp_path: Path) -> None:
    allowed = {"n": 3}

    def refuse(method: str, path: str, body: dict[str, Any]) -> httpx.Response | None:
        if len(stub.starts) >= allowed["n"]:
            return httpx.Response(429, json=limit_body("DAILY_SANDBOX_LIMIT_REACHED"))
        return None

    stub = StubAppServer(lambda m: 0.05, refuse=refuse)
    path = tmp_path / "b.db"
    with pytest.raises(BatchPausedError, match=f"ohctl batch resume {path}"):
        run(stub, path, tasks(6), concurrency=2)
    status = Batch(path).status()
    assert status.paused and status.counts["finished"] == 3 and status.counts["pending"] == 3
    allowed["n"] = 100
    results, _ = run(stub, path, None)
    assert len(results) == 3 and Batch(path).status().done
    assert sorted(stub.starts.values()) == [1] * 6


def test_a_lost_answer_is_looked_up_not_resent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ohctl.batch.runner as runner_module

    monkeypatch.setattr(runner_module, "SETTLE", 0.0)
    stub = StubAppServer(lambda m: 0.05)
    real = stub.handle
    lost = {"n": 0}

    async def handle(request: httpx.Request) -> httpx.Response:
        response: httpx.Response = await real(request)
        if request.method == "POST" and lost["n"] < 2:
            lost["n"] += 1  # the server made it; the answer never arrives
            raise httpx.ReadError("connection reset by peer", request=request)
        return response

    stub.handle = handle
    results, _ = run(stub, tmp_path / "b.db", tasks(5), concurrency=5)
    assert [r.state for r in results].count("finished") == 5
    assert sorted(stub.starts.values()) == [1] * 5 and lost["n"] == 2


def test_resume_after_a_crash_reconciles_unconfirmed_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reconcile_module, "SETTLE", 0.0)
    stub = StubAppServer(lambda m: 0.05)
    path = tmp_path / "b.db"
    Batch(path, tasks(4), base_url=BASE)  # checks the input and writes the ledger only
    ledger = Ledger(path)
    # A crash after "starting" was committed: k000's request reached the server, k001's never left.
    for key in ("k000", "k001"):
        assert ledger.mark_starting(key)
    row = ledger.task("k000")
    body = {"conversation_id": row.conversation_id, "title": row.tag, "initial_message": {"content": []}}
    asyncio.run(stub.handle(httpx.Request("POST", f"{BASE}/api/v1/app-conversations", json=body)))
    ledger.close()
    results, _ = run(stub, path, None)
    assert sorted(r.key for r in results) == ["k000", "k001", "k002", "k003"]
    assert sorted(stub.starts.values()) == [1] * 4
    ledger = Ledger(path)
    assert ledger.task("k000").attempts == 1 and ledger.task("k001").attempts == 2
    log = [(k, e) for _, k, e, _ in ledger.log()]
    assert ("k001", "requeued") in log and ("k000", "running") in log
    ledger.close()


def test_timeout_cancel_and_bad_input(tmp_path: Path) -> None:
    stub = StubAppServer(lambda m: 30.0 if "slow" in m else 0.01)
    results, _ = run(stub, tmp_path / "t.db", [{"key": "s", "message": "slow"}], timeout=0.2)
    assert results[0].state == "timed_out" and "no outcome within" in (results[0].error or "")

    # Cancel with no runner: pending ones are cancelled, running ones' sandboxes paused.
    path = tmp_path / "c.db"

    async def started_then_cancelled() -> None:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url=BASE, http_client=http) as client:
            batch = AsyncBatch(client, path, tasks(5, lambda i: "slow"), concurrency=2, poll_interval=0.02)
            consumer = asyncio.ensure_future(_consume(batch))
            while len(stub.tasks) < 2:
                await asyncio.sleep(0.01)
            consumer.cancel()  # like Ctrl-C: the two started conversations keep running
            await asyncio.gather(consumer, return_exceptions=True)
            batch.close()
            again = AsyncBatch(client, path)
            status = await again.cancel()
            again.close()
            assert status.counts["cancelled"] == 5 and len(stub.paused) == 2

    asyncio.run(started_then_cancelled())
    with pytest.raises(ohctl.InvalidArgumentError, match="line 2"):
        Batch(tmp_path / "bad.db", [{"message": "ok"}, {"messages": "typo"}], base_url=BASE)
    assert not (tmp_path / "bad.db").exists()


async def _consume(batch: AsyncBatch) -> None:
    async for _ in batch.run():
        pass


def test_results_json_lines_keep_secrets_out(tmp_path: Path) -> None:
    stub = StubAppServer()
    results, _ = run(stub, tmp_path / "b.db", [{"key": "a", "message": "m", "secrets": {"TOKEN": "s3cret-value"}}])
    line = json.dumps(results[0].to_json())
    assert "s3cret-value" not in line and '"TOKEN"' in line
    sent = next(iter(stub.tasks.values()))["request"]
    assert sent["secrets"] == {"TOKEN": "s3cret-value"} and sent["title"].startswith("batch:")


def test_a_start_sent_just_before_a_crash_gets_a_second_look(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A start marked a moment ago and not found on the server may still be on its way to being saved:
    reconcile looks again once it is SETTLE seconds old, and finds it. One marked long ago gets one
    look only. The clock and the pause are fakes: no real time passes."""
    path = tmp_path / "b.db"
    Batch(path, tasks(2), base_url=BASE)
    ledger = Ledger(path)
    for key in ("k000", "k001"):
        assert ledger.mark_starting(key)
    recent, old = ledger.task("k000"), ledger.task("k001")
    ledger.close()
    old = dataclasses.replace(old, starting_at=(old.starting_at or 0) - 3600)
    now = {"t": (recent.starting_at or 0) + 1.0}
    paused: list[float] = []

    async def pause(seconds: float) -> None:
        paused.append(seconds)
        now["t"] += seconds

    monkeypatch.setattr(reconcile_module, "time", types.SimpleNamespace(time=lambda: now["t"]))
    monkeypatch.setattr(reconcile_module, "asyncio", types.SimpleNamespace(sleep=pause))
    searches: list[float] = []
    saved = {"id": "c" * 32, "status": "WORKING", "request": {"conversation_id": recent.conversation_id}}

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/app-conversations/start-tasks/search"
        searches.append(now["t"])
        items = [saved] if len(searches) > 1 else []  # saved by the server between the two looks
        return httpx.Response(200, json={"items": items, "next_page_id": None})

    found = reconcile_rows(answer, [recent, old])
    assert found["k000"] is not None and found["k000"].id == "c" * 32
    assert found["k001"] is None
    assert paused == [pytest.approx(reconcile_module.SETTLE - 1.0)] and len(searches) == 2
    # the second look waits until the start is SETTLE seconds old, not longer
    assert searches[1] == pytest.approx((recent.starting_at or 0) + reconcile_module.SETTLE)

    searches.clear()
    paused.clear()
    assert reconcile_rows(answer, [old]) == {"k001": None} and paused == [] and len(searches) == 1


def reconcile_rows(answer: Callable[[httpx.Request], httpx.Response], rows: list[Any]) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        async with ohctl.AsyncOpenHands(base_url=BASE, http_client=http, max_retries=0) as client:
            return dict(await reconcile_module.reconcile(client, rows))

    return asyncio.run(go())
