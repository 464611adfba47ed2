"""What a batch reports: one result per task, the batch's state, and the cost report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .ledger import ACTIVE, ENDED, OVER_BUDGET, PENDING, Ledger, TaskRow

LIMITS = (
    "max_cost",
    "max_tokens",
    "max_cost_per_task",
    "max_tokens_per_task",
)  # the ledger's settings of a batch's limits


@dataclass(frozen=True)
class TaskResult:
    """One task as the ledger knows it (``state`` is one of the ledger's states; ``outcome`` is
    set once it ended: finished, failed, needs_input, timed_out, error, cancelled, stalled,
    over_budget: ``error`` then says which limit, the value and the limit)."""

    key: str
    line: int | None
    input: dict[str, Any]
    state: str
    conversation_id: str | None
    url: str | None
    prs: list[int]
    cost: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    duration: float | None
    error: str | None
    attempts: int

    @property
    def outcome(self) -> str | None:
        return self.state if self.state in ENDED else None

    @property
    def ok(self) -> bool:
        return self.state == "finished"

    @classmethod
    def of(cls, row: TaskRow) -> TaskResult:
        started = row.started_at
        duration = None if started is None or row.ended_at is None else round(row.ended_at - started, 3)
        # The conversation exists only once its start was sent; a pending task has none yet.
        known = row.state != PENDING and row.start_task_id is not None
        return cls(
            key=row.key,
            line=row.spec.line,
            input=row.spec.public(),
            state=row.state,
            conversation_id=row.conversation_id if known else None,
            url=row.url,
            prs=row.prs,
            cost=row.cost,
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            duration=duration,
            error=row.error,
            attempts=row.attempts,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "line": self.line,
            "input": self.input,
            "state": self.state,
            "outcome": self.outcome,
            "conversation_id": self.conversation_id,
            "url": self.url,
            "prs": self.prs,
            "cost": self.cost,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "duration": self.duration,
            "error": self.error,
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class BatchStatus:
    """Counts per state, the money and tokens spent so far, and why the batch stopped if it did;
    ``limits``: the spending limits set (``max_cost``, ``max_tokens``, ``max_cost_per_task``,
    ``max_tokens_per_task``; None: none), ``budget_stop``: why the total stopped the batch,
    ``over_budget``: the keys of the tasks that ended over budget."""

    path: str
    batch_id: str
    total: int
    counts: dict[str, int]
    cost: float
    prompt_tokens: int
    completion_tokens: int
    concurrency: int | None
    paused: str | None
    cancelled: bool
    running_elsewhere: bool
    wall_time: float | None = None
    durations: dict[str, float] = field(default_factory=dict)
    limits: dict[str, float | None] = field(default_factory=dict)
    budget_stop: str | None = None
    over_budget: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.counts.get(PENDING, 0) == 0 and not any(self.counts.get(s, 0) for s in ACTIVE)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "batch_id": self.batch_id,
            "total": self.total,
            "counts": self.counts,
            "done": self.done,
            "cost": round(self.cost, 6),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "concurrency": self.concurrency,
            "paused": self.paused,
            "cancelled": self.cancelled,
            "running_elsewhere": self.running_elsewhere,
            "wall_time": self.wall_time,
            "task_seconds": self.durations,
            "limits": self.limits,
            "budget_stop": self.budget_stop,
            "over_budget": self.over_budget,
        }


def results(ledger: Ledger) -> list[TaskResult]:
    return [TaskResult.of(row) for row in ledger.tasks()]


def status(ledger: Ledger) -> BatchStatus:
    rows = ledger.tasks()
    durations = [r.ended_at - r.started_at for r in rows if r.ended_at is not None and r.started_at is not None]
    starts = [r.starting_at or r.started_at for r in rows if (r.starting_at or r.started_at) is not None]
    ends = [r.ended_at for r in rows if r.ended_at is not None]
    wall = None
    if starts and ends:
        wall = round(max(ends) - min(x for x in starts if x is not None), 3)
    return BatchStatus(
        path=str(ledger.path),
        batch_id=ledger.batch_id,
        total=len(rows),
        counts=ledger.counts(),
        cost=sum(r.cost or 0.0 for r in rows),
        prompt_tokens=sum(r.prompt_tokens or 0 for r in rows),
        completion_tokens=sum(r.completion_tokens or 0 for r in rows),
        concurrency=ledger.setting("concurrency"),
        paused=ledger.setting("paused"),
        cancelled=bool(ledger.setting("cancel_requested", False)),
        running_elsewhere=ledger.locked_by_other(),
        wall_time=wall,
        durations={
            "total": round(sum(durations), 3),
            "mean": round(sum(durations) / len(durations), 3) if durations else 0.0,
            "max": round(max(durations), 3) if durations else 0.0,
        },
        limits={name: ledger.setting(name) for name in LIMITS},
        budget_stop=ledger.setting("budget_stop"),
        over_budget=[r.key for r in rows if r.state == OVER_BUDGET],
    )
