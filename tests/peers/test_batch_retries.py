"""Batch retries against the real app server: a task whose sandbox is deleted under its running agent
(an injected infrastructure failure) is started afresh in a new conversation, with its own tag, and
finishes; a task whose agent ends in error (the scripted model's ``fail``) is not retried, whatever
the budget. Each start reaches the server once."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import ohctl
from ohctl.batch import Batch, Ledger
from ohctl.batch.ledger import make_tag
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import stall_marker

SILENCE = 300  # the silent step of the first try: long enough to delete its sandbox under it


class _SandboxBreaker:
    """Deletes the sandbox of task ``key``'s first conversation once its agent is running (read from
    the ledger, read-only), then creates the release file so that a later try's step ends at once."""

    def __init__(self, client: ohctl.OpenHands, ledger: Path, key: str, release: Path) -> None:
        self.client, self.ledger, self.key, self.release = client, ledger, key, release
        self.deleted: str | None = None  # the sandbox id
        self.conversation: str | None = None
        self.problems: list[str] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def _start_task_id(self) -> str | None:
        try:
            with sqlite3.connect(f"file:{self.ledger}?mode=ro", uri=True) as db:
                row = db.execute("SELECT start_task_id FROM tasks WHERE key = ?", (self.key,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else row[0]

    def run(self) -> None:
        deadline = time.monotonic() + 400
        while not self.done.is_set() and time.monotonic() < deadline:
            time.sleep(0.5)
            tid = self._start_task_id()
            if not tid:
                continue
            try:
                task = self.client.start_tasks.get([tid])[0]
                if task is None or not task.is_ready or not task.app_conversation_id or not task.sandbox_id:
                    continue
                conversation = self.client.conversations.retrieve(task.app_conversation_id)
                if str(conversation.execution_status) != "running":
                    continue
                self.client.sandboxes.delete(task.sandbox_id)
            except ohctl.OhctlError as exc:
                self.problems.append(str(exc)[:300])
                continue
            self.deleted, self.conversation = str(task.sandbox_id), str(task.app_conversation_id)
            break
        self.release.touch()

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=30)
        self.release.touch()


def test_a_deleted_sandbox_is_retried_and_an_agent_error_is_not(
    client: ohctl.OpenHands, shared: Shared, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    path = tmp_path / "b.db"
    lines = [
        # Its own sandbox (no sandbox_id): the one the test deletes.
        {"key": "vanish", "message": f"Hold on {stall_marker(SILENCE, str(release))}"},
        {"key": "agent", "message": "Fail at once [ohctl:fail]", "sandbox_id": shared.sandbox_id},
    ]
    events: list[ohctl.batch.BatchEvent] = []
    batch = Batch(
        path, lines, client=client, retries=2, concurrency=2, max_starting=1, poll_interval=1, on_event=events.append
    )
    breaker = _SandboxBreaker(client, path, "vanish", release)
    try:
        results = {r.key: r for r in batch.run()}
    finally:
        breaker.stop()
    assert breaker.deleted is not None, breaker.problems
    vanish, agent = results["vanish"], results["agent"]
    try:
        # The agent's own error: ended at once, one try, never started again.
        assert agent.state == "failed" and agent.tries == 1 and agent.retried == (), agent
        assert "agent error" in (agent.error or ""), agent.error
        # The deleted sandbox: retried once, in a new conversation that finished.
        assert vanish.state == "finished" and vanish.tries == 2, vanish
        first = vanish.retried[0]
        assert first.reason == "sandbox_missing" and first.state == "failed", first
        assert first.conversation_id is not None and breaker.conversation is not None
        assert first.conversation_id.replace("-", "") == breaker.conversation.replace("-", "")
        assert "sandbox MISSING" in (first.error or ""), first.error
        assert vanish.conversation_id != first.conversation_id
        assert [e.key for e in events if e.kind == "retry"] == ["vanish"]

        ledger = Ledger(path)
        try:
            batch_id = ledger.batch_id
        finally:
            ledger.close()
        assert batch.status().retries == {"sandbox_missing": 1}
        # On the server: one start per try, each with its own tag; the agent's task started once.
        prefix = f"batch:{batch_id[:12]}:"
        titles = sorted(
            str((t.request or {}).get("title"))
            for t in client.start_tasks.search(sort_order="CREATED_AT_DESC", limit=100)
            if str((t.request or {}).get("title", "")).startswith(prefix)
        )
        tag = make_tag(batch_id, "vanish")
        assert titles == sorted([make_tag(batch_id, "agent"), tag, f"{tag}:retry1"]), titles
    finally:
        last = client.conversations.get([vanish.conversation_id])[0] if vanish.conversation_id else None
        if last is not None and last.sandbox_id:
            client.sandboxes.delete(last.sandbox_id)
