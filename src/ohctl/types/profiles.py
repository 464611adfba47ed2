"""Saved LLM profiles (``/api/v1/settings/profiles``). API keys are never returned: ``api_key_set``
says whether one is stored."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .common import OhModel


class LLMProfile(OhModel):
    """One saved profile as the list shows it (``ProfileInfo``)."""

    name: str
    model: str | None = None
    base_url: str | None = None
    api_key_set: bool = False


class LLMProfileList(OhModel):
    """``GET /api/v1/settings/profiles`` (``ProfileListResponse``): every profile and the active one."""

    profiles: list[LLMProfile] = Field(default_factory=list)
    active_profile: str | None = None

    def names(self) -> list[str]:
        return [p.name for p in self.profiles]


class LLMProfileDetail(OhModel):
    """``GET /api/v1/settings/profiles/{name}`` (``ProfileDetailResponse``): the full LLM config,
    with ``config["api_key"]`` always None."""

    name: str
    config: dict[str, Any] = Field(default_factory=dict)
    api_key_set: bool = False

    @property
    def model(self) -> str | None:
        value = self.config.get("model")
        return str(value) if value is not None else None


class ProfileChange(OhModel):
    """What save, delete, rename (``ProfileMutationResponse``) and activate
    (``ActivateProfileResponse``, which adds the now-active ``model``) answer."""

    name: str
    message: str = ""
    model: str | None = None
