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
from ..agent.client import AsyncAgentServer
from .handoff import agent_from_conversation, ensure_conversation_running, ensure_fetched_running

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

log = logging.getLogger("ohctl.agent")
WAITING = ExecutionStatus.WAITING_FOR_CONFIRMATION.value


def _waiting(conv: AppConversation) -> bool:
    return str(conv.execution_status) == WAITING


async def _from_agent(agent: AsyncAgentServer, cid: str) -> list[PendingAction]:
    events = agent.events.search(cid, sort_order="TIMESTAMP_DESC", limit=PENDING_SCAN)
    return pending_actions([event async for event in events])


async def list_pending(client: AsyncOpenHands, conversation: Any) -> list[PendingAction]:
    """What waits for confirmation, oldest first; [] when the agent is not waiting. Read from the
    agent server while the sandbox runs, else from the events the app server stored (no resume)."""
    conv = await client.conversations.retrieve(conversation)
    if not _waiting(conv):
        return []
    agent = agent_from_conversation(client, conv)
    if agent is None:
        events = client.events.search(conv.id, sort_order="TIMESTAMP_DESC", limit=PENDING_SCAN)
        return pending_actions([event async for event in events])
    try:
        return await _from_agent(agent, conv.id)
    finally:
        await agent.close()


async def answer_pending(
    client: AsyncOpenHands,
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
    conv = await client.conversations.retrieve(conversation)
    if not _waiting(conv):
        raise NothingPendingError(
            f"Conversation {conv.id} is not waiting for confirmation (agent {conv.execution_status or 'unknown'}, "
            f"sandbox {conv.sandbox_status}): there is nothing to {'approve' if accept else 'reject'}",
            conversation=conv,
        )
    agent = await ensure_fetched_running(client, conv, timeout=timeout)
    try:
        actions = await _from_agent(agent, conv.id)
        if accept:
            await agent.conversations.approve(conv.id)
        else:
            await agent.conversations.reject(conv.id, reason=reason or "Rejected through ohctl")
            if run:
                await agent.conversations.run(conv.id)
    finally:
        await agent.close()
    log.debug("%s %d pending action(s) of %s", "approved" if accept else "rejected", len(actions), conv.id)
    return actions


async def set_policy(
    client: AsyncOpenHands, conversation: Any, policy: str | dict[str, Any], *, timeout: float | None = 180.0
) -> None:
    """Set the confirmation policy of the conversation's agent (``always``, ``risky``, ``never``).
    ``always`` and ``risky`` also turn on the LLM risk analyzer, which keeps the agent's own risk
    rating of each action: with ``risky`` it decides (HIGH asks; LOW and MEDIUM run), with
    ``always`` it is shown with the pending action."""
    kind = policy_kind(policy)
    agent = await ensure_conversation_running(client, conversation, timeout=timeout)
    cid = conversation_id(conversation)
    try:
        if kind in ("AlwaysConfirm", "ConfirmRisky"):
            await agent.conversations.set_security_analyzer(RISK_ANALYZER, cid)
        await agent.conversations.set_confirmation_policy(kind, cid)
    finally:
        await agent.close()
