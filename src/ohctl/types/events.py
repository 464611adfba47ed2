"""Conversation events. ``parse_event`` picks a typed class by ``kind``; any other kind is an ``Event``."""

from __future__ import annotations

from typing import Any

from .common import OhModel


class Event(OhModel):
    id: str
    timestamp: str | None = None  # naive ISO time, as the server stores it (no zone)
    source: str | None = None
    kind: str = "Event"
    parent_id: str | None = None


class MessageEvent(Event):
    llm_message: dict[str, Any] | None = None

    @property
    def role(self) -> str | None:
        return (self.llm_message or {}).get("role")

    @property
    def text(self) -> str:
        content = (self.llm_message or {}).get("content") or []
        if isinstance(content, str):
            return content
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")


class ActionEvent(Event):
    tool_name: str | None = None
    tool_call_id: str | None = None
    action: dict[str, Any] | None = None
    thought: list[dict[str, Any]] | None = None
    summary: str | None = None
    security_risk: str | None = None


class ObservationEvent(Event):
    tool_name: str | None = None
    tool_call_id: str | None = None
    action_id: str | None = None
    observation: dict[str, Any] | None = None


class StateUpdateEvent(Event):
    key: str | None = None
    value: Any = None


class ErrorEvent(Event):
    """AgentErrorEvent (``error``) and ConversationErrorEvent (``code``, ``detail``)."""

    error: str | None = None
    code: str | None = None
    detail: str | None = None


_BY_KIND: dict[str, type[Event]] = {
    "MessageEvent": MessageEvent,
    "ActionEvent": ActionEvent,
    "ObservationEvent": ObservationEvent,
    "ConversationStateUpdateEvent": StateUpdateEvent,
    "AgentErrorEvent": ErrorEvent,
    "ConversationErrorEvent": ErrorEvent,
}


def parse_event(data: dict[str, Any]) -> Event:
    kind = str(data.get("kind", "")).rsplit(".", 1)[-1]
    return _BY_KIND.get(kind, Event).model_validate(data)
