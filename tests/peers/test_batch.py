"""Batches against the real app server: 20 tasks at concurrency 4 with mixed outcomes, the runner
killed (-9) at three points, then resumed: every task started exactly once, every result recorded.

The tasks share the suite's sandbox (``sandbox_id``): the process sandboxes of the 1.11 server race
for ports when several start at once, and a fresh sandbox per task would cost ~10 s each. One start
at a time (``max_starting=1``): its agent server answers 500 now and then (a tmux race) when two
conversations are created in it at the same moment.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import ohctl
from tests.support.peer_suite import Shared

ROOT = Path(__file__).resolve().parents[2]
TASKS = 20
NEEDS_INPUT = {1, 11}  # their conversations get a confirmation policy while they run


def _states(ledger: Path) -> Counter[str]:
    with sqlite3.connect(ledger) as db:
        return Counter(state for (state,) in db.execute("SELECT state FROM tasks"))


def _runner(ledger: Path, base_url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.batch_runner", str(ledger), base_url, *args],
        cwd=ROOT,
        env={**os.environ, "OHCTL_CONFIG_DIR": str(ledger.parent / "config")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _killed(proc: subprocess.Popen[str], timeout: float = 120) -> None:
    _, err = proc.communicate(timeout=timeout)
    assert proc.returncode == -signal.SIGKILL, f"runner ended with {proc.returncode}: {err[-2000:]}"


def test_batch_survives_kill_9_and_starts_each_task_once(
    client: ohctl.OpenHands, base_url: str, shared: Shared, tmp_path: Path
) -> None:
    lines = []
    for n in range(TASKS):
        message = f"Task {n} [ohctl:fail]" if n % 5 == 3 else f"Task {n}: say hello"
        if n in NEEDS_INPUT:
            message = f"Task {n}: many steps [ohctl:long:150]"
        lines.append(json.dumps({"key": f"t{n:02d}", "message": message, "sandbox_id": shared.sandbox_id}))
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text("\n".join(lines) + "\n")
    ledger = tmp_path / "batch.db"
    began = time.monotonic()

    confirmer = _Confirmer(client, shared, ledger)
    # 1. Killed on the answer to its 3rd start: the server has it, the ledger says "starting".
    _killed(_runner(ledger, base_url, str(tasks), "--die-after-start", "3"))
    assert _states(ledger)["starting"] >= 1
    # 2. Resumed, killed as its 2nd start is about to be sent: "starting", never on the server.
    _killed(_runner(ledger, base_url, "--die-before-start", "2"))
    assert _states(ledger)["starting"] >= 1
    # 3. Resumed, killed from outside once a few tasks ended (others running).
    proc = _runner(ledger, base_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sum(_states(ledger)[s] for s in ("finished", "failed")) < 6:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    _killed(proc)
    # 4. The command line finishes it.
    env = {**os.environ, "OPENHANDS_BASE_URL": base_url, "OHCTL_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("OPENHANDS_API_KEY", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ohctl",
            "batch",
            "resume",
            str(ledger),
            "--poll-interval",
            "0.5",
            "--start-timeout",
            "20",
            "--max-starting",
            "1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    confirmer.stop()
    assert done.returncode == 6, done.stderr[-3000:]  # some tasks failed, on purpose
    assert "requeued" in done.stderr or "requeued" in _log(ledger)

    results = subprocess.run(
        [sys.executable, "-m", "ohctl", "batch", "results", str(ledger), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    rows = [json.loads(line) for line in results]
    assert [r["key"] for r in rows] == [f"t{n:02d}" for n in range(TASKS)]
    by_key = {r["key"]: r for r in rows}
    abandoned = {k for k, r in by_key.items() if "abandoned the start" in (r["error"] or "")}
    assert len(abandoned) <= 4  # only starts in flight when the runner was killed, never resent
    for n in range(TASKS):
        row = by_key[f"t{n:02d}"]
        if row["key"] not in abandoned:
            expected = "needs_input" if n in NEEDS_INPUT else "failed" if n % 5 == 3 else "finished"
            assert row["state"] == expected, row
        assert row["conversation_id"] and row["duration"] is not None and row["line"] == n + 1
    # Metrics reach the app server in webhook batches: tokens may still read 0 at the end.
    assert all(
        r["url"] and r["prompt_tokens"] is not None and r["cost"] is not None for r in rows if r["state"] == "finished"
    )
    assert all(r["error"] for r in rows if r["state"] == "failed")

    # On the server: exactly one start per task (found by the tag the ledger gave each one).
    with sqlite3.connect(ledger) as db:
        batch_id = db.execute("SELECT value FROM meta WHERE name = 'batch_id'").fetchone()[0]
        attempts = dict(db.execute("SELECT key, attempts FROM tasks"))
    prefix = f"batch:{batch_id[:12]}:"
    created = Counter(
        str((t.request or {}).get("title"))[len(prefix) :]
        for t in client.start_tasks.search(sort_order="CREATED_AT_DESC", limit=400)
        if str((t.request or {}).get("title", "")).startswith(prefix)
    )
    assert created == Counter({f"t{n:02d}": 1 for n in range(TASKS)}), created
    assert max(attempts.values()) >= 2  # the start that never left was sent again (once)
    print(f"\nbatch kill -9 test: {time.monotonic() - began:.1f}s wall")


class _Confirmer:
    """Turns on confirmation mode for the NEEDS_INPUT tasks' conversations as soon as they exist on
    the shared sandbox's agent server: their next action then waits for a confirmation."""

    def __init__(self, client: ohctl.OpenHands, shared: Shared, ledger: Path) -> None:
        self.agent = client.conversations.agent(shared.id)
        self.ledger = ledger
        self.done = threading.Event()
        self.set: set[str] = set()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.done.is_set() and len(self.set) < len(NEEDS_INPUT):
            try:
                # Read-only: never create the file before the runner does.
                with sqlite3.connect(f"file:{self.ledger}?mode=ro", uri=True) as db:
                    wanted = [
                        cid
                        for key, cid in db.execute("SELECT key, conversation_id FROM tasks")
                        if int(key[1:]) in NEEDS_INPUT and cid not in self.set
                    ]
            except sqlite3.Error:
                wanted = []
            try:
                # Only once the conversation exists: a policy set on an unknown id breaks its start.
                found = self.agent.conversations.get(wanted) if wanted else []
                for cid, info in zip(wanted, found, strict=True):
                    if info is not None:
                        self.agent.conversations.set_confirmation_policy("AlwaysConfirm", cid)
                        self.set.add(cid)
            except ohctl.OhctlError:
                pass  # the sandbox is busy: next round
            time.sleep(0.2)

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=10)
        self.agent.close()


def _log(ledger: Path) -> str:
    with sqlite3.connect(ledger) as db:
        return " ".join(event for (event,) in db.execute("SELECT event FROM log"))
