"""A batch's stalled tasks (``on_stall``): waited on and noted, stopped, or stopped and started afresh
once, against the in-process stub app server (bench/batch_stub.py) and its agent-server routes."""

from __future__ import annotations

import asyncio
import importlib
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import ohctl
from ohctl.batch import AsyncBatch, Ledger, TaskResult

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
StubAppServer: Any = importlib.import_module("batch_stub").StubAppServer

BASE = "http://127.0.0.1:9"
TASKS = [{"key": "sleepy", "message": "sleep forever [stall]"}, {"key": "quick", "message": "be quick"}]


def run(stub: Any, ledger: Path, **options: Any) -> list[TaskResult]:
    async def go() -> list[TaskResult]:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url=BASE, http_client=http, max_retries=0) as client:
            batch = AsyncBatch(client, ledger, TASKS, poll_interval=0.02, stall_after=60, **options)
            try:
                return [r async for r in batch.run()]
            finally:
                batch.close()

    return asyncio.run(go())


def log_of(ledger: Path, key: str) -> list[tuple[str, str | None]]:
    opened = Ledger(ledger)
    try:
        return [(event, detail) for _, k, event, detail in opened.log() if k == key]
    finally:
        opened.close()


def test_on_stall_stop_pauses_the_agent_and_the_task_ends_stalled(tmp_path: Path) -> None:
    stub = StubAppServer(agent_url=BASE)
    results = {r.key: r for r in run(stub, tmp_path / "b.db", on_stall="stop")}
    assert results["quick"].state == "finished" and results["sleepy"].state == "stalled"
    assert results["sleepy"].outcome == "stalled" and results["sleepy"].error is not None
    assert "ActionEvent (terminal)" in results["sleepy"].error and "told to stop" in results["sleepy"].error
    assert stub.stopped == [results["sleepy"].conversation_id]  # the stop ran in the background, and ended
    assert [event for event, _ in log_of(tmp_path / "b.db", "sleepy")][-2:] == ["stalled", "stopped"]


def test_on_stall_retry_starts_it_afresh_once_then_ends_it_stalled(tmp_path: Path) -> None:
    stub = StubAppServer(agent_url=BASE)
    results = {r.key: r for r in run(stub, tmp_path / "b.db", on_stall="retry")}
    assert results["sleepy"].state == "stalled"
    events = [event for event, _ in log_of(tmp_path / "b.db", "sleepy")]
    assert events.count("retry") == 1 and events.count("stalled") == 1 and events.count("stopped") == 2
    # Two conversations, each started once, each stopped; the ledger names the second.
    assert len(stub.starts) == 3 and sorted(stub.starts.values()) == [1, 1, 1]
    assert len(stub.stopped) == 2 and stub.stopped[-1] == results["sleepy"].conversation_id


def test_on_stall_wait_notes_it_once_and_follows_on_until_the_timeout(tmp_path: Path) -> None:
    stub = StubAppServer(agent_url=BASE)
    results = {r.key: r for r in run(stub, tmp_path / "b.db", on_stall="wait", timeout=1.0)}
    assert results["sleepy"].state == "timed_out" and stub.stopped == []
    notes = [detail for event, detail in log_of(tmp_path / "b.db", "sleepy") if event == "stalled"]
    assert len(notes) == 1 and notes[0] is not None and "no event for" in notes[0]


def test_an_unknown_on_stall_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ohctl.InvalidArgumentError, match="on_stall"):
        run(StubAppServer(agent_url=BASE), tmp_path / "b.db", on_stall="shrug")
    assert not (tmp_path / "b.db").exists()  # refused before the ledger is written
