"""The runner's vocabulary: a task it is following, the events it reports, the pause it ends on."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._errors import OhctlError
from .._wait_logic import FreshRun
from .ledger import TaskRow
from .results import TaskResult

if TYPE_CHECKING:
    from ..types.conversations import AppConversation


class BatchPausedError(OhctlError):
    """The batch stopped starting tasks (the daily sandbox limit, or its total ``max_cost`` reached);
    resume it later (with a higher ``max_cost``)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{message}. The batch is paused; resume it later with `ohctl batch resume {path}`")
        self.path = path


@dataclass(frozen=True)
class BatchEvent:
    """What the runner tells ``on_event``: ``kind`` is starting, running, ended, requeued,
    concurrency, paused, reconciled, poll_error, title_failed, cancelled, stalled (the agent runs
    without an event; the batch waits on), retry (a task that failed for an infrastructure reason,
    or stalled with on_stall="retry", sent to start afresh in a new conversation), stop_failed (a
    stalled or over-budget agent could not be stopped) or budget (the batch's total cost reached its
    ``max_cost``: no more tasks start, the running ones are paused)."""

    kind: str
    key: str | None
    message: str
    counts: dict[str, int]
    cost: float
    result: TaskResult | None = None


@dataclass
class ActiveTask:
    row: TaskRow
    start_task_id: str | None = None
    ready: bool = False
    started: float = 0.0
    last: AppConversation | None = None
    status: str | None = None  # the start task's status, and since when (monotonic)
    status_since: float = field(default_factory=time.monotonic)
    suspect_since: float | None = None  # when the sandbox alone first said the task failed
    stall_noted: bool = False  # its stall is in the ledger (a batch that waits on a stalled agent)
    fresh: FreshRun | None = None  # after a structured-output follow-up: the previous run's end is not this one's
    final_id: str | None = None  # the event id of the final message last checked against the schema
    followed_up: float = 0.0  # when that follow-up was sent (monotonic)

    @property
    def key(self) -> str:
        return self.row.key
