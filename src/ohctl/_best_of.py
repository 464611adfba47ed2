"""Best of N, the pure part: the result types, the rule that picks the winner, the text each attempt
is sent, and the comparison table. ``best_of`` (``_async/lib/best_of``) runs the attempts."""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import Field

from ._format import duration
from ._patch import PatchStats
from ._wait_logic import Outcome
from .types.common import OhModel

__all__ = [
    "BestOf",
    "BestOfAttempt",
    "Prefer",
    "attempt_path",
    "attempt_task",
    "choose_winner",
    "ranking_key",
    "table_lines",
]

Prefer = Literal["diff", "cost", "time"]
PREFER: tuple[Prefer, ...] = ("diff", "cost", "time")
MAX_ATTEMPTS = 10
TAIL_LINES = 20
TAIL_CHARS = 2000
ATTEMPT_NOTE = re.compile(r"\(attempt (\d+) of (\d+)\)")


class BestOfAttempt(OhModel):
    """One attempt of ``best_of``. ``outcome``: how its agent's run ended (an ``ohctl.Outcome`` value:
    finished, failed, needs_input, stalled), None when it had not ended by the deadline, or when it
    was stopped early because another attempt won on time. ``error``: why it did not start, or why
    the selection command could not run (such an attempt does not pass). ``select_exit_code``: the selection
    command's exit code in the attempt's sandbox (None: not run), ``select_output`` the last lines of
    its output (standard output, then standard error). ``diff``: the size of its change against the
    commit it started from (None: it could not be read). ``duration``: seconds from its start request
    to the look that saw it end."""

    index: int  # 1 to N
    conversation_id: str | None = None
    start_task_id: str | None = None
    sandbox_id: str | None = None
    outcome: Outcome | None = None
    error: str | None = None
    select_exit_code: int | None = None
    select_output: str = ""
    repository_path: str | None = None  # where in its sandbox its change was read (and the command run)
    diff: PatchStats | None = None
    diff_error: str | None = None  # why the change could not be read (no git repository, say)
    cost: float = 0.0
    duration: float | None = None
    stopped: bool = False  # ohctl paused its agent (or found nothing to pause) once the winner was known
    sandbox_paused: bool = False

    @property
    def finished(self) -> bool:
        return self.outcome == Outcome.FINISHED

    @property
    def passed(self) -> bool:
        """Finished, and the selection command exited 0 (without a command: finished)."""
        return self.finished and self.select_exit_code in (0, None) and self.error is None

    @property
    def diff_size(self) -> float:
        """Lines added plus lines removed; infinite when the change could not be read."""
        return math.inf if self.diff is None else self.diff.additions + self.diff.deletions


class BestOf(OhModel):
    """What ``best_of`` found: every attempt in order, and the winner (None: no attempt passed)."""

    task: str
    select: str | None = None
    prefer: Prefer = "diff"
    attempts: list[BestOfAttempt] = Field(default_factory=list)
    winner_index: int | None = None

    @property
    def winner(self) -> BestOfAttempt | None:
        return next((a for a in self.attempts if a.index == self.winner_index), None)

    @property
    def winner_id(self) -> str | None:
        found = self.winner
        return found.conversation_id if found else None

    def table(self, *, output_lines: int = 3) -> list[str]:
        """The comparison table as lines of text (what ``ohctl run --attempts`` prints)."""
        return table_lines(self, output_lines=output_lines)


def attempt_task(task: str, index: int, attempts: int) -> str:
    """The text attempt ``index`` is sent: the task and ``(attempt I of N)`` (an agent may try a
    different approach; the scripted model picks its commands by it). A best of one is sent as is."""
    return task if attempts == 1 else f"{task}\n\n(attempt {index} of {attempts})"


def attempt_path(path: str | None, index: int) -> str | None:
    """``path`` for attempt ``index``: ``{attempt}`` in it becomes the attempt's number."""
    return path.replace("{attempt}", str(index)) if path else None


def attempt_of(text: str) -> int:
    """The attempt number written by ``attempt_task`` in a task text (1 when there is none)."""
    found = ATTEMPT_NOTE.search(text)
    return int(found.group(1)) if found else 1


def ranking_key(attempt: BestOfAttempt, prefer: Prefer) -> tuple[float, ...]:
    """Lower is better. ``diff``: the smallest change (lines added plus removed), then the lowest
    cost, then the shortest duration; ``cost``: cost, change, duration; ``time``: duration, change,
    cost. The attempt number breaks the last tie (the earlier wins)."""
    size = attempt.diff_size
    spent = attempt.cost
    took = math.inf if attempt.duration is None else attempt.duration
    order = {"diff": (size, spent, took), "cost": (spent, size, took), "time": (took, size, spent)}[prefer]
    return (*order, float(attempt.index))


def choose_winner(attempts: list[BestOfAttempt], prefer: Prefer = "diff") -> BestOfAttempt | None:
    """The passing attempt (finished, selection command exited 0) ranked first by ``ranking_key``;
    None when none passed. An attempt that did not finish never wins."""
    passing = [a for a in attempts if a.passed]
    return min(passing, key=lambda a: ranking_key(a, prefer)) if passing else None


def tail(text: str, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    """The last ``lines`` lines of ``text``, at most ``chars`` characters."""
    kept = "\n".join(text.rstrip().splitlines()[-lines:])
    return kept[-chars:]


def _outcome(attempt: BestOfAttempt) -> str:
    if attempt.outcome is not None:
        return str(attempt.outcome)
    if attempt.conversation_id is None:
        return "not started"
    return "stopped" if attempt.stopped else "running"


def table_lines(result: BestOf, *, output_lines: int = 3) -> list[str]:
    """The comparison table: one row per attempt (the winner marked ``*``), then the last lines of
    each selection command's output."""
    rows = [("", "#", "CONVERSATION", "OUTCOME", "SELECT", "DIFF", "COST", "TIME")]
    for a in result.attempts:
        code = "" if a.select_exit_code is None else f"exit {a.select_exit_code}"
        diff = "" if a.diff is None else f"{a.diff.files}f +{a.diff.additions} -{a.diff.deletions}"
        rows.append(
            (
                "*" if a.index == result.winner_index else "",
                str(a.index),
                a.conversation_id or "-",
                _outcome(a),
                code,
                diff,
                f"${a.cost:.4f}",
                duration(a.duration),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    for a in result.attempts:
        said = "\n".join(x for x in (a.error, a.diff_error, tail(a.select_output, output_lines)) if x)
        if said:
            lines.append(f"attempt {a.index}:")
            lines.extend(f"  {line}" for line in said.splitlines())
    return lines
