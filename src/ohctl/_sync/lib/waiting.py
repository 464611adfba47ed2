# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Waiting for start tasks and conversations, written once (the sync twin is generated)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ..._budget import Budget
from ..._deadline import deadline
from ..._errors import (
    ConversationFailedError,
    NeedsInputError,
    OhctlError,
    OverBudgetError,
    StalledError,
    StartTaskFailedError,
    WaitTimeoutError,
)
from ..._ids import ConversationId, StartTaskId
from ..._start_failure import describe_start_failure
from ..._wait_logic import (
    FreshRun,
    Outage,
    Outcome,
    Poll,
    StallClock,
    UnknownIds,
    WaitResult,
    as_utc,
    classify,
    describe,
    request_deadline,
)
from ...types.conversations import AppConversation, StartTask
from ...types.events import Event
from .._pagination import Pager
from ..agent.client import AgentServer
from ..agent.stream import StatusWatch
from .handoff import agent_from_conversation

if TYPE_CHECKING:
    from ..client import OpenHands

log = logging.getLogger("ohctl.wait")


def wait_start_task(
    client: OpenHands, task_id: StartTaskId, *, timeout: float | None, poll_interval: float = 1.0
) -> StartTask:
    """Follow a start task to READY. Transient failures (no connection, 5xx, rate limits) are ridden
    through until the deadline; the deadline holds even while a request hangs."""
    poll = Poll(timeout, initial=poll_interval, maximum=5.0)
    outage = Outage(f"start task {task_id}")
    last: StartTask | None = None
    with deadline(request_deadline(timeout)):
        while True:
            try:
                [task] = client.start_tasks.get([task_id])
            except OhctlError as exc:
                if not outage.absorb(exc):
                    raise
                if poll.expired():
                    raise _timed_out(f"Start task {task_id} not ready after {poll.elapsed:.0f}s", last, outage) from exc
                client._http.sleep(poll.clamp(outage.delay()))
                continue
            outage.clear()
            if task is None:
                raise WaitTimeoutError(f"Start task {task_id} is unknown to the server", last=None)
            if task.status != (last.status if last else None):
                log.debug("start task %s: %s", task_id, task.status)
            last = task
            if task.is_ready:
                return task
            if task.is_error:
                failure = describe_start_failure(task, client.base_url)
                raise StartTaskFailedError(failure.text(lead="Conversation start failed"), task=task, failure=failure)
            if poll.expired():
                raise _timed_out(f"Start task {task_id} not ready after {poll.elapsed:.0f}s", task, outage)
            client._http.sleep(poll.next_delay())


def _timed_out(message: str, last: StartTask | None, outage: Outage) -> WaitTimeoutError:
    state = f"last status {last.status}" if last is not None else "no status seen"
    problem = outage.describe()
    return WaitTimeoutError(f"{message} ({state}{'; ' + problem if problem else ''})", last=last)


def poll_conversations(
    client: OpenHands,
    ids: Iterable[ConversationId],
    stall: StallClock | None = None,
    budget: Budget | None = None,
) -> dict[ConversationId, WaitResult]:
    """One look at each conversation (one batch call per 99 ids), classified; never waits or raises
    per conversation: ``outcome`` is None while a conversation is still going (or unknown). With
    ``budget``, one still going whose metrics reached a limit is OVER_BUDGET (read from the same
    answer; nothing is paused here: ``pause_over_budget`` does that). With ``stall``, a running
    conversation silent for ``stall.after`` seconds is STALLED (one more call per conversation
    whose ``updated_at`` is that old)."""
    wanted = list(dict.fromkeys(ids))
    found = client.conversations.get(wanted)
    results = {cid: WaitResult(cid, classify(conv), conv) for cid, conv in zip(wanted, found, strict=True)}
    if budget is not None:
        for cid, result in results.items():
            hit = budget.check(result.conversation) if result.outcome is None else None
            if hit is not None:
                results[cid] = WaitResult(cid, Outcome.OVER_BUDGET, result.conversation, budget=hit)
    if stall is not None:
        now = datetime.now(timezone.utc)
        for cid, result in results.items():
            conv = result.conversation
            if result.outcome is None and conv is not None and stall.candidate(conv, now):
                cutoff = now - timedelta(seconds=stall.after)
                try:
                    last_at, kind = newest_activity(client, conv, name_before=cutoff)
                except OhctlError as exc:  # no verdict this time: a failed look is not a stall
                    log.debug("conversation %s: could not read its newest event (%s)", cid, exc)
                    continue
                verdict = stall.judge(conv, last_at, kind, datetime.now(timezone.utc))
                if verdict is not None:
                    log.info("conversation %s stalled: %s", cid, verdict.describe())
                    results[cid] = WaitResult(cid, Outcome.STALLED, conv, stall=verdict)
    return results


def pause_over_budget(client: OpenHands, results: dict[ConversationId, WaitResult]) -> None:
    """Pause the agent of every result that is OVER_BUDGET and not paused yet (``conversations.stop``:
    the conversation and its sandbox stay), and note it in the result's ``budget``."""
    for cid, result in results.items():
        hit = result.budget
        if result.outcome != Outcome.OVER_BUDGET or hit is None or hit.paused or hit.problem:
            continue
        try:
            stopped = client.conversations.stop(cid)
        except OhctlError as exc:
            log.warning("conversation %s is over budget (%s) but could not be paused: %s", cid, hit.describe(), exc)
            result.budget = replace(hit, problem=str(exc)[:300])
            continue
        log.info("conversation %s: %s; paused (%s)", cid, hit.describe(), stopped.note or "agent paused")
        result.budget = replace(hit, paused=True, pausing=stopped.pausing)


def newest_activity(
    client: OpenHands, conv: AppConversation, *, name_before: datetime | None = None
) -> tuple[datetime | None, str | None]:
    """When the conversation last produced an event, and that event's kind (state updates, which the
    server sends for statistics and status, are not the agent's activity and are passed over).

    The agent server knows it first-hand: its conversation's ``updated_at`` (UTC) moves with every
    event but state updates, and its newest events name the kind (that second call only when the
    time is before ``name_before``, if given). Without a usable agent server, the app server's
    stored events answer (they trail the agent by up to 30 s, and their naive times are read as UTC)."""
    try:
        agent = agent_from_conversation(client, conv)
    except OhctlError as exc:
        log.debug("conversation %s: no agent server to ask (%s); reading stored events", conv.id, exc)
        agent = None
    if agent is not None:
        try:
            [info] = agent.conversations.get([conv.id])
            at = as_utc(info.updated_at) if info is not None else None
            if at is not None and name_before is not None and at >= name_before:
                return at, None
            if at is not None:
                event = _newest(agent.events.search(conv.id, sort_order="TIMESTAMP_DESC", limit=5))
                return at, _kind(event) if event is not None else None
        except OhctlError as exc:
            log.debug("conversation %s: the agent server did not answer (%s); reading stored events", conv.id, exc)
        finally:
            agent.close()
    event = _newest(client.events.search(conv.id, sort_order="TIMESTAMP_DESC", limit=5))
    return (as_utc(event.timestamp), _kind(event)) if event is not None else (None, None)


def _newest(events: Pager[Event]) -> Event | None:
    """The first event that is not a state update (else the first one)."""
    first = None
    for event in events:
        if event.kind.rsplit(".", 1)[-1] != "ConversationStateUpdateEvent":
            return event
        first = first or event
    return first


def _kind(event: Event) -> str:
    kind = event.kind.rsplit(".", 1)[-1]
    tool = getattr(event, "tool_name", None)
    return f"{kind} ({tool})" if isinstance(tool, str) and tool else kind


def wait_conversations(
    client: OpenHands,
    ids: Iterable[ConversationId],
    *,
    timeout: float | None,
    poll_interval: float = 1.0,
    max_interval: float = 10.0,
    fresh_grace: float | None = None,
    live: bool = False,
    stall_after: float | None = None,
    budget: Budget | None = None,
) -> dict[ConversationId, WaitResult]:
    """Poll every conversation with batch gets (one call per 99 ids) until each reaches an outcome.

    ``live`` (one conversation): between polls, listen on the agent server's socket so that a status
    change wakes the wait at once instead of at the next poll. ``stall_after``: a running
    conversation without an event for this many seconds ends as STALLED (None: never). ``budget``:
    one whose metrics reach a limit is paused and ends as OVER_BUDGET."""
    pending = list(dict.fromkeys(ids))
    stall = StallClock(stall_after) if stall_after is not None else None
    results: dict[ConversationId, WaitResult] = {}
    fresh = {cid: FreshRun(fresh_grace) for cid in pending} if fresh_grace else {}
    poll = Poll(timeout, initial=poll_interval, maximum=max_interval)
    outage = Outage(f"{len(pending)} conversation(s)")
    unknown = UnknownIds()
    watch = _LiveWatch(client) if live and len(pending) == 1 else None
    try:
        with deadline(request_deadline(timeout)):
            while True:
                try:
                    polled = poll_conversations(client, pending, stall, budget)
                except OhctlError as exc:
                    if not outage.absorb(exc):
                        raise
                    if poll.expired():
                        problem = outage.describe()
                        for cid in pending:
                            last = results.get(cid)
                            results[cid] = WaitResult(cid, None, last.conversation if last else None, problem)
                        return results
                    client._http.sleep(poll.clamp(outage.delay()))
                    continue
                outage.clear()
                for cid, result in polled.items():
                    if unknown.settled(cid, result.conversation is not None):
                        client.conversations.retrieve(cid)  # ResourceNotFoundError, unless it just appeared
                still: list[ConversationId] = []
                for cid, result in polled.items():
                    # Every look goes to FreshRun, not only terminal ones: a poll that sees the agent
                    # running is what lets the next ``finished`` count before the grace has passed.
                    accepted = fresh[cid].accept(result.conversation) if cid in fresh else True
                    # A limit reached counts whichever run spent it; a terminal status may be the last run's.
                    if result.outcome not in (None, Outcome.OVER_BUDGET) and not accepted:
                        result = WaitResult(cid, None, result.conversation)
                    results[cid] = result
                    if result.outcome is None:
                        still.append(cid)
                pause_over_budget(client, results)
                found = [polled[cid].conversation for cid in pending]
                pending = still
                if not pending or poll.expired():
                    return results
                if watch is not None:
                    watch.pause(found[0], poll.next_delay())
                    if watch.saw_active and pending[0] in fresh:
                        fresh[pending[0]].seen_active = True
                else:
                    client._http.sleep(poll.next_delay())
    finally:
        if watch is not None:
            watch.close()


class _LiveWatch:
    """The status socket of the one conversation being waited on, opened once its sandbox runs."""

    def __init__(self, client: OpenHands) -> None:
        self._client = client
        self._agent: AgentServer | None = None
        self._watch: StatusWatch | None = None
        self._given_up = False

    @property
    def saw_active(self) -> bool:
        return self._watch is not None and self._watch.saw_active

    def pause(self, conversation: AppConversation | None, delay: float) -> None:
        """Sleep ``delay`` seconds, or less when the live status changes. The socket only speeds the
        wait up: if it cannot be used (a refused session key, an agent URL this client may not
        use), the wait goes on by polling alone, and says so once."""
        if self._watch is None and conversation is not None and not self._given_up:
            try:
                self._agent = agent_from_conversation(self._client, conversation)
            except OhctlError as exc:
                self._give_up(exc)
            if self._agent is not None:
                self._watch = StatusWatch(self._agent, str(conversation.id))
        if self._watch is None:
            self._client._http.sleep(delay)
            return
        try:
            self._watch.wait_change(delay)
        except OhctlError as exc:
            self._give_up(exc)
            self.close()

    def _give_up(self, exc: OhctlError) -> None:
        if not self._given_up:
            log.info("live status unavailable (%s); waiting by polling the app server", str(exc)[:300])
        self._given_up = True

    def close(self) -> None:
        watch, agent = self._watch, self._agent
        self._watch = self._agent = None
        if watch is not None:
            watch.close()
        if agent is not None:
            agent.close()


def raise_for_outcome(result: WaitResult, timeout: float | None) -> AppConversation:
    conversation = result.conversation
    if result.outcome == Outcome.FINISHED and conversation is not None:
        return conversation
    state = describe(conversation)
    cid = result.conversation_id
    if result.outcome == Outcome.FAILED:
        raise ConversationFailedError(f"Conversation {cid} failed ({state})", conversation=conversation)
    if result.outcome == Outcome.NEEDS_INPUT:
        raise NeedsInputError(
            f"Conversation {cid} waits for confirmation of a pending action ({state})", conversation=conversation
        )
    if result.outcome == Outcome.STALLED:
        silence = result.stall.describe() if result.stall is not None else "running with no event"
        raise StalledError(
            f"Conversation {cid} stalled: {silence}; stop it (`ohctl stop {cid}`) or wait longer (stall_after)",
            conversation=conversation,
            stall=result.stall,
        )
    if result.outcome == Outcome.OVER_BUDGET:
        spent = result.budget.describe() if result.budget is not None else "a spending limit was reached"
        raise OverBudgetError(
            f"Conversation {cid} is over budget: {spent}; nothing was deleted "
            f"(see it with `ohctl show {cid}`; a message continues it)",
            conversation=conversation,
            budget=result.budget,
        )
    problem = f"; {result.problem}" if result.problem else ""
    raise WaitTimeoutError(
        f"Conversation {cid} did not finish within {timeout}s (last seen: {state}{problem})", last=conversation
    )
