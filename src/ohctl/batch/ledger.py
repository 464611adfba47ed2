"""The batch ledger: one SQLite file (WAL mode) that records every step of every task.

Each state change is one committed transaction, and a task is marked ``starting`` (with the
conversation id and the tag the ledger gave it) BEFORE its start request is sent: after a crash at
any moment, a task is either provably unstarted (``pending``), or ``starting`` and looked up on the
server before it is ever sent again. Transitions name the state they expect, so a ``cancel`` from
another process and the runner never overwrite each other.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import InvalidArgumentError, OhctlError
from .spec import TaskSpec

SCHEMA_VERSION = "1"

PENDING, STARTING, RUNNING = "pending", "starting", "running"
FINISHED, FAILED, NEEDS_INPUT, TIMED_OUT, ERROR, CANCELLED, STALLED, OVER_BUDGET = (
    "finished",
    "failed",
    "needs_input",
    "timed_out",
    "error",
    "cancelled",
    "stalled",
    "over_budget",  # its agent reached a spending limit (its own, or the batch's total) and was paused
)
INVALID_OUTPUT = "invalid_output"  # the final document did not match the task's output_schema after its retries
ACTIVE = (STARTING, RUNNING)
ENDED = (FINISHED, FAILED, NEEDS_INPUT, TIMED_OUT, ERROR, CANCELLED, STALLED, INVALID_OUTPUT, OVER_BUDGET)
STATES = (PENDING, STARTING, RUNNING, *ENDED)
# A log event (no column: ledgers of every version keep it): a finished agent's last message, read
# from its agent server once the task ended (reports show it). At most LAST_MESSAGE_CHARS kept.
LAST_MESSAGE, LAST_MESSAGE_CHARS = "last_message", 2000
# A log event, the same way: a task's diff stat ("+12 -3, 2 files"). Reports show it; the runner does
# not record it yet.
DIFF_STAT = "diff_stat"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tasks (
    key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    tag TEXT NOT NULL,
    conversation_id TEXT NOT NULL UNIQUE,
    start_task_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    starting_at REAL,
    started_at REAL,
    ended_at REAL,
    error TEXT,
    cost REAL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    prs TEXT,
    url TEXT,
    execution_status TEXT,
    sandbox_status TEXT
);
CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks (state, seq);
CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, at REAL NOT NULL, key TEXT, event TEXT NOT NULL, detail TEXT);
"""
# Each earlier try of a retried task (the current try is the task's row). Ledgers written before
# retries have no such table: it is created with the first retry, and reading without it finds none.
_TRIES = """
CREATE TABLE IF NOT EXISTS tries (
    key TEXT NOT NULL,
    try INTEGER NOT NULL,
    conversation_id TEXT NOT NULL,
    start_task_id TEXT,
    tag TEXT NOT NULL,
    started_at REAL,
    ended_at REAL NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    error TEXT,
    cost REAL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    PRIMARY KEY (key, try)
)
"""
# Columns added to ``tasks`` after schema 1 was written: a ledger without them gets them when opened
# (an older ledger still opens; the schema version stays 1). ``output``: the structured-output result
# of a task with an ``output_schema`` (JSON: document, attempts, errors).
_ADDED_COLUMNS = {"output": "TEXT"}


class LedgerError(OhctlError):
    """The ledger file is missing, not a batch ledger, or in use by another runner."""


@dataclass(frozen=True)
class TaskRow:
    key: str
    seq: int
    spec: TaskSpec
    state: str
    tag: str
    conversation_id: str
    start_task_id: str | None
    attempts: int
    starting_at: float | None
    started_at: float | None
    ended_at: float | None
    error: str | None
    cost: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    prs: list[int]
    url: str | None
    execution_status: str | None
    sandbox_status: str | None
    output: dict[str, Any] | None = None  # document, attempts, errors (tasks with an output_schema)

    @classmethod
    def of(cls, row: sqlite3.Row) -> TaskRow:
        data = dict(row)
        data["spec"] = TaskSpec.from_json(json.loads(data["spec"]))
        data["prs"] = json.loads(data["prs"]) if data["prs"] else []
        data["output"] = json.loads(data["output"]) if data.get("output") else None
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class TaskTry:
    """One earlier try of a retried task: its conversation, how it ended (``state``), why it was
    retried (``reason``, a ``FailureReason`` value such as ``sandbox_missing``), and what it cost.
    ``number`` counts from 1. A retry recorded by an older ohctl has its reason and error only."""

    number: int
    reason: str
    state: str | None = None
    error: str | None = None
    conversation_id: str | None = None
    start_task_id: str | None = None
    started_at: float | None = None
    ended_at: float | None = None
    cost: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def to_json(self) -> dict[str, Any]:
        from .retries import FailureReason

        known = self.reason in FailureReason._value2member_map_
        return {
            "try": self.number,
            "reason": self.reason,
            "kind": str(FailureReason(self.reason).kind) if known else None,
            "state": self.state,
            "error": self.error,
            "conversation_id": self.conversation_id,
            "cost": self.cost,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "duration": (
                None if self.started_at is None or self.ended_at is None else round(self.ended_at - self.started_at, 3)
            ),
        }


@dataclass(frozen=True)
class Ended:
    """What the server said about a task that ended (all optional)."""

    error: str | None = None
    cost: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prs: Sequence[int] = ()
    url: str | None = None
    execution_status: str | None = None
    sandbox_status: str | None = None
    output: dict[str, Any] | None = None


class Ledger:
    """A batch's SQLite file. ``Ledger.create`` writes a new one; ``Ledger(path)`` opens one."""

    def __init__(self, path: str | os.PathLike[str], *, _create: bool = False) -> None:
        self.path = Path(path)
        if not _create and not self.path.is_file():
            raise LedgerError(f"No batch ledger at {self.path}: start a batch with `ohctl batch run TASKS.jsonl`")
        self.write_seconds = 0.0  # time spent committing state changes (the bench reports it)
        self.writes = 0
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit survives the process being killed (not a power cut).
            self._conn.execute("PRAGMA synchronous=NORMAL")
            if _create:
                self._conn.executescript(_SCHEMA)
            version = self.meta("schema")
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise LedgerError(f"{self.path} is not a batch ledger ({exc})") from None
        if not _create and version != SCHEMA_VERSION:
            self._conn.close()
            raise LedgerError(f"{self.path} is not a batch ledger this ohctl can read (schema {version!r})")
        self._add_columns()
        self._lock_file: Any = None

    def _add_columns(self) -> None:
        """Give a ledger written before a column was added that column (empty for its tasks)."""
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(tasks)")}
        for name, kind in _ADDED_COLUMNS.items():
            if name not in have:
                self._conn.execute(f"ALTER TABLE tasks ADD COLUMN {name} {kind}")

    @classmethod
    def create(cls, path: str | os.PathLike[str], specs: Sequence[TaskSpec], settings: dict[str, Any]) -> Ledger:
        """A new ledger holding ``specs``, all pending. The file is readable by its owner only: it
        keeps the tasks' secrets so that a resumed batch can still start them."""
        target = Path(path)
        if target.exists():
            raise LedgerError(f"{target} already exists: resume it with `ohctl batch resume {target}`")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        ledger = cls(target, _create=True)
        batch_id = uuid.uuid4().hex
        with ledger._transaction() as db:
            db.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?)",
                [("schema", SCHEMA_VERSION), ("batch_id", batch_id), ("created_at", str(time.time()))]
                + [(k, json.dumps(v)) for k, v in settings.items()],
            )
            db.executemany(
                "INSERT INTO tasks (key, seq, spec, state, tag, conversation_id) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (s.key, n, json.dumps(s.to_json()), PENDING, make_tag(batch_id, s.key), uuid.uuid4().hex)
                    for n, s in enumerate(specs)
                ],
            )
        return ledger

    # -- reading ------------------------------------------------------------------------
    def meta(self, name: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def setting(self, name: str, default: Any = None) -> Any:
        value = self.meta(name)
        return default if value is None else json.loads(value)

    @property
    def batch_id(self) -> str:
        return self.meta("batch_id") or ""

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(STATES, 0)
        for state, n in self._conn.execute("SELECT state, COUNT(*) FROM tasks GROUP BY state"):
            found[state] = n
        return found

    def summary(self) -> tuple[dict[str, int], float]:
        """Counts per state and the cost so far, in one query (for progress displays)."""
        found = dict.fromkeys(STATES, 0)
        cost = 0.0
        for state, n, spent in self._conn.execute("SELECT state, COUNT(*), SUM(cost) FROM tasks GROUP BY state"):
            found[state] = n
            cost += spent or 0.0
        return found, cost + self.tries_cost()

    def tries_cost(self) -> float:
        """What the earlier tries of retried tasks cost (their conversations ran too)."""
        if not self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tries'").fetchone():
            return 0.0
        return float(self._conn.execute("SELECT COALESCE(SUM(cost), 0) FROM tries").fetchone()[0])

    def spent(self) -> tuple[float, int]:
        """The cost and tokens (prompt and completion) recorded for the tasks that ended."""
        cost, tokens = self._conn.execute(
            "SELECT SUM(cost), SUM(COALESCE(prompt_tokens, 0) + COALESCE(completion_tokens, 0)) FROM tasks"
        ).fetchone()
        return float(cost or 0.0), int(tokens or 0)

    def tasks(self, states: Sequence[str] | None = None) -> list[TaskRow]:
        if states is None:
            rows = self._conn.execute("SELECT * FROM tasks ORDER BY seq").fetchall()
        else:
            marks = ",".join("?" * len(states))
            query = f"SELECT * FROM tasks WHERE state IN ({marks}) ORDER BY seq"  # noqa: S608
            rows = self._conn.execute(query, tuple(states)).fetchall()
        return [TaskRow.of(r) for r in rows]

    def task(self, key: str) -> TaskRow:
        row = self._conn.execute("SELECT * FROM tasks WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise InvalidArgumentError(f"No task {key!r} in {self.path}")
        return TaskRow.of(row)

    def log(self, *, limit: int = 1000) -> list[tuple[float, str | None, str, str | None]]:
        rows = self._conn.execute("SELECT at, key, event, detail FROM log ORDER BY id DESC LIMIT ?", (limit,))
        return [(r[0], r[1], r[2], r[3]) for r in rows][::-1]

    def transitions(self) -> list[tuple[float, str, str]]:
        """Every logged change of a task, oldest first: (time, key, event), the event a state's name
        (``starting``, ``running``, an outcome) or ``requeued``, ``retry``, ``conversation``..."""
        rows = self._conn.execute("SELECT at, key, event FROM log WHERE key IS NOT NULL ORDER BY id")
        return [(float(r[0]), str(r[1]), str(r[2])) for r in rows]

    def latest_notes(self, event: str) -> dict[str, str]:
        """The latest detail logged for ``event`` (``LAST_MESSAGE``...), per task key."""
        rows = self._conn.execute(
            "SELECT key, detail FROM log WHERE event = ? AND key IS NOT NULL AND detail IS NOT NULL ORDER BY id",
            (event,),
        )
        return {str(key): str(detail) for key, detail in rows}

    def same_tasks(self, specs: Sequence[TaskSpec]) -> bool:
        mine = [(r[0], json.loads(r[1])) for r in self._conn.execute("SELECT key, spec FROM tasks ORDER BY seq")]
        return mine == [(s.key, s.to_json()) for s in specs]

    # -- writing: one transaction per change -------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        started = time.perf_counter()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        self.write_seconds += time.perf_counter() - started
        self.writes += 1

    def _move(
        self, key: str, expected: Sequence[str], event: str, detail: str | None, *, count: bool = False, **values: Any
    ) -> bool:
        """Set ``values`` on the task if it is in one of ``expected`` states, and log it; False (and
        nothing written) when another process moved it first. ``count``: one more start attempt."""
        names = ", ".join([f"{k} = ?" for k in values] + (["attempts = attempts + 1"] if count else []))
        marks = ",".join("?" * len(expected))
        with self._transaction() as db:
            cursor = db.execute(
                f"UPDATE tasks SET {names} WHERE key = ? AND state IN ({marks})",  # noqa: S608
                (*values.values(), key, *expected),
            )
            if cursor.rowcount != 1:
                return False
            db.execute(
                "INSERT INTO log (at, key, event, detail) VALUES (?, ?, ?, ?)", (time.time(), key, event, detail)
            )
        return True

    def mark_starting(self, key: str) -> bool:
        """Committed before the start request is sent (the heart of exactly-once)."""
        return self._move(key, (PENDING,), "starting", None, state=STARTING, starting_at=time.time(), count=True)

    def mark_running(self, key: str, start_task_id: str, detail: str | None = None) -> bool:
        return self._move(
            key, (STARTING,), "running", detail, state=RUNNING, start_task_id=start_task_id, started_at=time.time()
        )

    def set_conversation_id(self, key: str, conversation_id: str) -> bool:
        """The server chose another conversation id than the one asked for (it may ignore it)."""
        return self._move(key, (RUNNING,), "conversation", conversation_id, conversation_id=conversation_id)

    def requeue(self, key: str, reason: str) -> bool:
        """Back to pending: the start provably never took effect (refused, or not found on the server)."""
        return self._move(key, (STARTING,), "requeued", reason, state=PENDING, starting_at=None)

    def retry(
        self, key: str, detail: str, *, reason: str = "stalled", state: str = STALLED, ended: Ended | None = None
    ) -> bool:
        """Back to pending to start afresh after an infrastructure failure (``reason``, a
        ``FailureReason`` value): the try that ended (as ``state``, with ``ended``'s error and cost) is
        kept in the ``tries`` table, and the task gets a new conversation id and tag (``:retryN``), so
        that a crash before the new start is never taken for the old conversation. One transaction."""
        ended = ended or Ended(error=detail)
        now = time.time()
        with self._transaction() as db:
            found = db.execute("SELECT * FROM tasks WHERE key = ? AND state = ?", (key, RUNNING)).fetchone()
            if found is None:
                return False  # another process moved it first
            row = TaskRow.of(found)
            number = self._count_retries(db, key) + 1
            db.execute(_TRIES)
            db.execute(
                "INSERT INTO tries (key, try, conversation_id, start_task_id, tag, started_at, ended_at, state, "
                "reason, error, cost, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    number,
                    row.conversation_id,
                    row.start_task_id,
                    row.tag,
                    row.started_at,
                    now,
                    state,
                    reason,
                    ended.error or detail,
                    ended.cost,
                    ended.prompt_tokens,
                    ended.completion_tokens,
                ),
            )
            db.execute(
                "UPDATE tasks SET state = ?, conversation_id = ?, tag = ?, start_task_id = NULL, starting_at = NULL, "
                "started_at = NULL WHERE key = ?",
                (PENDING, uuid.uuid4().hex, f"{make_tag(self.batch_id, key)}:retry{number}", key),
            )
            db.execute(
                "INSERT INTO log (at, key, event, detail) VALUES (?, ?, ?, ?)",
                (now, key, "retry", detail),
            )
        return True

    @staticmethod
    def _count_retries(db: sqlite3.Connection, key: str) -> int:
        found = db.execute("SELECT COUNT(*) FROM log WHERE key = ? AND event = 'retry'", (key,)).fetchone()
        return int(found[0])

    def retries(self, key: str) -> int:
        """How many times the task was started afresh (after an infrastructure failure or a stall)."""
        return self._count_retries(self._conn, key)

    def tries(self, key: str | None = None) -> dict[str, list[TaskTry]]:
        """The earlier tries of each retried task (of ``key`` only, if given), oldest first. A retry
        logged by an older ohctl (before the ``tries`` table) is given from its log entry."""
        where, args = ("AND key = ?", (key,)) if key is not None else ("", ())
        logged: dict[str, list[tuple[float, str | None]]] = {}
        query = f"SELECT key, at, detail FROM log WHERE event = 'retry' {where} ORDER BY id"  # noqa: S608
        for k, at, detail in self._conn.execute(query, args):
            logged.setdefault(k, []).append((at, detail))
        if not logged:
            return {}
        recorded: dict[tuple[str, int], sqlite3.Row] = {}
        if self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tries'").fetchone():
            rows = self._conn.execute(f"SELECT * FROM tries WHERE 1 = 1 {where}", args)  # noqa: S608
            recorded = {(r["key"], r["try"]): r for r in rows}
        out: dict[str, list[TaskTry]] = {}
        for k, events in logged.items():
            for number, (at, detail) in enumerate(events, 1):
                r = recorded.get((k, number))
                if r is None:  # an older ohctl's retry: only a stall was ever retried
                    out.setdefault(k, []).append(TaskTry(number, "stalled", STALLED, detail, ended_at=at))
                    continue
                out.setdefault(k, []).append(
                    TaskTry(
                        number,
                        r["reason"],
                        r["state"],
                        r["error"],
                        r["conversation_id"],
                        r["start_task_id"],
                        r["started_at"],
                        r["ended_at"],
                        r["cost"],
                        r["prompt_tokens"],
                        r["completion_tokens"],
                    )
                )
        return out

    def task_notes(self, key: str, event: str) -> list[str | None]:
        """The details of the task's log entries of kind ``event``, oldest first, since it was last
        started afresh (``retry``): what its current conversation did."""
        rows = self._conn.execute(
            "SELECT event, detail FROM log WHERE key = ? AND event IN (?, 'retry') ORDER BY id", (key, event)
        )
        found: list[str | None] = []
        for kind, detail in rows:
            found = [] if kind == "retry" and event != "retry" else [*found, detail]
        return found

    def end(self, key: str, state: str, ended: Ended, *, expected: Sequence[str] = ACTIVE) -> bool:
        assert state in ENDED
        return self._move(
            key,
            expected,
            state,
            ended.error,
            state=state,
            ended_at=time.time(),
            error=ended.error,
            cost=ended.cost,
            prompt_tokens=ended.prompt_tokens,
            completion_tokens=ended.completion_tokens,
            prs=json.dumps(list(ended.prs)),
            url=ended.url,
            execution_status=ended.execution_status,
            sandbox_status=ended.sandbox_status,
            output=json.dumps(ended.output) if ended.output is not None else None,
        )

    def note(self, event: str, detail: str | None = None, *, key: str | None = None) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO log (at, key, event, detail) VALUES (?, ?, ?, ?)", (time.time(), key, event, detail)
            )

    def set_meta(self, name: str, value: Any) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, json.dumps(value)))

    # -- one runner at a time -----------------------------------------------------------
    def acquire(self) -> None:
        """Hold the runner lock (released when the process dies, even by kill -9)."""
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; run one runner per ledger
            return
        handle = open(f"{self.path}.lock", "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise LedgerError(
                f"Another ohctl process is running the batch in {self.path}; wait for it or stop it first"
            ) from None
        self._lock_file = handle

    def locked_by_other(self) -> bool:
        """True while another process runs this batch."""
        if self._lock_file is not None:
            return False
        try:
            self.acquire()
        except LedgerError:
            return True
        self.release()
        return False

    def release(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def close(self) -> None:
        self.release()
        self._conn.close()


def make_tag(batch_id: str, key: str) -> str:
    """The title the ledger gives a task's conversation: findable by ``title_contains``."""
    return f"batch:{batch_id[:12]}:{key}"
