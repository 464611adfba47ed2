"""What the MCP tools return: small JSON objects built from an allowlist of fields, so a model that
reads them gets the facts it needs in few tokens, and a key can never ride along (the conversation
models carry ``session_api_key`` and an agent-server URL; neither is ever copied here). ``Scrubber``
is the second line of defence: any known key string left in a result (say, echoed by the agent in an
event) is replaced before the result leaves the server."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .._redact import MIN_SECRET_LENGTH, scrub
from .._web import conversation_web_url as web_url
from ..types.conversations import status_word

if TYPE_CHECKING:
    from ohctl.types import AppConversation, ConversationSummary, Event, PendingAction

TEXT_LIMIT = 400  # characters of one event's text in a result
MESSAGE_LIMIT = 4000  # characters of the first user / last agent message in a summary
T = TypeVar("T")


def clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _word(value: object) -> str | None:
    return str(value) if value is not None else None


def conversation_row(conv: AppConversation, base_url: str) -> dict[str, Any]:
    """A conversation in a list: who, what, where, how far."""
    return {
        "conversation_id": str(conv.id),
        "title": conv.title,
        "status": status_word(conv.execution_status, conv.sandbox_status),
        "sandbox_status": _word(conv.sandbox_status),
        "execution_status": _word(conv.execution_status),
        "repository": conv.selected_repository,
        "branch": conv.selected_branch,
        "pr_numbers": list(conv.pr_number),
        "cost": round(conv.cost, 4),
        "created_at": _time(conv.created_at),
        "updated_at": _time(conv.updated_at),
        "url": web_url(base_url, str(conv.id)),
    }


def summary_view(summary: ConversationSummary, base_url: str) -> dict[str, Any]:
    """The conversation at a glance, with the outcome when its run has ended."""
    return {
        "conversation_id": str(summary.id),
        "title": summary.title,
        "status": summary.status,
        "outcome": summary.outcome,
        "sandbox_status": _word(summary.sandbox_status),
        "execution_status": _word(summary.execution_status),
        "repository": summary.repository,
        "branch": summary.branch,
        "pr_numbers": list(summary.pr_numbers),
        "model": summary.model,
        "cost": round(summary.cost, 4),
        "total_tokens": summary.total_tokens,
        "event_count": summary.event_count,
        "first_user_message": clip(summary.first_user_message, MESSAGE_LIMIT),
        "last_agent_message": clip(summary.last_agent_message, MESSAGE_LIMIT),
        "created_at": _time(summary.created_at),
        "updated_at": _time(summary.updated_at),
        "url": web_url(base_url, str(summary.id)),
    }


def pending_view(action: PendingAction) -> dict[str, Any]:
    """An action awaiting confirmation: what it would do, the agent's risk rating and reason."""
    return {
        "id": action.id,
        "tool": action.tool,
        "command": clip(action.command, TEXT_LIMIT),
        "path": action.path,
        "what": clip(action.brief, TEXT_LIMIT),
        "risk": action.risk or "UNKNOWN",
        "reason": clip(action.reason, TEXT_LIMIT),
    }


def oldest_first(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Event views in time order. The agent server lists events in the order it stored them, and it
    stores a state update stamped at a step's start after that step's output; the sort is stable, so
    events stamped alike keep the server's order."""
    return sorted(views, key=lambda view: view.get("timestamp") or "")


def event_view(event: Event) -> dict[str, Any]:
    """One event in a line of text: a message, what an action does (and why), a tool's output, an
    error, or the state it sets."""
    import ohctl

    t = ohctl.types
    text = event.text
    tool: str | None = None
    if isinstance(event, t.ActionEvent):
        tool = event.tool_name
        done = event.brief
        text = f"{done} — {text.strip()}" if text.strip() else done
    elif isinstance(event, t.ObservationEvent):
        tool = event.tool_name
    elif isinstance(event, t.StateUpdateEvent) and isinstance(event.value, (str, int, float, bool)):
        text = f"{event.key}: {event.value}"
    return {
        "id": event.id,
        "timestamp": event.timestamp,
        "kind": event.kind,
        "source": event.source,
        "tool": tool,
        "text": clip(" ".join(text.split()), TEXT_LIMIT),
    }


# Events that are bookkeeping for the agent, not news for the one who delegated the task.
QUIET_KINDS = frozenset(
    {"SystemPromptEvent", "TokenEvent", "StreamingDeltaEvent", "LLMCompletionLogEvent", "CondensationRequest"}
)


class Scrubber:
    """Replaces every known key string (the API key, the session keys of conversations seen) anywhere in
    a result, with ``_redact.scrub``. Keys shorter than ``MIN_SECRET_LENGTH`` are not tracked: replacing
    such short strings would mangle ordinary text, and no real key is that short."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        self._secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)

    def __call__(self, data: T) -> T:
        """A copy of ``data`` (JSON-like) with every known key replaced."""
        return scrub(data, self._secrets)

    def __repr__(self) -> str:
        return f"Scrubber(<{len(self._secrets)} secrets>)"
