# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Best of N: start N attempts at one task together, look at each as it ends (its change, then the
selection command in its sandbox), pick the winner (``ohctl._best_of.choose_winner``), and stop the
others. Starts that the server's concurrency limit refuses wait until an attempt ends."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..._backend import sync_gather_parts
from ..._best_of import (
    MAX_ATTEMPTS,
    PREFER,
    BestOf,
    BestOfAttempt,
    Prefer,
    attempt_path,
    attempt_task,
    choose_winner,
    tail,
)
from ..._errors import (
    APIConnectionError,
    APIStatusError,
    ConcurrencyLimitError,
    InvalidArgumentError,
    OhctlError,
    UnexpectedResponseError,
)
from ..._ids import ConversationId, StartTaskId
from ..._redact import redact_text
from ..._start_failure import describe_start_failure
from ..._wait_logic import STALL_AFTER, Outcome, Poll, StallClock, WaitResult, is_transient
from .bulk import stop_conversation
from .handoff import ensure_fetched_running
from .patch import conversation_patch
from .waiting import poll_conversations
from .workspace_diff import repository_root

if TYPE_CHECKING:
    from ...types.conversations import AppConversation
    from ..client import OpenHands

log = logging.getLogger("ohctl.best_of")

SELECT_TIMEOUT = 600
POLL_MAX = 2.0  # seconds between looks at most
REFUSED_PAUSE = 5.0  # seconds before starting again when the server refused a start and nothing runs
LATE_START_WAIT = 120.0  # seconds to follow a start still in flight at the end, to stop its conversation


@dataclass
class _Running:
    attempt: BestOfAttempt
    began: float  # monotonic time of its start request


def best_of(
    client: OpenHands,
    task: str,
    *,
    attempts: int = 3,
    select: str | None = None,
    prefer: Prefer = "diff",
    keep: bool = False,
    repository: str | None = None,
    branch: str | None = None,
    git_provider: str | None = None,
    sandbox_id: str | None = None,
    path: str | None = None,
    llm_model: str | None = None,
    title: str | None = None,
    timeout: float | None = 3600.0,
    stall_after: float | None = STALL_AFTER,
    select_timeout: int = SELECT_TIMEOUT,
    on_update: Callable[[BestOfAttempt, str], None] | None = None,
) -> BestOf:
    """Run ``task`` ``attempts`` times at once on the same repository and branch, and pick the best.

    Each attempt is a conversation of its own, sent the task followed by ``(attempt I of N)``; they
    are started together (a start the server refuses for its concurrency limit waits until another
    attempt ends). As each one ends, ohctl reads its change (as ``conversations.patch`` does, with
    ``path``), then runs ``select`` (say ``pytest -q``) in its sandbox, in the repository's directory.
    Attempts that share a sandbox (``sandbox_id``) share its files too: have each work in a directory
    of its own and put ``{attempt}`` in ``path`` (it becomes the attempt's number).
    The winner is the passing attempt (its agent finished and ``select`` exited 0; without ``select``
    every finished attempt passes) that ranks first by ``prefer``: ``diff`` (default) the smallest
    change in lines added plus removed, then the lowest cost, then the shortest time; ``cost``: cost,
    change, time; ``time``: time, change, cost (the first passing attempt wins, so the others are not
    waited for). An attempt that did not finish by the deadline (``timeout`` seconds for all of it)
    or stalled (``stall_after``) never wins.

    Then every other attempt is stopped (its agent paused if it still runs) and, unless ``keep``, its
    sandbox paused; a sandbox the winner uses, or ``sandbox_id`` given here, is never paused.
    ``on_update(attempt, what)`` is called as each attempt starts and ends. Returns ``BestOf``: every
    attempt (conversation, outcome, the selection command's exit code and the tail of its output,
    diff stat, cost, duration) and the winner, or None: no attempt passed."""
    if not 1 <= attempts <= MAX_ATTEMPTS:
        raise InvalidArgumentError(f"attempts must be 1 to {MAX_ATTEMPTS}, not {attempts}")
    if prefer not in PREFER:
        raise InvalidArgumentError(f"prefer must be one of {', '.join(PREFER)}, not {prefer!r}")
    if select is not None and not select.strip():
        raise InvalidArgumentError("select is empty: give the command that tells a good attempt (say 'pytest -q')")
    result = BestOf(
        task=task, select=select, prefer=prefer, attempts=[BestOfAttempt(index=i + 1) for i in range(attempts)]
    )
    run = _Run(client, result, select, path, select_timeout, on_update)
    fields: dict[str, Any] = {
        "repository": repository,
        "branch": branch,
        "git_provider": git_provider if repository else None,
        "sandbox_id": sandbox_id,
        "llm_model": llm_model,
    }
    # One batched look per round covers every attempt: looking often keeps the wait for the last one short.
    poll = Poll(timeout, initial=0.5, maximum=POLL_MAX)
    stall = StallClock(stall_after) if stall_after is not None else None
    waiting = list(result.attempts)  # not started yet
    starting: dict[StartTaskId, _Running] = {}
    running: dict[ConversationId, _Running] = {}
    while True:
        changed = False
        refused = False
        while waiting and not refused:
            attempt = waiting[0]
            began = time.monotonic()
            try:
                started = client.conversations.start(attempt_task(task, attempt.index, attempts), wait=None, **fields)
            except ConcurrencyLimitError as exc:
                refused = True  # it never started: it is sent again once an attempt ends
                log.info("attempt %d waits: the server's concurrency limit (%s)", attempt.index, exc)
                continue
            except (APIConnectionError, UnexpectedResponseError) as exc:
                # It may have reached the server: a start is never sent twice.
                attempt.error = f"the start may or may not have reached the server: {exc}"
            except (APIStatusError, InvalidArgumentError) as exc:
                attempt.error = f"the server refused the start: {exc}"
            else:
                attempt.start_task_id = str(started.id)
                starting[started.id] = _Running(attempt, began)
                run.tell(attempt, "started")
            waiting.pop(0)
            changed = True
            if attempt.error:
                attempt.outcome = Outcome.FAILED
                run.tell(attempt, attempt.error)
        try:
            changed = run.look(starting, running, stall, attempts, title) or changed
        except OhctlError as exc:
            if not is_transient(exc) or poll.expired():
                raise
            log.info("best of %d: a look failed (%s); trying again", attempts, exc)
        if prefer == "time" and any(a.passed for a in result.attempts):
            break  # every attempt still going would take longer
        if not (waiting or starting or running) or poll.expired():
            break
        if changed:
            poll.reset()
        client._http.sleep(REFUSED_PAUSE if refused and not (starting or running) else poll.next_delay())
    for entry in [*starting.values(), *running.values()]:
        entry.attempt.duration = time.monotonic() - entry.began
    # A start still in flight becomes a conversation that runs on, unattended, unless it is stopped
    # too: follow it to its conversation first (bounded), so that the losers' stop reaches it.
    run.settle_starts(starting, LATE_START_WAIT)
    winner = choose_winner(result.attempts, prefer)
    result.winner_index = winner.index if winner else None
    run.stop_others(winner, keep=keep, given_sandbox=sandbox_id)
    return result


class _Run:
    """What ``best_of`` does with each attempt once it ends, and with the losers at the end."""

    def __init__(
        self,
        client: OpenHands,
        result: BestOf,
        select: str | None,
        path: str | None,
        select_timeout: int,
        on_update: Callable[[BestOfAttempt, str], None] | None,
    ) -> None:
        self.client, self.result, self.select, self.path = client, result, select, path
        self.select_timeout, self.on_update = select_timeout, on_update

    def tell(self, attempt: BestOfAttempt, what: str) -> None:
        log.info("attempt %d (%s): %s", attempt.index, attempt.conversation_id or "not started", what)
        if self.on_update is not None:
            self.on_update(attempt, what)

    def look(
        self,
        starting: dict[StartTaskId, _Running],
        running: dict[ConversationId, _Running],
        stall: StallClock | None,
        attempts: int,
        title: str | None,
    ) -> bool:
        """One look at the starts and the conversations; each attempt that ended is concluded.
        Whether anything changed."""
        changed = False
        if starting:
            ids = list(starting)
            for tid, found in zip(ids, self.client.start_tasks.get(ids), strict=True):
                if found is None or not found.is_terminal:
                    continue
                entry = starting.pop(tid)
                changed = True
                if found.is_ready and found.app_conversation_id is not None:
                    entry.attempt.conversation_id = str(found.app_conversation_id)
                    entry.attempt.sandbox_id = found.sandbox_id
                    running[found.app_conversation_id] = entry
                    if title:
                        self.client.conversations.update(
                            found.app_conversation_id, title=f"{title} (attempt {entry.attempt.index} of {attempts})"
                        )
                    self.tell(entry.attempt, "ready")
                else:
                    entry.attempt.outcome = Outcome.FAILED
                    entry.attempt.error = describe_start_failure(found).text(lead="it did not start")
                    entry.attempt.duration = time.monotonic() - entry.began
                    self.tell(entry.attempt, entry.attempt.error)
        ended: list[tuple[_Running, WaitResult]] = []
        if running:
            for cid, seen in (poll_conversations(self.client, list(running), stall)).items():
                if seen.outcome is not None:
                    ended.append((running.pop(cid), seen))
        if ended:
            changed = True
            sync_gather_parts(ended, self.conclude)
        return changed

    def conclude(self, ended: tuple[_Running, WaitResult]) -> list[None]:
        """An attempt that ended: its outcome, cost and time; when it finished, its change, then the
        selection command (after the change is read: what the command leaves behind, a cache or a
        report, is not the agent's change)."""
        entry, seen = ended
        attempt = entry.attempt
        attempt.outcome = seen.outcome
        attempt.duration = time.monotonic() - entry.began
        conv = seen.conversation
        if conv is not None:
            attempt.cost = conv.cost
            attempt.sandbox_id = conv.sandbox_id or attempt.sandbox_id
        if seen.outcome != Outcome.FINISHED or conv is None:
            self.tell(attempt, f"ended: {seen.outcome}")
            return []
        try:
            patch = conversation_patch(self.client, conv.id, path=attempt_path(self.path, attempt.index))
            attempt.diff, attempt.repository_path = patch.stats, patch.repository_path
        except OhctlError as exc:
            attempt.diff_error = f"its change could not be read: {str(exc).splitlines()[0] if str(exc) else exc}"
        if self.select is not None:
            self._select(attempt, conv)
        verdict = "passed" if attempt.passed else "did not pass"
        self.tell(attempt, f"finished; {verdict}")
        return []

    def _select(self, attempt: BestOfAttempt, conv: AppConversation) -> None:
        assert self.select is not None
        try:
            agent = ensure_fetched_running(self.client, conv)
            try:
                where = attempt.repository_path
                if where is None:
                    try:
                        path = attempt_path(self.path, attempt.index)
                        where = repository_root(agent, conv.id, conv.selected_repository, path)
                    except OhctlError:
                        where = agent.conversations.working_directory(conv.id)
                done = agent.bash.execute(self.select, cwd=where, timeout=self.select_timeout)
            finally:
                agent.close()
        except OhctlError as exc:
            attempt.error = f"the selection command could not run: {str(exc).splitlines()[0] if str(exc) else exc}"
            return
        attempt.select_exit_code = done.exit_code
        # Kept and printed: whatever the command printed, with anything that looks like a key masked.
        attempt.select_output = redact_text(
            tail("\n".join(part for part in (done.stdout, done.stderr) if part.strip()))
        )
        if done.exit_code is None:
            attempt.error = f"the selection command did not end within {self.select_timeout}s"

    def settle_starts(self, starting: dict[StartTaskId, _Running], timeout: float) -> None:
        """Follow the starts still in flight to their conversations (up to ``timeout`` seconds), so
        that ``stop_others`` can stop them; one that never becomes a conversation is left as it is."""
        if not starting:
            return
        poll = Poll(timeout, initial=1.0, maximum=5.0)
        while starting and not poll.expired():
            ids = list(starting)
            try:
                found = self.client.start_tasks.get(ids)
            except OhctlError as exc:
                if not is_transient(exc):
                    raise
                found = [None] * len(ids)
            for tid, task in zip(ids, found, strict=True):
                if task is None or not task.is_terminal:
                    continue
                entry = starting.pop(tid)
                if task.is_ready and task.app_conversation_id is not None:
                    entry.attempt.conversation_id = str(task.app_conversation_id)
                    entry.attempt.sandbox_id = task.sandbox_id
            if starting:
                self.client._http.sleep(poll.next_delay())
        for entry in starting.values():
            log.warning(
                "attempt %d: its start did not end in %.0fs; it may still become a conversation",
                entry.attempt.index,
                timeout,
            )

    def stop_others(self, winner: BestOfAttempt | None, *, keep: bool, given_sandbox: str | None) -> None:
        """Stop every attempt but the winner; unless ``keep``, pause its sandbox (never the winner's,
        nor one the caller gave)."""
        spared = {given_sandbox} | ({winner.sandbox_id} if winner else set())

        def stop(attempt: BestOfAttempt) -> list[None]:
            assert attempt.conversation_id is not None
            pause = not keep and attempt.sandbox_id is not None and attempt.sandbox_id not in spared
            try:
                stopped = stop_conversation(self.client, attempt.conversation_id, sandbox=pause)
            except OhctlError as exc:
                log.warning("attempt %d: could not stop %s: %s", attempt.index, attempt.conversation_id, exc)
                return []
            attempt.stopped = True
            attempt.sandbox_paused = stopped.sandbox_paused
            return []

        others = [a for a in self.result.attempts if a is not winner and a.conversation_id is not None]
        sync_gather_parts(others, stop)
