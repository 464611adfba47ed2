"""Agent-server models (the per-sandbox API): bash, files, git, conversations, server details."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .._ids import ConversationId
from .._parse import ShapeError, json_kind
from .common import OhModel
from .conversations import ExecutionStatusValue


class BashCommand(OhModel):
    """A command started in the background; follow its output with ``bash.follow(command.id)``."""

    id: str
    command: str | None = None
    cwd: str | None = None
    timeout: int | None = None
    timestamp: str | None = None
    kind: str = "BashCommand"


class BashOutput(OhModel):
    """One chunk of a command's output; ``exit_code`` is set on the last chunk only."""

    id: str | None = None
    command_id: str
    order: int = 0
    exit_code: int | None = None
    stdout: str | None = None
    stderr: str | None = None
    timestamp: str | None = None
    kind: str = "BashOutput"


class BashResult(OhModel):
    """A finished command: its whole output, joined from every chunk the server recorded."""

    command_id: str
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    chunks: int = 1

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def parse_bash_event(data: dict[str, Any]) -> BashCommand | BashOutput | OhModel:
    if not isinstance(data, dict):
        raise ShapeError(f"expected a bash event object, got {json_kind(data)}")
    kind = data.get("kind")
    if kind == "BashOutput":
        return BashOutput.model_validate(data)
    if kind == "BashCommand":
        return BashCommand.model_validate(data)
    return OhModel.model_validate(data)  # BashError and kinds added later


class UploadResult(OhModel):
    success: bool = True
    file_size: int | None = None  # 1.58 and later


class GitCommit(OhModel):
    sha: str
    short_sha: str | None = None
    subject: str | None = None
    author: str | None = None
    timestamp: str | None = None


class GitCommitsPage(OhModel):
    commits: list[GitCommit] = Field(default_factory=list)
    has_more: bool = False


class ConversationInfo(OhModel):
    """A conversation as its agent server sees it (ids are hyphenated UUIDs there)."""

    id: str
    execution_status: ExecutionStatusValue | None = None
    title: str | None = None
    workspace: dict[str, Any] | None = None
    persistence_dir: str | None = None
    confirmation_policy: dict[str, Any] | None = None
    last_user_message_id: str | None = None
    stats: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    created_at: str | None = None
    updated_at: str | None = None
    agent: dict[str, Any] | None = None

    def ohctl_conversation_id(self) -> ConversationId:
        return ConversationId(self.id)


class ServerInfo(OhModel):
    uptime: float | None = None
    idle_time: float | None = None
    title: str | None = None
    version: str | None = None
    sdk_version: str | None = None
    tools_version: str | None = None
    workspace_version: str | None = None
    python_version: str | None = None
    usable_tools: list[str] | None = None
    capabilities: list[str] | None = None


class VSCodeStatus(OhModel):
    running: bool = False
    enabled: bool = False
    message: str | None = None


class TrajectoryResult(OhModel):
    """Where a saved trajectory went and which source provided it:
    ``app-zip`` (the app server's zip), ``agent-zip`` (the agent server's trajectory download) or
    ``events`` (paged events written by ohctl as a zip of ``event_NNNNNN_<id>.json`` files)."""

    path: str
    source: str
    bytes_written: int
    events: int | None = None
    errors: list[str] = Field(default_factory=list)  # why earlier sources were skipped
