# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..._errors import AuthenticationError, InvalidArgumentError
from ..._parse import json_object, message_of
from ..._routes import route
from ...types.secrets import GitProvider, ProviderToken
from ...types.settings import Secret, Settings
from .._pagination import Pager
from ._base import Resource
from .profiles import Profiles

if TYPE_CHECKING:
    from ..client import OpenHands


class SettingsResource(Resource):
    def __init__(self, client: OpenHands) -> None:
        super().__init__(client)
        self.profiles = Profiles(client)

    def get(self) -> Settings:
        return self._http.request("GET", "/api/v1/settings", parse=Settings.model_validate)

    def update(
        self,
        *,
        agent_settings_diff: dict[str, Any] | None = None,
        conversation_settings_diff: dict[str, Any] | None = None,
        **fields: Any,
    ) -> str:
        """Change settings. ``agent_settings_diff`` and ``conversation_settings_diff`` are deep-merged
        into the stored values (e.g. ``agent_settings_diff={"llm": {"model": "..."}}``); other
        keyword arguments are top-level settings fields. Returns the server's message."""
        for legacy in ("agent_settings", "conversation_settings"):
            if legacy in fields:
                raise InvalidArgumentError(f"Pass {legacy}_diff=..., not {legacy}=...: the server merges diffs only")
        body = dict(fields)
        if agent_settings_diff is not None:
            body["agent_settings_diff"] = agent_settings_diff
        if conversation_settings_diff is not None:
            body["conversation_settings_diff"] = conversation_settings_diff
        if not body:
            raise InvalidArgumentError("Nothing to update: pass at least one field")
        return self._http.request("POST", "/api/v1/settings", json=body, idempotent=True, parse=message_of)

    def agent_schema(self) -> dict[str, Any]:
        return self._http.request("GET", "/api/v1/settings/agent-schema", parse=json_object)

    def conversation_schema(self) -> dict[str, Any]:
        return self._http.request("GET", "/api/v1/settings/conversation-schema", parse=json_object)


class Secrets(Resource):
    """Stored secrets, exposed to conversations as environment variables. Values are write-only."""

    def search(
        self, *, name_contains: str | None = None, page_size: int | None = None, limit: int | None = None
    ) -> Pager[Secret]:
        params = {"name__contains": name_contains}
        return Pager(
            self._http, "/api/v1/secrets/search", params, Secret.model_validate, page_size=page_size, limit=limit
        )

    def create(self, name: str, value: str, *, description: str | None = None) -> str:
        """Create (or overwrite) a secret. The value is sent once and never logged or returned."""
        body = {"name": name, "value": value, "description": description}
        return self._http.request("POST", "/api/v1/secrets", json=body, idempotent=True, parse=message_of)

    def update(self, name: str, *, new_name: str | None = None, description: str | None = None) -> str:
        """Rename or re-describe a secret; its value is kept."""
        body = {"name": new_name or name, "description": description}
        path = route("/api/v1/secrets/{secret_id}", secret_id=name)
        return self._http.request("PUT", path, json=body, parse=message_of)

    def delete(self, name: str) -> str:
        path = route("/api/v1/secrets/{secret_id}", secret_id=name)
        return self._http.request("DELETE", path, parse=message_of)

    # -- git-provider tokens --------------------------------------------------------------------
    def set_git_providers(
        self,
        tokens: Mapping[GitProvider | str, ProviderToken | str | None],
        *,
        mcp_config: dict[str, Any] | None = None,
    ) -> str:
        """Store git-provider tokens (``{"github": "ghp_...", "gitlab": ProviderToken(token=..., host=...)}``);
        None or an empty token keeps the stored token (use it to change only ``host``). Returns the
        server's message. Token values are sent once and never logged, echoed or kept.

        App server 1.11.0 checks each new token with its provider before storing it: a token the
        provider refuses, or cannot be reached to confirm, is answered 401 "Invalid token...",
        raised here as InvalidArgumentError. The providers given REPLACE the stored set: a provider
        left out is dropped. Unknown provider names give 422. The stored providers show as ``provider_tokens_set`` in
        ``settings.get()`` (only those with a token)."""
        providers: dict[str, Any] = {}
        for provider, value in tokens.items():
            token = value if isinstance(value, ProviderToken) else ProviderToken(token=value)
            providers[str(provider)] = token.model_dump(mode="json", exclude_none=True)
        body: dict[str, Any] = {"provider_tokens": providers}
        if mcp_config is not None:
            body["mcp_config"] = mcp_config
        try:
            return self._http.request(
                "POST", "/api/v1/secrets/git-providers", json=body, idempotent=True, parse=message_of
            )
        except AuthenticationError as exc:
            if "Invalid token" not in exc.detail:
                raise
            raise InvalidArgumentError(
                f"The git provider token was refused: {exc.detail} The server confirms each new token with "
                "its provider, so check the token, the provider name and host, and that the server can reach it"
            ) from None

    def delete_git_providers(self) -> str:
        """Remove every stored git-provider token (there is no per-provider delete)."""
        return self._http.request("DELETE", "/api/v1/secrets/git-providers", parse=message_of)
