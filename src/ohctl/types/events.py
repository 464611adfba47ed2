"""Conversation events. ``parse_event`` picks a typed class by ``kind``; any other kind is an ``Event``.

Every kind of the agent servers' ``Event`` union (1.34 and 1.58) has a class here. Every event has
``text``: the human-readable text it carries (a message's text, an observation's output, an error's
message), or ``""`` when it carries none. Unknown fields are kept, so newer servers parse too.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from .._ids import MAX_CURSOR
from .._parse import ExactFirst, ShapeError, json_kind
from .common import OhBase, Page


def _text_parts(content: Any) -> str:
    """The text of a content list (``[{"type": "text", "text": ...}, ...]``) or of a plain string."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return ""
    return "\n".join(
        str(part.get("text", "")) for part in content if isinstance(part, dict) and part.get("type", "text") == "text"
    )


class Event(OhBase):
    id: str
    timestamp: str | None = None  # naive ISO time, as the server stores it (no zone)
    source: str | None = None
    kind: str = "Event"
    parent_id: str | None = None

    @property
    def text(self) -> str:
        """The human-readable text of the event; ``""`` for events that carry none."""
        return ""


class MessageEvent(Event):
    kind: Literal["MessageEvent"] = "MessageEvent"
    llm_message: dict[str, Any] | None = None
    llm_response_id: str | None = None
    sender: str | None = None
    activated_skills: list[str] | None = None
    extended_content: list[dict[str, Any]] | None = None
    critic_result: dict[str, Any] | None = None

    @property
    def role(self) -> str | None:
        return (self.llm_message or {}).get("role")

    @property
    def text(self) -> str:
        return _text_parts((self.llm_message or {}).get("content") or [])


class ActionEvent(Event):
    kind: Literal["ActionEvent"] = "ActionEvent"
    tool_name: str | None = None
    tool_call_id: str | None = None
    action: dict[str, Any] | None = None
    tool_call: dict[str, Any] | None = None
    thought: list[dict[str, Any]] | None = None
    reasoning_content: str | None = None
    thinking_blocks: list[dict[str, Any]] | None = None
    responses_reasoning_item: dict[str, Any] | None = None
    summary: str | None = None
    security_risk: str | None = None
    critic_result: dict[str, Any] | None = None
    llm_response_id: str | None = None

    @property
    def text(self) -> str:
        """What the agent said along with the tool call (its ``thought``)."""
        return _text_parts(self.thought or [])

    @property
    def brief(self) -> str:
        """What the action does, in a few words: ``$ pytest -q``, ``file_editor: view /path``,
        ``finish: Done``."""
        action, tool = self.action or {}, self.tool_name
        if tool == "finish":
            return f"finish: {action.get('message') or ''}".rstrip(": ")
        if "command" in action and "path" in action:
            return f"{tool}: {action['command']} {action['path']}"
        if "command" in action:
            return f"$ {action['command']}"
        for key in ("path", "message", "query", "url", "thought", "task"):
            if action.get(key):
                return f"{tool}: {action[key]}"
        return str(tool or action.get("kind") or "action")


class ObservationEvent(Event):
    kind: Literal["ObservationEvent"] = "ObservationEvent"
    tool_name: str | None = None
    tool_call_id: str | None = None
    action_id: str | None = None
    observation: dict[str, Any] | None = None
    extended_content: list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        """The tool's output (the observation's text content)."""
        return _text_parts((self.observation or {}).get("content") or [])


class UserRejectObservation(Event):
    """The user rejected a pending action (confirmation mode)."""

    kind: Literal["UserRejectObservation"] = "UserRejectObservation"

    tool_name: str | None = None
    tool_call_id: str | None = None
    action_id: str | None = None
    rejection_reason: str | None = None
    rejection_source: str | None = None

    @property
    def text(self) -> str:
        return self.rejection_reason or ""


class StateUpdateEvent(Event):
    """``ConversationStateUpdateEvent``: one key of the conversation state changed (``full_state`` first)."""

    kind: Literal["ConversationStateUpdateEvent"] = "ConversationStateUpdateEvent"

    key: str | None = None
    value: Any = None


class ErrorEvent(Event):
    """Base of the error events: AgentErrorEvent (``error``), ConversationErrorEvent and ServerErrorEvent
    (``code``, ``detail``)."""

    error: str | None = None
    code: str | None = None
    detail: str | None = None

    @property
    def text(self) -> str:
        return self.error or self.detail or self.code or ""


class AgentErrorEvent(ErrorEvent):
    """A tool call failed in a way the agent sees (``error``), answering ``tool_call_id``."""

    kind: Literal["AgentErrorEvent"] = "AgentErrorEvent"

    tool_name: str | None = None
    tool_call_id: str | None = None


class ConversationErrorEvent(ErrorEvent):
    """The conversation itself failed (``code``, ``detail``), for example on an LLM error."""

    kind: Literal["ConversationErrorEvent"] = "ConversationErrorEvent"


class ServerErrorEvent(ErrorEvent):
    """The agent server failed outside the conversation (``code``, ``detail``)."""

    kind: Literal["ServerErrorEvent"] = "ServerErrorEvent"


class SystemPromptEvent(Event):
    kind: Literal["SystemPromptEvent"] = "SystemPromptEvent"
    system_prompt: dict[str, Any] | None = None
    tools: list[Any] | None = None
    dynamic_context: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return _text_parts(self.system_prompt or [])


class Condensation(Event):
    """The history was condensed: ``forgotten_event_ids`` leave the agent's view, ``summary`` replaces them."""

    kind: Literal["Condensation"] = "Condensation"

    forgotten_event_ids: list[str] | None = None
    summary: str | None = None
    summary_offset: int | None = None
    llm_response_id: str | None = None

    @property
    def text(self) -> str:
        return self.summary or ""


class CondensationRequest(Event):
    """A request to condense the history."""

    kind: Literal["CondensationRequest"] = "CondensationRequest"


class CondensationSummaryEvent(Event):
    kind: Literal["CondensationSummaryEvent"] = "CondensationSummaryEvent"
    summary: str | None = None

    @property
    def text(self) -> str:
        return self.summary or ""


class PauseEvent(Event):
    """The user paused the agent."""

    kind: Literal["PauseEvent"] = "PauseEvent"


class InterruptEvent(Event):
    """The user interrupted the agent."""

    kind: Literal["InterruptEvent"] = "InterruptEvent"


class HookExecutionEvent(Event):
    """A configured hook ran (``hook_event_type``, ``hook_command``, ``success``, ``blocked``, output)."""

    kind: Literal["HookExecutionEvent"] = "HookExecutionEvent"

    hook_event_type: str | None = None
    hook_command: str | None = None
    tool_name: str | None = None
    success: bool | None = None
    blocked: bool | None = None
    exit_code: int | None = None
    stdout: str | None = None
    stderr: str | None = None
    reason: str | None = None
    error: str | None = None
    action_id: str | None = None
    message_id: str | None = None

    @property
    def text(self) -> str:
        return self.stdout or self.reason or self.error or ""


class ACPToolCallEvent(Event):
    """A tool call of an ACP agent (an external coding agent driven over the Agent Client Protocol)."""

    kind: Literal["ACPToolCallEvent"] = "ACPToolCallEvent"

    tool_call_id: str | None = None
    title: str | None = None
    status: str | None = None
    tool_kind: str | None = None
    raw_input: Any = None
    raw_output: Any = None
    content: list[Any] | None = None
    is_error: bool | None = None

    @property
    def text(self) -> str:
        return self.title or ""


class LLMCompletionLogEvent(Event):
    """A raw LLM completion log (``log_data`` is JSON text), sent when completion logging is on."""

    kind: Literal["LLMCompletionLogEvent"] = "LLMCompletionLogEvent"

    filename: str | None = None
    log_data: str | None = None
    model_name: str | None = None
    usage_id: str | None = None


class StreamingDeltaEvent(Event):
    """A piece of a streamed LLM answer (live only)."""

    kind: Literal["StreamingDeltaEvent"] = "StreamingDeltaEvent"

    content: str | None = None
    reasoning_content: str | None = None

    @property
    def text(self) -> str:
        return self.content or ""


class TokenEvent(Event):
    """The token ids of an LLM call (when the LLM reports them)."""

    kind: Literal["TokenEvent"] = "TokenEvent"

    prompt_token_ids: list[int] | None = None
    response_token_ids: list[int] | None = None


class SecurityAnalysisEvent(Event):
    """A security analyzer's assessment of an action (agent server 1.58+)."""

    kind: Literal["SecurityAnalysisEvent"] = "SecurityAnalysisEvent"

    analyzer: str | None = None
    policy: str | None = None
    risks: dict[str, Any] | None = None
    details: dict[str, Any] | None = None


_BY_KIND: dict[str, type[Event]] = {
    "MessageEvent": MessageEvent,
    "ActionEvent": ActionEvent,
    "ObservationEvent": ObservationEvent,
    "UserRejectObservation": UserRejectObservation,
    "ConversationStateUpdateEvent": StateUpdateEvent,
    "AgentErrorEvent": AgentErrorEvent,
    "ConversationErrorEvent": ConversationErrorEvent,
    "ServerErrorEvent": ServerErrorEvent,
    "SystemPromptEvent": SystemPromptEvent,
    "Condensation": Condensation,
    "CondensationRequest": CondensationRequest,
    "CondensationSummaryEvent": CondensationSummaryEvent,
    "PauseEvent": PauseEvent,
    "InterruptEvent": InterruptEvent,
    "HookExecutionEvent": HookExecutionEvent,
    "ACPToolCallEvent": ACPToolCallEvent,
    "LLMCompletionLogEvent": LLMCompletionLogEvent,
    "StreamingDeltaEvent": StreamingDeltaEvent,
    "TokenEvent": TokenEvent,
    "SecurityAnalysisEvent": SecurityAnalysisEvent,
}


# A page's events validate in one pass. First as a page of known bare kinds with declared fields only
# (a discriminated union on the literal ``kind``: pure pydantic-core, no Python call and no extras
# dict per event; see ExactFirst); a page that does not fit (an unknown kind or field, a full class
# path, a null kind, a bad field, not JSON) is validated again with every event that is not a known
# kind going through ``parse_event``, which is as tolerant as validating one event at a time and
# raises the same errors.
if TYPE_CHECKING:
    KnownEvent = Event
    AnyEvent = Event
else:
    KnownEvent = Annotated[Union[tuple(_BY_KIND.values())], Field(discriminator="kind")]  # noqa: UP007
    AnyEvent = Annotated[
        Union[KnownEvent, Annotated[Any, AfterValidator(lambda data: parse_event(data))]],  # noqa: UP007
        Field(union_mode="left_to_right"),
    ]


class _KnownEventPage(BaseModel):
    """A search page of events of known kinds, validated from the raw bytes in one pass."""

    # Only keys are worth caching: most values (ids, times, text) occur once (measured: 3% faster).
    model_config = ConfigDict(extra="ignore", defer_build=True, cache_strings="keys")

    items: list[KnownEvent] | None = None
    next_page_id: str | None = Field(default=None, max_length=MAX_CURSOR)


class _EventPageBody(_KnownEventPage):
    """Any search page of events: unknown kinds, class paths and null kinds too."""

    items: list[AnyEvent] | None = None


@cache
def _event_pages() -> ExactFirst:
    # Built on first use (see OhBase). Exact first: known kinds with declared fields only.
    return ExactFirst(TypeAdapter(_KnownEventPage), TypeAdapter(_EventPageBody))


EventPage = Page[Event]


def parse_event_page(raw: bytes) -> Page[Event]:
    """A page of events (``{"items": [...], "next_page_id": ...}``) from the response body: JSON
    decoding and validation in one pass, each event typed by its kind (unknown kinds as ``Event``).
    Raises pydantic's ValidationError (a ValueError) for a body that is not JSON or not a page."""
    body: _KnownEventPage = _event_pages()(raw)
    return EventPage.model_construct(items=body.items or [], next_page_id=body.next_page_id)


def parse_event(data: dict[str, Any]) -> Event:
    """The typed event for ``data``: by the last part of ``kind`` (a bare name or a full class path).
    Anything but a JSON object raises ShapeError (a TypeError); a bad field, pydantic's ValidationError."""
    if not isinstance(data, dict):
        raise ShapeError(f"expected an event object, got {json_kind(data)}")
    kind = data.get("kind")
    name = kind.rsplit(".", 1)[-1] if isinstance(kind, str) else ""
    cls = _BY_KIND.get(name, Event)
    if name == kind:
        return cls.model_validate(data)
    if not name:  # a null kind reads as the default
        return cls.model_validate({key: value for key, value in data.items() if key != "kind"})
    # A full class path (agent server 1.34): validated under its bare name, kept as sent.
    event = cls.model_validate({**data, "kind": name})
    event.__dict__["kind"] = kind
    return event
