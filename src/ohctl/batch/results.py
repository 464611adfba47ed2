"""What a batch reports: one result per task, the batch's state, and the cost report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .ledger import ACTIVE, ENDED, OVER_BUDGET, PENDING, Ledger, TaskRow, TaskTry

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
    invalid_output, over_budget: ``error`` then says which limit, the value and the limit).

    ``tries``: how many times it was started afresh plus one; ``retried``: each earlier try, with
    the reason it was retried (``batch run --retries``). The conversation, URL, PRs, duration and
    error are the last try's; ``cost`` and the tokens add up every try. ``attempts`` counts the
    start requests sent (a start refused for the concurrency limit is sent again). For a task with an
    ``output_schema``, ``document`` is the agent's JSON document once it matched, and ``output`` the
    check's record: ``document``, ``attempts``, ``errors`` (the problems of each attempt)."""

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
    tries: int = 1
    retried: tuple[TaskTry, ...] = ()
    output: dict[str, Any] | None = None

    @property
    def document(self) -> Any:
        """The validated JSON document (None without one: no schema, or it never matched)."""
        return self.output.get("document") if self.output is not None and self.state == "finished" else None

    @property
    def outcome(self) -> str | None:
        return self.state if self.state in ENDED else None

    @property
    def ok(self) -> bool:
        return self.state == "finished"

    @classmethod
    def of(cls, row: TaskRow, retried: Sequence[TaskTry] = ()) -> TaskResult:
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
            cost=_total(row.cost, [t.cost for t in retried]),
            prompt_tokens=_total(row.prompt_tokens, [t.prompt_tokens for t in retried]),
            completion_tokens=_total(row.completion_tokens, [t.completion_tokens for t in retried]),
            duration=duration,
            error=row.error,
            attempts=row.attempts,
            tries=len(retried) + 1,
            retried=tuple(retried),
            output=row.output,
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
            "tries": self.tries,
            "retries": [t.to_json() for t in self.retried],
            "document": self.document,
            "output": self.output,
        }


def _total(last: Any, earlier: Sequence[Any]) -> Any:
    """The sum over the tries; None when no try knows it."""
    known = [x for x in (*earlier, last) if x is not None]
    return sum(known) if known else None


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
    retries: dict[str, int] = field(default_factory=dict)  # reason -> retries for it, over all tasks
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
            "retries": self.retries,
            "limits": self.limits,
            "budget_stop": self.budget_stop,
            "over_budget": self.over_budget,
        }


def results(ledger: Ledger) -> list[TaskResult]:
    tries = ledger.tries()
    return [TaskResult.of(row, tries.get(row.key, ())) for row in ledger.tasks()]


def result(ledger: Ledger, key: str) -> TaskResult:
    return TaskResult.of(ledger.task(key), ledger.tries(key).get(key, ()))


def status(ledger: Ledger) -> BatchStatus:
    rows = ledger.tasks()
    earlier = [one for tries in ledger.tries().values() for one in tries]
    reasons: dict[str, int] = {}
    for one in earlier:
        reasons[one.reason] = reasons.get(one.reason, 0) + 1
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
        cost=sum(r.cost or 0.0 for r in rows) + sum(t.cost or 0.0 for t in earlier),
        prompt_tokens=sum(r.prompt_tokens or 0 for r in rows) + sum(t.prompt_tokens or 0 for t in earlier),
        completion_tokens=sum(r.completion_tokens or 0 for r in rows) + sum(t.completion_tokens or 0 for t in earlier),
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
        retries=reasons,
        limits={name: ledger.setting(name) for name in LIMITS},
        budget_stop=ledger.setting("budget_stop"),
        over_budget=[r.key for r in rows if r.state == OVER_BUDGET],
    )
