"""Pydantic models of the OpenHands APIs. Unknown fields are kept; unknown enum values are accepted."""

from .common import Page
from .config import LLMModel, Provider
from .conversations import (
    AgentType,
    AppConversation,
    ExecutionStatus,
    GitChange,
    GitDiff,
    HookEvent,
    ImageContent,
    MetricsSnapshot,
    PluginSpec,
    SendMessageResponse,
    Skill,
    StartRequest,
    StartTask,
    StartTaskStatus,
    SuggestedTaskRequest,
    TextContent,
    TokenUsage,
    UserMessage,
)
from .events import ActionEvent, Event, MessageEvent, ObservationEvent, StateUpdateEvent, parse_event
from .git import Branch, Repository, SuggestedTask
from .sandboxes import ExposedUrl, Sandbox, SandboxSpec, SandboxStatus
from .settings import Secret, Settings, UserInfo

__all__ = [
    "ActionEvent",
    "AgentType",
    "AppConversation",
    "Branch",
    "Event",
    "ExecutionStatus",
    "ExposedUrl",
    "GitChange",
    "GitDiff",
    "HookEvent",
    "ImageContent",
    "LLMModel",
    "MessageEvent",
    "MetricsSnapshot",
    "ObservationEvent",
    "Page",
    "PluginSpec",
    "Provider",
    "Repository",
    "Sandbox",
    "SandboxSpec",
    "SandboxStatus",
    "Secret",
    "SendMessageResponse",
    "Settings",
    "Skill",
    "StartRequest",
    "StartTask",
    "StartTaskStatus",
    "StateUpdateEvent",
    "SuggestedTask",
    "SuggestedTaskRequest",
    "TextContent",
    "TokenUsage",
    "UserInfo",
    "UserMessage",
    "parse_event",
]
