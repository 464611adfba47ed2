"""A batch through the fault proxy in front of the real app server: the concurrency-limit 429 lowers
the concurrency and requeues (no task fails), a reset after the server took a start is looked up
instead of resent, a reset before it is retried by the SDK; every task starts exactly once."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import ohctl
import ohctl.batch.reconcile
import ohctl.batch.runner
from ohctl.batch import Batch, Ledger
from tests.support.fault_proxy import FaultProxy, Rule, concurrency_limit, reset_after, reset_before
from tests.support.peer_suite import Shared

STARTS = r"^/api/v1/app-conversations(\?|$)"
TASKS = 6


def test_batch_rides_through_limits_and_resets(
    app_proxy: FaultProxy,
    client: ohctl.OpenHands,
    shared: Shared,
    tmp_path: Path,
    figures: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A lost answer is looked up once the start is this old (8 s by default; the server saves a
    # start before it answers, so 2 s is plenty on this machine).
    monkeypatch.setattr(ohctl.batch.runner, "SETTLE", 2.0)
    monkeypatch.setattr(ohctl.batch.reconcile, "SETTLE", 2.0)
    app_proxy.add(Rule(concurrency_limit(), method="POST", path=STARTS, nth={3, 4}))
    app_proxy.add(Rule(reset_after(), method="POST", path=STARTS, nth={6}))
    app_proxy.add(Rule(reset_before(), method="POST", path=STARTS, nth={8}))
    specs = [{"key": f"f{n}", "message": f"Fault task {n}", "sandbox_id": shared.sandbox_id} for n in range(TASKS)]
    began = time.monotonic()
    with ohctl.OpenHands(base_url=app_proxy.base_url, max_retries=3) as proxied:
        # One start at a time: the 1.11 server's agent server races (tmux) when conversations are
        # created at the same moment in one sandbox, and answers 500.
        batch = Batch(tmp_path / "b.db", specs, client=proxied, concurrency=4, poll_interval=0.5, max_starting=1)
        results = list(batch.run())
    wall = time.monotonic() - began

    assert sorted(r.key for r in results) == [f"f{n}" for n in range(TASKS)]
    assert {r.state for r in results} == {"finished"}, [(r.key, r.state, r.error) for r in results]
    posts = [s for s in app_proxy.requests if s.method == "POST" and s.target.startswith("/api/v1/app-conversations")]
    assert [s.fault for s in posts].count("concurrency_limit") == 2
    assert [s.fault for s in posts].count("reset_after") == 1
    assert [s.fault for s in posts].count("reset_before") == 1
    assert sum(s.forwarded for s in posts) == TASKS  # each task reached the server once
    ledger = Ledger(tmp_path / "b.db")
    try:
        log = ledger.log()
        batch_id = ledger.batch_id
        attempts = {row.key: row.attempts for row in ledger.tasks()}
    finally:
        ledger.close()
    assert any(event == "concurrency" for _, _, event, _ in log)
    details = [detail or "" for _, _, _, detail in log]
    assert "found on the server after a lost answer" in details  # the reset after the server
    assert "its start never reached the server" in details  # the reset before it: sent again
    prefix = f"batch:{batch_id[:12]}:"
    created = Counter(
        str((t.request or {}).get("title"))[len(prefix) :]
        for t in client.start_tasks.search(sort_order="CREATED_AT_DESC", limit=100)
        if str((t.request or {}).get("title", "")).startswith(prefix)
    )
    assert created == Counter({f"f{n}": 1 for n in range(TASKS)}), created
    figures["batch_faults"] = {
        "tasks": TASKS,
        "start_posts_seen": len(posts),
        "start_posts_forwarded": sum(s.forwarded for s in posts),
        "faults": app_proxy.faults(),
        "attempts": attempts,
        "wall_seconds": round(wall, 1),
    }
