"""A V0 conversation at a glance, like the V1 ``summary()``: a few requests, each one page at most.
The model comes from the events' tool-call metadata, else the server's settings; the cost from the
newest event that reports LLM metrics (servers that price the model)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._errors import APIConnectionError, APIStatusError
from ...types.legacy import LegacyConversation, LegacyEvent, LegacySummary, outcome_of

if TYPE_CHECKING:
    from .events import AsyncLegacyEvents
    from .settings import AsyncLegacySettingsResource

FIRST_MESSAGE_SCAN = 20
LAST_MESSAGE_SCAN = 200


def agent_said(event: LegacyEvent) -> str | None:
    """What the agent told the user in ``event``: its message, or its ``finish``'s final thought."""
    if event.source == "agent" and event.action in ("message", "finish"):
        return event.text
    return None


def _model_of(event: LegacyEvent) -> str | None:
    metadata: Any = event.model_extra.get("tool_call_metadata") if event.model_extra else None
    response = metadata.get("model_response") if isinstance(metadata, dict) else None
    model = response.get("model") if isinstance(response, dict) else None
    return str(model) if model else None


async def legacy_summary(
    conversation: LegacyConversation, events: AsyncLegacyEvents, settings: AsyncLegacySettingsResource
) -> LegacySummary:
    cid = conversation.conversation_id
    first_user: str | None = None
    async for event in events.iterate(cid, source="user", page_size=FIRST_MESSAGE_SCAN, limit=FIRST_MESSAGE_SCAN):
        if event.action == "message" and event.text:
            first_user = event.text
            break
    last_agent: str | None = None
    cost: float | None = None
    model: str | None = None
    prompt_tokens = completion_tokens = 0
    count = 0
    async for event in events.iterate(cid, reverse=True, limit=LAST_MESSAGE_SCAN):
        count = max(count, event.id + 1)
        if last_agent is None:
            last_agent = agent_said(event)
        if cost is None and event.llm_metrics:
            cost = event.cost
            usage = event.llm_metrics.get("accumulated_token_usage") or {}
            prompt_tokens = int(usage.get("prompt_tokens") or 0)
            completion_tokens = int(usage.get("completion_tokens") or 0)
        model = model or _model_of(event)
        if last_agent is not None and cost is not None and model is not None:
            break
    state = await events.agent_state(cid)  # skips the runtime's own stopped/loading changes
    if model is None:
        try:
            model = (await settings.get()).llm_model
        except (APIStatusError, APIConnectionError):
            model = None  # a summary does not fail for want of the model name
    return LegacySummary(
        id=conversation.conversation_id,
        title=conversation.title,
        conversation_status=conversation.status,
        agent_state=state,
        outcome=outcome_of(state, conversation.status),
        repository=conversation.selected_repository,
        branch=conversation.selected_branch,
        git_provider=conversation.git_provider,
        pr_numbers=list(conversation.pr_number),
        model=model,
        cost=cost,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        event_count=count,
        first_user_message=first_user,
        last_agent_message=last_agent,
        created_at=conversation.created_at,
        updated_at=conversation.last_updated_at,
    )
