# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Answering the agent: the actions that wait for confirmation, approving or rejecting them, and the
confirmation policy of a running conversation (all through the conversation's agent server)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..._errors import NothingPendingError
from ..._ids import conversation_id
from ..._pending import PENDING_SCAN, RISK_ANALYZER, pending_actions, policy_kind
from ...types.conversations import AppConversation, ExecutionStatus
from ...types.pending import PendingAction
from ..agent.client import AgentServer
from .handoff import agent_from_conversation, ensure_conversation_running, ensure_fetched_running

if TYPE_CHECKING:
    from ..client import OpenHands

log = logging.getLogger("ohctl.agent")
WAITING = ExecutionStatus.WAITING_FOR_CONFIRMATION.value


def _waiting(conv: AppConversation) -> bool:
    return str(conv.execution_status) == WAITING


def _from_agent(agent: AgentServer, cid: str) -> list[PendingAction]:
    events = agent.events.search(cid, sort_order="TIMESTAMP_DESC", limit=PENDING_SCAN)
    return pending_actions([event for event in events])


def list_pending(client: OpenHands, conversation: Any) -> list[PendingAction]:
    """What waits for confirmation, oldest first; [] when the agent is not waiting. Read from the
    agent server while the sandbox runs, else from the events the app server stored (no resume)."""
    conv = client.conversations.retrieve(conversation)
    if not _waiting(conv):
        return []
    agent = agent_from_conversation(client, conv)
    if agent is None:
        events = client.events.search(conv.id, sort_order="TIMESTAMP_DESC", limit=PENDING_SCAN)
        return pending_actions([event for event in events])
    try:
        return _from_agent(agent, conv.id)
    finally:
        agent.close()


def answer_pending(
    client: OpenHands,
    conversation: Any,
    *,
    accept: bool,
    reason: str | None = None,
    run: bool = True,
    timeout: float | None = 180.0,
) -> list[PendingAction]:
    """Approve (the agent runs the actions and goes on) or reject (each action is answered with
    ``reason``; with ``run`` the agent then goes on and decides what to do instead). Returns the
    actions answered. A paused sandbox is resumed first."""
    conv = client.conversations.retrieve(conversation)
    if not _waiting(conv):
        raise NothingPendingError(
            f"Conversation {conv.id} is not waiting for confirmation (agent {conv.execution_status or 'unknown'}, "
            f"sandbox {conv.sandbox_status}): there is nothing to {'approve' if accept else 'reject'}",
            conversation=conv,
        )
    agent = ensure_fetched_running(client, conv, timeout=timeout)
    try:
        actions = _from_agent(agent, conv.id)
        if accept:
            agent.conversations.approve(conv.id)
        else:
            agent.conversations.reject(conv.id, reason=reason or "Rejected through ohctl")
            if run:
                agent.conversations.run(conv.id)
    finally:
        agent.close()
    log.debug("%s %d pending action(s) of %s", "approved" if accept else "rejected", len(actions), conv.id)
    return actions


def set_policy(
    client: OpenHands, conversation: Any, policy: str | dict[str, Any], *, timeout: float | None = 180.0
) -> None:
    """Set the confirmation policy of the conversation's agent (``always``, ``risky``, ``never``).
    ``always`` and ``risky`` also turn on the LLM risk analyzer, which keeps the agent's own risk
    rating of each action: with ``risky`` it decides (HIGH asks; LOW and MEDIUM run), with
    ``always`` it is shown with the pending action."""
    kind = policy_kind(policy)
    agent = ensure_conversation_running(client, conversation, timeout=timeout)
    cid = conversation_id(conversation)
    try:
        if kind in ("AlwaysConfirm", "ConfirmRisky"):
            agent.conversations.set_security_analyzer(RISK_ANALYZER, cid)
        agent.conversations.set_confirmation_policy(kind, cid)
    finally:
        agent.close()
