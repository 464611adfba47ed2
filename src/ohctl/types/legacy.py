"""Models of the legacy V0 API (``/api/conversations...``, last served by openhands-ai 1.6.0).

Tolerant like every ohctl model: unknown fields are kept and statuses are plain strings, so a value
this module does not know never fails a read. V0 conversation ids are 32 hex digits; event ids are
integers counting from 0.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, computed_field

from .common import OhModel
from .summary import SummaryFields

# V0 conversation statuses. RUNNING means the runtime is up, not that the agent is working: a V0
# conversation stays RUNNING after its agent finished, until the server closes it (STOPPED).
STARTING, RUNNING, STOPPED, ARCHIVED, ERROR = "STARTING", "RUNNING", "STOPPED", "ARCHIVED", "ERROR"

# The agent's state, read from the last ``agent_state_changed`` event (``extras.agent_state``).
FINISHED_STATES = frozenset({"finished"})
FAILED_STATES = frozenset({"error", "rejected", "stopped"})
NEEDS_INPUT_STATES = frozenset({"awaiting_user_input", "awaiting_user_confirmation"})
DONE_STATES = FINISHED_STATES | FAILED_STATES | NEEDS_INPUT_STATES


class LegacyConversation(OhModel):
    """A V0 ``ConversationInfo``."""

    conversation_id: str
    title: str | None = None
    status: str | None = None  # STARTING, RUNNING, STOPPED, ARCHIVED, ERROR
    runtime_status: str | None = None  # STATUS$READY, STATUS$ERROR_LLM_AUTHENTICATION, ...
    selected_repository: str | None = None
    selected_branch: str | None = None
    git_provider: str | None = None
    trigger: str | None = None
    num_connections: int = 0
    url: str | None = None
    session_api_key: str | None = Field(default=None, repr=False)
    created_at: datetime | None = None
    last_updated_at: datetime | None = None
    pr_number: list[int] = Field(default_factory=list)
    conversation_version: str | None = None
    sub_conversation_ids: list[str] = Field(default_factory=list)
    public: bool | None = None
    sandbox_id: str | None = None

    @property
    def id(self) -> str:
        return self.conversation_id


class LegacyCreated(OhModel):
    """What ``POST /api/conversations`` (and ``start``/``stop``) answer."""

    status: str | None = None
    conversation_id: str
    message: str | None = None
    conversation_status: str | None = None


class LegacyEvent(OhModel):
    """One V0 event: an action (``action`` and ``args``) or an observation (``observation``, ``extras``,
    ``cause`` = the id of the action it answers)."""

    id: int
    timestamp: str | None = None  # naive ISO time, as the server wrote it
    source: str | None = None  # agent, user, environment
    message: str | None = None
    action: str | None = None
    observation: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    extras: dict[str, Any] = Field(default_factory=dict)
    content: str | None = None
    cause: int | None = None
    llm_metrics: dict[str, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind(self) -> str:
        """``action:<name>`` or ``observation:<name>`` (``run``, ``message``, ``finish``, ...)."""
        if self.action:
            return f"action:{self.action}"
        if self.observation:
            return f"observation:{self.observation}"
        return "unknown"

    @property
    def agent_state(self) -> str | None:
        """The new state when this is an ``agent_state_changed`` observation."""
        if self.observation != "agent_state_changed":
            return None
        state = self.extras.get("agent_state")
        return str(state) if state is not None else None

    @property
    def text(self) -> str | None:
        """What was said: a message's content, a ``finish``'s final thought, else the event's message."""
        if self.action == "message":
            content = self.args.get("content")
            return str(content) if content else self.message
        if self.action == "finish":
            said = self.args.get("final_thought") or self.args.get("message") or self.message
            return str(said) if said else None
        return self.content if self.observation else self.message

    @property
    def cost(self) -> float | None:
        """The accumulated LLM cost the server reported with this event, if any."""
        value = (self.llm_metrics or {}).get("accumulated_cost")
        return float(value) if isinstance(value, (int, float)) else None


class LegacyEventPage(OhModel):
    events: list[LegacyEvent] = Field(default_factory=list)
    has_more: bool = False


class LegacyConfig(OhModel):
    """``GET .../config``: the runtime and session ids (null while no runtime is attached)."""

    runtime_id: str | None = None
    session_id: str | None = None


class LegacySettings(OhModel):
    """The flat V0 settings. The server never returns the LLM key: ``llm_api_key_set`` says whether one
    is stored."""

    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = Field(default=None, repr=False, exclude=True)
    llm_api_key_set: bool = False
    agent: str | None = None
    language: str | None = None
    max_iterations: int | None = None
    confirmation_mode: bool | None = None
    security_analyzer: str | None = None
    search_api_key: str | None = Field(default=None, repr=False, exclude=True)
    search_api_key_set: bool = False
    sandbox_api_key: str | None = Field(default=None, repr=False, exclude=True)


class LegacyWaitResult(OhModel):
    """How a wait ended: ``outcome`` finished / failed / needs_input; ``agent_state`` as last read."""

    conversation_id: str
    outcome: str
    agent_state: str | None = None
    conversation: LegacyConversation | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "finished"


class LegacySummary(SummaryFields):
    """A V0 conversation at a glance, like ``ConversationSummary`` for V1 (``cost`` is None when the
    server reported none)."""

    conversation_status: str | None = None
    agent_state: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> str:
        """One word for people: the agent's state while it has one, else the conversation's status."""
        if self.agent_state:
            return self.agent_state
        return (self.conversation_status or "unknown").lower()


def outcome_of(agent_state: str | None, conversation_status: str | None = None) -> str | None:
    """finished / failed / needs_input for a V0 conversation, or None while it goes on. The agent's
    state decides; a conversation that is STOPPED or ERROR without a final agent state failed."""
    if agent_state in FINISHED_STATES:
        return "finished"
    if agent_state in FAILED_STATES:
        return "failed"
    if agent_state in NEEDS_INPUT_STATES:
        return "needs_input"
    if conversation_status in (STOPPED, ERROR, ARCHIVED):
        return "failed"
    return None


class ServerApis(OhModel):
    """What ``ohctl.probe(url)`` found: which APIs the server serves, and the client to use."""

    base_url: str
    v1: bool
    v0: bool
    client: str | None  # "OpenHands", "LegacyOpenHands", or None when it serves neither
    advice: str

    @classmethod
    def of(cls, base_url: str, *, v1: bool, v0: bool) -> ServerApis:
        if v1:
            client: str | None = "OpenHands"
            advice = "It serves the V1 API: use ohctl.OpenHands (ohctl without --legacy)"
            if v0:
                advice += "; it also still serves V0 (ohctl.legacy.LegacyOpenHands reads V0 conversations)"
        elif v0:
            client = "LegacyOpenHands"
            advice = "It serves only the legacy V0 API: use ohctl.legacy.LegacyOpenHands (ohctl --legacy)"
        else:
            client = None
            advice = (
                "It serves neither the V1 API (/api/v1/...) nor V0 (/api/conversations): check the URL "
                "(the server's root, without /api) and that it is an OpenHands server"
            )
        return cls(base_url=base_url, v1=v1, v0=v0, client=client, advice=advice)
