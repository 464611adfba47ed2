"""Models of the routes only the hosted Cloud serves (its published OpenAPI document): API keys,
organizations, billing, shared conversations, app settings and the OAuth device flow.

Secret values (a new API key, an LLM key, an organization's sandbox or search key) are kept out of
``repr``; the command line hides them in its output as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from .common import OhModel


class ApiKey(OhModel):
    """One of the user's API keys (``ApiKeyResponse``): never the key itself, only its metadata."""

    id: int
    name: str | None = None
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    not_before: datetime | None = None
    expires_at: datetime | None = None
    org_id: str | None = None  # the organization the key is bound to; None: follows X-Org-Id


class CreatedApiKey(ApiKey):
    """A key just created (``ApiKeyCreateResponse``): ``key`` is its value, shown by the server this
    once and never again; it is not in ``repr``."""

    key: str = Field(repr=False)


class CurrentApiKey(OhModel):
    """The key this client authenticates with (``CurrentApiKeyResponse``): ``org_id`` is the request's
    effective organization, ``bound_org_id`` the key's own (None for a key that follows ``X-Org-Id``)."""

    id: int
    name: str | None = None
    org_id: str | None = None
    bound_org_id: str | None = None
    user_id: str | None = None
    auth_type: str | None = None


class LlmApiKey(OhModel):
    """The LLM key for bring-your-own-runtime use (``LlmApiKeyResponse``); not in ``repr``."""

    key: str | None = Field(default=None, repr=False)


class Organization(OhModel):
    """An organization (``OrgResponse``). Its settings come along as plain dicts; the sandbox and
    search keys are not in ``repr``."""

    id: str
    name: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    credits: float | None = None
    is_personal: bool | None = None
    org_version: int | None = None
    v1_enabled: bool | None = None
    max_budget_per_task: float | None = None
    agent_settings: dict[str, Any] | None = None
    conversation_settings: dict[str, Any] | None = None
    sandbox_api_key: str | None = Field(default=None, repr=False)
    search_api_key: str | None = Field(default=None, repr=False)


class OrganizationPage(OhModel):
    """One page of ``GET /api/organizations`` with the user's current organization's id."""

    items: list[Organization] = Field(default_factory=list)
    next_page_id: str | None = None
    current_org_id: str | None = None


class Membership(OhModel):
    """The user's own membership of an organization (``MeResponse``): role and permissions. The LLM
    keys it carries (masked by the server) are not in ``repr``."""

    org_id: str
    user_id: str | None = None
    email: str | None = None
    role: str | None = None
    status: str | None = None
    permissions: list[str] = Field(default_factory=list)
    llm_api_key: str | None = Field(default=None, repr=False)
    llm_api_key_for_byor: str | None = Field(default=None, repr=False)


class OrgMember(OhModel):
    """A member of an organization (``OrgMemberResponse``)."""

    user_id: str | None = None
    email: str | None = None
    role: str | None = None
    status: str | None = None


class OrgMemberPage(OhModel):
    """One page of members: the server pages these by number (``page_id`` is an offset)."""

    items: list[OrgMember] = Field(default_factory=list)
    current_page: int = 1
    per_page: int = 10


class OrgDefaults(OhModel):
    """An organization's default settings for its members (``OrgDefaultsSettingsResponse``)."""

    agent_settings: dict[str, Any] | None = None
    conversation_settings: dict[str, Any] | None = None
    llm_api_key_set: bool = False
    search_api_key: str | None = Field(default=None, repr=False)


class Credits(OhModel):
    """The credit balance (``GetCreditsResponse``): a decimal string, as the server sends it."""

    credits: str | None = None

    @property
    def amount(self) -> float | None:
        return float(self.credits) if self.credits not in (None, "") else None


class Subscription(OhModel):
    """The subscription in force (``SubscriptionAccessResponse``)."""

    start_at: datetime | None = None
    end_at: datetime | None = None
    created_at: datetime | None = None
    cancelled_at: datetime | None = None
    stripe_subscription_id: str | None = None


class SharedConversation(OhModel):
    """A conversation its owner made public (``SharedConversation``)."""

    id: str | None = None
    created_by_user_id: str | None = None
    sandbox_id: str | None = None
    selected_repository: str | None = None
    selected_branch: str | None = None
    git_provider: Any = None
    title: str | None = None
    pr_number: list[int] = Field(default_factory=list)
    llm_model: str | None = None
    metrics: Any = None
    parent_conversation_id: str | None = None
    sub_conversation_ids: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class AppSettings(OhModel):
    """The user's app settings (``UserAppSettingsResponse``): language, notifications, git identity."""

    language: str | None = None
    user_consents_to_analytics: bool | None = None
    enable_sound_notifications: bool | None = None
    git_user_name: str | None = None
    git_user_email: str | None = None
    git_full_clone: bool | None = None


class DeviceAuthorization(OhModel):
    """The start of the OAuth device flow (``DeviceAuthorizationResponse``). ``device_code`` is what
    the client polls with (kept out of ``repr``); the user enters ``user_code`` at
    ``verification_uri`` (or opens ``verification_uri_complete``)."""

    device_code: str = Field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None = None
    expires_in: int = 600
    interval: int = 5


class DeviceToken(OhModel):
    """The device flow's result: ``access_token`` is an API key of the user (not in ``repr``)."""

    access_token: str = Field(repr=False)
    token_type: str | None = None  # "Bearer"
    expires_in: int | None = None
