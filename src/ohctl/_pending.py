"""Pending actions and confirmation policies (pure; shared by sync and async code).

The agent servers have no route that lists what waits for confirmation: like the agent itself
(``ConversationState.get_unmatched_actions``), an action is pending when no observation, rejection
or agent error answers it yet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._errors import InvalidArgumentError
from .types.events import ActionEvent, AgentErrorEvent, Event, ObservationEvent, UserRejectObservation
from .types.pending import PendingAction

# ``run --confirm`` words -> the agent server's policy kinds.
POLICY_WORDS = {"always": "AlwaysConfirm", "risky": "ConfirmRisky", "never": "NeverConfirm"}
# The analyzer that keeps the agent's own risk rating of each call: without one every risk is UNKNOWN
# (ConfirmRisky then asks for every action, and a pending action shows no rating).
RISK_ANALYZER = {"kind": "LLMSecurityAnalyzer"}
# Newest events read to find the pending ones: they are the last few (one LLM answer's tool calls).
PENDING_SCAN = 200


def policy_kind(policy: str | dict[str, Any]) -> str | dict[str, Any]:
    """``always`` / ``risky`` / ``never`` (or the server's kind names, or a full policy object)."""
    if isinstance(policy, dict):
        return policy
    kind = POLICY_WORDS.get(policy.lower(), policy)
    if kind not in POLICY_WORDS.values():
        words = ", ".join(POLICY_WORDS)
        raise InvalidArgumentError(f"Unknown confirmation policy {policy!r}: use one of {words}")
    return kind


def unmatched_actions(newest_first: Iterable[Event]) -> list[ActionEvent]:
    """The actions no later event answers, oldest first, from events read newest first. The scan
    stops at the first answered action: the agent answers its actions before it asks for more."""
    answered_ids: set[str] = set()
    answered_calls: set[str] = set()
    found: list[ActionEvent] = []
    for event in newest_first:
        if isinstance(event, (ObservationEvent, UserRejectObservation)):
            answered_ids.add(event.action_id or "")
            answered_calls.add(event.tool_call_id or "")
        elif isinstance(event, AgentErrorEvent):
            answered_calls.add(event.tool_call_id or "")
        elif isinstance(event, ActionEvent) and event.action is not None:
            if event.id in answered_ids or (event.tool_call_id or "") in answered_calls:
                break
            found.append(event)
    return found[::-1]


def pending_action(event: ActionEvent) -> PendingAction:
    action = event.action or {}
    command, path = action.get("command"), action.get("path")
    if command is not None and path is not None:  # file_editor: the command is its verb (view, create)
        command = None
    return PendingAction(
        id=event.id,
        tool=event.tool_name,
        command=command if isinstance(command, str) else None,
        path=path if isinstance(path, str) else None,
        brief=event.brief,
        risk=event.security_risk,
        reason=event.text.strip() or (event.summary or ""),
        summary=event.summary,
        timestamp=event.timestamp,
        action=action,
    )


def pending_actions(newest_first: Iterable[Event]) -> list[PendingAction]:
    return [pending_action(event) for event in unmatched_actions(newest_first)]
