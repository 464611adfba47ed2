"""A conversation at a glance: its state from the batch get, plus the event count and the first user
and last agent messages (a few requests, each one page at most). The events are read from the agent
server while the sandbox runs (the app server's copy trails it by up to ~30 s), else from the app
server's store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._errors import APIConnectionError, APIStatusError
from ..._ids import ConversationId, ConversationRef, conversation_id
from ..._wait_logic import classify
from ...types.events import ActionEvent, Event, MessageEvent
from ...types.summary import ConversationSummary
from .handoff import agent_from_conversation

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

# How far back from the newest event the last agent message is looked for (one page of 100 or two).
LAST_MESSAGE_SCAN = 200
FIRST_MESSAGE_SCAN = 20


def agent_message(event: Event) -> str | None:
    """The text the agent said to the user in ``event``: its message, or its ``finish`` call's message."""
    if isinstance(event, MessageEvent) and event.source == "agent" and event.text:
        return event.text
    if isinstance(event, ActionEvent) and event.tool_name == "finish":
        message: Any = (event.action or {}).get("message")
        return str(message) if message else None
    return None


async def _from_events(events: Any, cid: ConversationId) -> tuple[str | None, str | None, int]:
    """First user message, last agent message and event count from an events resource (the app
    server's ``client.events`` or an agent server's ``agent.events``: the same calls)."""
    first_user: str | None = None
    async for event in events.search(cid, kind="MessageEvent", limit=FIRST_MESSAGE_SCAN):
        if event.source == "user" and event.text:
            first_user = event.text
            break
    last_agent: str | None = None
    async for event in events.search(cid, sort_order="TIMESTAMP_DESC", limit=LAST_MESSAGE_SCAN):
        last_agent = agent_message(event)
        if last_agent is not None:
            break
    count: int = await events.count(cid)
    return first_user, last_agent, count


async def conversation_summary(client: AsyncOpenHands, conversation: ConversationRef) -> ConversationSummary:
    conv = await client.conversations.retrieve(conversation)
    cid = conversation_id(conv)
    found: tuple[str | None, str | None, int] | None = None
    agent = agent_from_conversation(client, conv)
    if agent is not None:
        try:
            found = await _from_events(agent.events, cid)
        except (APIConnectionError, APIStatusError):
            found = None  # the sandbox went away meanwhile: the app server's copy will do
        finally:
            await agent.close()
    first_user, last_agent, count = found or await _from_events(client.events, cid)
    outcome = classify(conv)
    usage = conv.metrics.accumulated_token_usage if conv.metrics is not None else None
    return ConversationSummary(
        id=cid,
        title=conv.title,
        sandbox_id=conv.sandbox_id,
        sandbox_status=conv.sandbox_status,
        execution_status=conv.execution_status,
        outcome=outcome.value if outcome is not None else None,
        repository=conv.selected_repository,
        branch=conv.selected_branch,
        git_provider=conv.git_provider,
        pr_numbers=list(conv.pr_number),
        model=conv.llm_model,
        cost=conv.cost,
        prompt_tokens=usage.prompt_tokens if usage is not None else 0,
        completion_tokens=usage.completion_tokens if usage is not None else 0,
        event_count=count,
        first_user_message=first_user,
        last_agent_message=last_agent,
        created_at=conv.created_at,
        updated_at=conv.updated_at,
    )
