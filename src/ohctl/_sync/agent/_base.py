# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from typing import TYPE_CHECKING

from ..._ids import ConversationRef

if TYPE_CHECKING:
    from .client import AgentServer


class AgentResource:
    def __init__(self, agent: AgentServer) -> None:
        self._agent = agent
        self._http = agent._http

    def _conversation(self, conversation: ConversationRef | None) -> str:
        return self._agent._conversation_id(conversation)
