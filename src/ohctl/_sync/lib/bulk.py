# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Stopping a conversation, and the bulk actions (stop every running agent, delete old conversations,
prune idle sandboxes): read the server into a ``BulkPlan`` (nothing changed), then execute it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import httpx

from ..._bulk import (
    BulkPlan,
    BulkResult,
    PlannedAction,
    StopResult,
    idle_sandboxes,
    parse_duration,
    select_conversations,
)
from ..._errors import APITimeoutError, InvalidArgumentError, OhctlError
from ..._ids import conversation_id
from ..._wait_logic import ACTIVE_EXECUTION
from ...types.conversations import AppConversation
from ...types.sandboxes import SandboxStatus
from .handoff import agent_from_conversation

if TYPE_CHECKING:
    from ..client import OpenHands

log = logging.getLogger("ohctl.bulk")

# The agent server answers a pause only once the step in flight ends (a long command holds it for
# minutes): stop waits this long for the answer, then reports the pause as under way.
PAUSE_HOLD = 10.0


def stop_conversation(client: OpenHands, conversation: Any, *, sandbox: bool = False) -> StopResult:
    """Pause the agent's run on its agent server (the conversation and sandbox stay: a message or
    ``run`` continues it); with ``sandbox``, then pause the sandbox too."""
    conv = client.conversations.retrieve(conversation)
    cid = str(conv.id)
    agent = agent_from_conversation(client, conv)
    note = None
    agent_paused = pausing = False
    if agent is None:
        note = f"the sandbox is {conv.sandbox_status}: no agent runs"
    elif str(conv.execution_status) not in ACTIVE_EXECUTION:
        # The agent server pauses only a running or idle agent: a finished one has nothing to stop.
        agent.close()
        note = f"the agent is {conv.execution_status}: nothing to pause"
    else:
        try:
            agent.conversations.pause(conv.id, timeout=PAUSE_HOLD)
            agent_paused = True
        except APITimeoutError as exc:
            if not isinstance(exc.__cause__, httpx.ReadTimeout):
                raise  # not sent, or not connected: nothing says the agent server has it
            # Sent and held: the agent server pauses the agent when the step in flight ends.
            pausing = True
            note = "the agent pauses when its step in flight ends (a command or model call still runs)"
        finally:
            agent.close()
    sandbox_paused = False
    if sandbox and conv.sandbox_id and str(conv.sandbox_status) == SandboxStatus.RUNNING.value:
        sandbox_paused = client.sandboxes.pause(conv.sandbox_id)
    elif sandbox and conv.sandbox_id is None:
        note = "the conversation has no sandbox"
    log.debug("stopped %s: agent paused %s, sandbox paused %s", cid, agent_paused, sandbox_paused)
    return StopResult(cid, agent_paused, sandbox_paused, note, pausing=pausing)


def _every_conversation(client: OpenHands, **filters: Any) -> list[AppConversation]:
    return [conv for conv in client.conversations.search(**filters)]


def _title(conv: AppConversation) -> str:
    return (conv.title or "")[:60]


def plan_stop(client: OpenHands, *, sandbox: bool = False) -> BulkPlan:
    """Every conversation whose agent is running now; ``sandbox``: their sandboxes are paused too."""
    picked = select_conversations(_every_conversation(client), now=datetime.now(timezone.utc), running=True)
    action = "stop (and pause the sandbox of)" if sandbox else "stop"
    actions = tuple(PlannedAction(action, "conversation", str(c.id), _title(c), why) for c, why in picked)
    return BulkPlan("stop", actions, sandbox=sandbox)


def plan_delete(
    client: OpenHands,
    *,
    older_than: str | float | timedelta,
    status: str | None = None,
    repo: str | None = None,
    title_contains: str | None = None,
) -> BulkPlan:
    """The conversations not updated for ``older_than`` (``7d``, seconds or a timedelta), narrowed by
    ``status``, ``repo`` and ``title_contains``; a conversation whose agent is running is never
    picked (stop it first)."""
    age = parse_duration(older_than)
    now = datetime.now(timezone.utc)
    # The server narrows by time and title; the repository and status are matched here.
    found = _every_conversation(client, updated_before=now - age, title_contains=title_contains)
    picked = select_conversations(
        found, now=now, older_than=age, status=status, repo=repo, title_contains=title_contains
    )
    actions = tuple(PlannedAction("delete", "conversation", str(c.id), _title(c), why) for c, why in picked)
    return BulkPlan("delete", actions)


def plan_prune(client: OpenHands, *, idle: str | float | timedelta, delete: bool = False) -> BulkPlan:
    """The RUNNING sandboxes where nothing happened for ``idle`` (no agent at work, no conversation
    updated since), to pause; with ``delete``, the PAUSED ones too, to delete (their files are lost)."""
    age = parse_duration(idle)
    statuses = [SandboxStatus.RUNNING.value] + ([SandboxStatus.PAUSED.value] if delete else [])
    sandboxes = [s for s in client.sandboxes.search() if str(s.status) in statuses]
    by_sandbox = {s.id: _every_conversation(client, sandbox_id=s.id) for s in sandboxes}
    picked = idle_sandboxes(sandboxes, by_sandbox, now=datetime.now(timezone.utc), idle=age, statuses=statuses)
    verb = "delete" if delete else "pause"
    actions = tuple(
        PlannedAction(verb, "sandbox", s.id, ", ".join(_title(c) for c in by_sandbox[s.id] if c.title), why)
        for s, why in picked
    )
    return BulkPlan("prune", actions)


def _carry_out(client: OpenHands, plan: BulkPlan, action: PlannedAction) -> bool:
    if action.kind == "conversation" and plan.name == "stop":
        stop_conversation(client, action.id, sandbox=plan.sandbox)
        return True
    if action.kind == "conversation" and action.action == "delete":
        return client.conversations.delete(conversation_id(action.id))
    if action.kind == "sandbox" and action.action == "pause":
        return client.sandboxes.pause(action.id)
    if action.kind == "sandbox" and action.action == "delete":
        return client.sandboxes.delete(action.id)
    raise InvalidArgumentError(f"This plan holds an action ohctl does not know: {action.line()}")


def execute_plan(client: OpenHands, plan: BulkPlan) -> BulkResult:
    """Carry out each action of ``plan`` in turn; one that fails is recorded in ``failed`` (with
    why) and the rest go on."""
    result = BulkResult(plan)
    for action in plan:
        try:
            ok = _carry_out(client, plan, action)
        except OhctlError as exc:
            result.failed[action.id] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            continue
        if ok:
            result.done.append(action.id)
        else:
            result.failed[action.id] = f"the server did not {action.action} {action.kind} {action.id}"
    return result
