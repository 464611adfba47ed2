"""App conversations, their start tasks, messages and per-conversation reads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import Field

from .._errors import IdKindError
from .._ids import ConversationId, StartTaskId
from .._redact import REDACTED
from .common import OhModel, null_reads_as
from .sandboxes import SandboxStatusValue


class StartTaskStatus(str, Enum):
    WORKING = "WORKING"
    WAITING_FOR_SANDBOX = "WAITING_FOR_SANDBOX"
    PREPARING_REPOSITORY = "PREPARING_REPOSITORY"
    RUNNING_SETUP_SCRIPT = "RUNNING_SETUP_SCRIPT"
    SETTING_UP_GIT_HOOKS = "SETTING_UP_GIT_HOOKS"
    SETTING_UP_SKILLS = "SETTING_UP_SKILLS"
    STARTING_CONVERSATION = "STARTING_CONVERSATION"
    READY = "READY"
    ERROR = "ERROR"

    def __str__(self) -> str:
        return self.value


class ExecutionStatus(str, Enum):
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    WAITING_FOR_CONFIRMATION = "waiting_for_confirmation"
    FINISHED = "finished"
    ERROR = "error"
    STUCK = "stuck"
    DELETING = "deleting"

    def __str__(self) -> str:
        return self.value


class AgentType(str, Enum):
    DEFAULT = "default"
    PLAN = "plan"


StartTaskStatusValue = Annotated[Union[StartTaskStatus, str], Field(union_mode="left_to_right")]  # noqa: UP007
ExecutionStatusValue = Annotated[Union[ExecutionStatus, str], Field(union_mode="left_to_right")]  # noqa: UP007
GitProvider = str  # github, gitlab, bitbucket, bitbucket_data_center, forgejo, azure_devops, enterprise_sso, ...


class TextContent(OhModel):
    type: Literal["text"] = "text"
    text: str
    cache_prompt: bool = False


class ImageContent(OhModel):
    type: Literal["image"] = "image"
    image_urls: list[str]
    cache_prompt: bool = False


Content = Annotated[Union[TextContent, ImageContent], Field(discriminator="type")]  # noqa: UP007


class UserMessage(OhModel):
    """A message to the agent (``SendMessageRequest`` / ``AppSendMessageRequest``)."""

    role: str = "user"
    content: list[Content]
    run: bool = True

    @classmethod
    def of(cls, message: str | list[Content] | UserMessage, *, run: bool = True) -> UserMessage:
        if isinstance(message, UserMessage):
            return message
        if isinstance(message, str):
            return cls(content=[TextContent(text=message)], run=run)
        return cls(content=list(message), run=run)

    @property
    def text(self) -> str:
        return "\n".join(part.text for part in self.content if isinstance(part, TextContent))


class PluginSpec(OhModel):
    source: str
    ref: str | None = None
    repo_path: str | None = None
    parameters: dict[str, Any] | None = None


class SuggestedTaskRequest(OhModel):
    git_provider: GitProvider
    task_type: str
    repo: str
    issue_number: int
    title: str


class StartRequest(OhModel):
    """Body of ``POST /api/v1/app-conversations`` and ``/stream-start`` (every field the server defines)."""

    sandbox_id: str | None = None
    conversation_id: ConversationId | None = None
    initial_message: UserMessage | None = None
    system_message_suffix: str | None = None
    processors: list[dict[str, Any]] | None = None
    llm_model: str | None = None
    agent_profile_id: str | None = None
    selected_repository: str | None = None
    selected_branch: str | None = None
    git_provider: GitProvider | None = None
    suggested_task: SuggestedTaskRequest | None = None
    title: str | None = None
    trigger: str | None = None
    pr_number: list[int] = Field(default_factory=list)
    parent_conversation_id: ConversationId | None = None
    agent_type: AgentType | str = AgentType.DEFAULT
    public: bool | None = None
    plugins: list[PluginSpec] | None = None
    secrets: dict[str, str] | None = None
    # Hosted Cloud only (the 1.11.0 server drops them).
    observability_span_name: str | None = None
    observability_tags: list[str] | None = None
    observability_metadata: dict[str, Any] | None = None

    def __repr_args__(self) -> Any:
        # Secret values never appear in a repr.
        for name, value in super().__repr_args__():
            if name == "secrets" and value:
                value = dict.fromkeys(value, REDACTED)
            yield name, value


class StartTask(OhModel):
    """The asynchronous start of a conversation. ``id`` is NOT the conversation id."""

    id: StartTaskId
    created_by_user_id: str | None = None
    status: StartTaskStatusValue
    detail: str | None = None
    app_conversation_id: ConversationId | None = None
    sandbox_id: str | None = None
    agent_server_url: str | None = None
    request: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_ready(self) -> bool:
        return self.status == StartTaskStatus.READY

    @property
    def is_error(self) -> bool:
        return self.status == StartTaskStatus.ERROR

    @property
    def is_terminal(self) -> bool:
        return self.is_ready or self.is_error

    def ohctl_start_task_id(self) -> StartTaskId:
        return self.id

    def ohctl_conversation_id(self) -> ConversationId:
        """Its conversation, once READY; a start task still starting raises IdKindError."""
        if self.app_conversation_id is None:
            raise IdKindError(
                f"Start task {self.id} has no conversation yet (status {self.status}); "
                "wait for it to be READY first (client.start_tasks.wait)"
            )
        return self.app_conversation_id


class TokenUsage(OhModel):
    model: str | None = None
    prompt_tokens: Annotated[int, null_reads_as(0)] = 0  # batch ledgers and reports add them up
    completion_tokens: Annotated[int, null_reads_as(0)] = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    context_window: int = 0
    per_turn_token: int = 0
    response_id: str | None = None


class MetricsSnapshot(OhModel):
    model_name: str | None = None
    accumulated_cost: Annotated[float, null_reads_as(0.0)] = 0.0  # spending limits and reports read it
    max_budget_per_task: float | None = None
    accumulated_token_usage: TokenUsage | None = None


class AppConversation(OhModel):
    id: ConversationId
    created_by_user_id: str | None = None
    sandbox_id: str | None = None
    selected_repository: str | None = None
    selected_branch: str | None = None
    git_provider: GitProvider | None = None
    title: str | None = None
    trigger: str | None = None
    pr_number: list[int] = Field(default_factory=list)
    llm_model: str | None = None
    agent_kind: str | None = None
    metrics: MetricsSnapshot | None = None
    parent_conversation_id: ConversationId | None = None
    sub_conversation_ids: list[ConversationId] = Field(default_factory=list)
    public: bool | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sandbox_status: SandboxStatusValue | None = None
    execution_status: ExecutionStatusValue | None = None
    conversation_url: str | None = Field(default=None, repr=False)
    session_api_key: str | None = Field(default=None, repr=False)
    acp_server: str | None = None
    launched_agent_profile: dict[str, Any] | None = None

    def ohctl_conversation_id(self) -> ConversationId:
        return self.id

    @property
    def cost(self) -> float:
        """The LLM cost so far (``metrics.accumulated_cost``); 0.0 while the server reports no metrics."""
        return self.metrics.accumulated_cost if self.metrics is not None else 0.0

    @property
    def tokens(self) -> int:
        """The LLM tokens so far, prompt and completion together (``metrics.accumulated_token_usage``);
        0 while the server reports no metrics."""
        usage = self.metrics.accumulated_token_usage if self.metrics is not None else None
        return usage.prompt_tokens + usage.completion_tokens if usage is not None else 0

    @property
    def agent_server_url(self) -> str | None:
        """The agent server's base URL: ``conversation_url`` without its ``/api/conversations/...`` tail."""
        if not self.conversation_url:
            return None
        head, sep, _ = self.conversation_url.partition("/api/conversations/")
        return head if sep else None


def status_word(execution_status: object, sandbox_status: object) -> str:
    """One word for people: the agent's status while its sandbox runs, else the sandbox's (lower case),
    else ``unknown``. The command line, summaries and the MCP server all say it this way."""
    if execution_status is not None:
        return str(execution_status)
    return str(sandbox_status).lower() if sandbox_status is not None else "unknown"


class UpdateRequest(OhModel):
    title: str | None = None
    public: bool | None = None
    selected_repository: str | None = None
    selected_branch: str | None = None
    git_provider: GitProvider | None = None


class SendMessageResponse(OhModel):
    success: bool = True  # a 2xx answer is a success; the field only confirms it
    sandbox_status: SandboxStatusValue | None = None
    message: str | None = None


class GitChange(OhModel):
    status: str
    path: str


class GitDiff(OhModel):
    modified: str | None = None
    original: str | None = None


class Skill(OhModel):
    name: str
    type: str | None = None
    content: str | None = None
    triggers: list[str] = Field(default_factory=list)


class HookEvent(OhModel):
    event_type: str
    matchers: list[dict[str, Any]] = Field(default_factory=list)


class PendingMessage(OhModel):
    id: str
    queued: bool = True
    position: int | None = None
