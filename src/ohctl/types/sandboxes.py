from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Union

from pydantic import Field

from .common import OhModel


class SandboxStatus(str, Enum):
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    ERROR = "ERROR"
    MISSING = "MISSING"

    def __str__(self) -> str:
        return self.value


SandboxStatusValue = Annotated[Union[SandboxStatus, str], Field(union_mode="left_to_right")]  # noqa: UP007

AGENT_SERVER = "AGENT_SERVER"


class ExposedUrl(OhModel):
    name: str
    url: str = Field(repr=False)  # the VSCODE url carries the session key
    port: int | None = None


class Sandbox(OhModel):
    id: str
    created_by_user_id: str | None = None
    sandbox_spec_id: str | None = None
    status: SandboxStatusValue
    session_api_key: str | None = Field(default=None, repr=False)
    exposed_urls: list[ExposedUrl] | None = None
    created_at: datetime | None = None
    status_detail: str | None = None  # hosted Cloud only

    def ohctl_sandbox_id(self) -> str:
        return self.id

    def url_for(self, name: str = AGENT_SERVER) -> str | None:
        for exposed in self.exposed_urls or []:
            if exposed.name == name:
                return exposed.url
        return None


class SandboxSpec(OhModel):
    id: str
    command: list[str] | None = None
    created_at: datetime | None = None
    initial_env: dict[str, Any] = Field(default_factory=dict, repr=False)
    working_dir: str | None = None
