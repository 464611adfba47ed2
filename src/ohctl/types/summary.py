"""A conversation at a glance: what ``client.conversations.summary(id)`` returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, computed_field

from .._ids import ConversationId
from .common import OhModel
from .conversations import ExecutionStatusValue, status_word
from .sandboxes import SandboxStatusValue


class SummaryFields(OhModel):
    """What a conversation at a glance holds on any server (``ConversationSummary`` for V1, the
    legacy ``LegacySummary`` for V0); each adds its own status fields."""

    id: str
    title: str | None = None
    outcome: str | None = None  # finished / failed / needs_input, or None while it goes on
    repository: str | None = None
    branch: str | None = None
    git_provider: str | None = None
    pr_numbers: list[int] = Field(default_factory=list)
    model: str | None = None
    cost: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    event_count: int = 0
    first_user_message: str | None = None
    last_agent_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ConversationSummary(SummaryFields):
    """Status, repository, PRs, cost and tokens, model, event count, and the first user and last agent
    messages of one conversation, gathered in one call."""

    id: ConversationId
    cost: float = 0.0
    sandbox_id: str | None = None
    sandbox_status: SandboxStatusValue | None = None
    execution_status: ExecutionStatusValue | None = None

    def ohctl_conversation_id(self) -> ConversationId:
        return self.id

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> str:
        """One word for people: the agent's status while the sandbox runs, else the sandbox's."""
        return status_word(self.execution_status, self.sandbox_status)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
