from __future__ import annotations

from typing import Any

from pydantic import Field

from .common import OhModel


class Settings(OhModel):
    """``GET /api/v1/settings``. Secret values come back masked or null."""

    language: str | None = None
    user_version: int | None = None
    remote_runtime_resource_factor: int | None = None
    secrets_store: dict[str, Any] | None = Field(default=None, repr=False)
    enable_sound_notifications: bool | None = None
    enable_proactive_conversation_starters: bool | None = None
    user_consents_to_analytics: bool | None = None
    sandbox_base_container_image: str | None = None
    sandbox_runtime_container_image: str | None = None
    disabled_skills: list[str] | None = None
    search_api_key: str | None = Field(default=None, repr=False)
    sandbox_api_key: str | None = Field(default=None, repr=False)
    max_budget_per_task: float | None = None
    email: str | None = None
    email_verified: bool | None = None
    git_user_name: str | None = None
    git_user_email: str | None = None
    title_llm_profile: str | None = None
    git_full_clone: bool | None = None
    v1_enabled: bool | None = None
    agent_settings: dict[str, Any] | None = None
    conversation_settings: dict[str, Any] | None = None
    sandbox_grouping_strategy: str | None = None
    default_sandbox_spec_id: str | None = None
    llm_profiles: dict[str, Any] | None = None
    active_agent_profile_id: str | None = None
    active_agent_profile_revision: int | None = None
    registered_marketplaces: list[Any] | None = None
    inherited_marketplaces: list[Any] | None = None
    provider_tokens_set: dict[str, Any] | None = None
    llm_api_key_set: bool | None = None
    search_api_key_set: bool | None = None

    @property
    def llm_model(self) -> str | None:
        llm = (self.agent_settings or {}).get("llm") or {}
        return llm.get("model")


class UserInfo(Settings):
    """``GET /api/v1/users/me``: the settings plus the user id (the Cloud adds org fields)."""

    id: str | None = None
    org_id: str | None = None
    org_name: str | None = None
    role: str | None = None
    permissions: list[str] | None = None


class Secret(OhModel):
    """A stored secret's name and description; values are never returned."""

    name: str
    description: str | None = None
