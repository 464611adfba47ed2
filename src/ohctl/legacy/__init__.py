"""The legacy V0 API of older self-hosted OpenHands servers (``/api/conversations...``), in its own
module: nothing here is mixed into the V1 clients.

    from ohctl.legacy import LegacyOpenHands

    with LegacyOpenHands(base_url="http://localhost:3000") as oh:
        created = oh.conversations.create("Fix the failing test", repository="me/repo")
        result = oh.conversations.wait(created.conversation_id)
        print(result.outcome, oh.conversations.summary(created.conversation_id).last_agent_message)

V0 differs from V1 where a script notices: a conversation's ``status`` stays RUNNING after its agent
finished (``wait()`` and ``events.agent_state()`` read the agent's state from its events), an unknown
id answers 200 ``null`` (raised here as ``LegacyConversationNotFoundError``, a ``NotFoundError``),
events page by integer ``start_id``, and the workspace routes need a live runtime. A server without
V0 (the hosted Cloud, openhands-ai 1.7.0 and later) raises ``LegacyUnavailableError`` naming the V1
replacement; ``ohctl.connect(url)`` picks the right client.
"""

from __future__ import annotations

from .._async.legacy.client import AsyncLegacyOpenHands
from .._legacy_errors import LegacyConversationNotFoundError, LegacyUnavailableError, replacement_for
from .._sync.legacy.client import LegacyOpenHands
from ..types.legacy import (
    LegacyConfig,
    LegacyConversation,
    LegacyCreated,
    LegacyEvent,
    LegacyEventPage,
    LegacySettings,
    LegacySummary,
    LegacyWaitResult,
    ServerApis,
    outcome_of,
)

__all__ = [
    "AsyncLegacyOpenHands",
    "LegacyConfig",
    "LegacyConversation",
    "LegacyConversationNotFoundError",
    "LegacyCreated",
    "LegacyEvent",
    "LegacyEventPage",
    "LegacyOpenHands",
    "LegacySettings",
    "LegacySummary",
    "LegacyUnavailableError",
    "LegacyWaitResult",
    "ServerApis",
    "outcome_of",
    "replacement_for",
]
