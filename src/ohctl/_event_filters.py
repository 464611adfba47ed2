"""Event filters both servers share: timestamps as the servers compare them, and event kinds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ._errors import InvalidArgumentError


def event_time(value: datetime | str | None) -> str | None:
    """Event timestamps are naive and compared as strings: send aware times as naive UTC."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()


# Servers store some events after later ones with an earlier timestamp (conversation-state statistics,
# webhook batches up to 30 s late on the app server): a search "since the last event seen" starts this
# far back, and the events already delivered are dropped by id.
LATE_EVENT_WINDOW = 60.0


def overlap_since(timestamp: str | None, window: float = LATE_EVENT_WINDOW) -> str | None:
    """``timestamp`` (an event's naive ISO time) moved ``window`` seconds back, in the same form."""
    if timestamp is None:
        return None
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return timestamp
    earlier = moment - timedelta(seconds=window)
    if moment.tzinfo is not None:
        earlier = earlier.astimezone(timezone.utc).replace(tzinfo=None)
    return earlier.isoformat()


def kind_name(kind: str | type | None) -> str | None:
    if kind is None or isinstance(kind, str):
        return kind.rsplit(".", 1)[-1] if isinstance(kind, str) else None
    return kind.__name__


_SDK = "openhands.sdk.event."
# Agent server 1.34 matches ``kind`` against the full class path only (a bare name silently finds
# nothing); later servers accept both, so the full path is what we send.
KIND_PATHS = {
    "MessageEvent": _SDK + "llm_convertible.message.MessageEvent",
    "ActionEvent": _SDK + "llm_convertible.action.ActionEvent",
    "ObservationEvent": _SDK + "llm_convertible.observation.ObservationEvent",
    "AgentErrorEvent": _SDK + "llm_convertible.observation.AgentErrorEvent",
    "UserRejectObservation": _SDK + "llm_convertible.observation.UserRejectObservation",
    "SystemPromptEvent": _SDK + "llm_convertible.system.SystemPromptEvent",
    "ConversationStateUpdateEvent": _SDK + "conversation_state.ConversationStateUpdateEvent",
    "ConversationErrorEvent": _SDK + "conversation_error.ConversationErrorEvent",
    "Condensation": _SDK + "condenser.Condensation",
    "CondensationRequest": _SDK + "condenser.CondensationRequest",
    "CondensationSummaryEvent": _SDK + "condenser.CondensationSummaryEvent",
    "PauseEvent": _SDK + "user_action.PauseEvent",
    "InterruptEvent": _SDK + "user_action.InterruptEvent",
    "HookExecutionEvent": _SDK + "hook_execution.HookExecutionEvent",
    "ACPToolCallEvent": _SDK + "acp_tool_call.ACPToolCallEvent",
    "ServerErrorEvent": "openhands.agent_server.models.ServerErrorEvent",
    "LLMCompletionLogEvent": _SDK + "llm_completion_log.LLMCompletionLogEvent",
    "StreamingDeltaEvent": _SDK + "streaming_delta.StreamingDeltaEvent",
    "TokenEvent": _SDK + "token.TokenEvent",
    "SecurityAnalysisEvent": _SDK + "security.SecurityAnalysisEvent",
}


def kind_path(kind: str | type | None) -> str | None:
    if kind is None:
        return None
    name = kind if isinstance(kind, str) else kind.__name__
    if "." in name:
        return name
    if name not in KIND_PATHS:
        raise InvalidArgumentError(
            f"Unknown event kind {name!r}: use one of {', '.join(sorted(KIND_PATHS))} or a full class path"
        )
    return KIND_PATHS[name]
