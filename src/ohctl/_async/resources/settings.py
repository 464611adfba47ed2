from __future__ import annotations

from typing import Any

from ..._errors import InvalidArgumentError
from ..._routes import route
from ...types.settings import Secret, Settings
from .._pagination import AsyncPager
from ._base import AsyncResource


class AsyncSettings(AsyncResource):
    async def get(self) -> Settings:
        return Settings.model_validate(await self._http.request("GET", "/api/v1/settings"))

    async def update(
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
        data = await self._http.request("POST", "/api/v1/settings", json=body, idempotent=True)
        return str(data.get("message", "")) if isinstance(data, dict) else str(data)

    async def agent_schema(self) -> dict[str, Any]:
        return dict(await self._http.request("GET", "/api/v1/settings/agent-schema"))

    async def conversation_schema(self) -> dict[str, Any]:
        return dict(await self._http.request("GET", "/api/v1/settings/conversation-schema"))


class AsyncSecrets(AsyncResource):
    """Stored secrets, exposed to conversations as environment variables. Values are write-only."""

    def search(
        self, *, name_contains: str | None = None, page_size: int | None = None, limit: int | None = None
    ) -> AsyncPager[Secret]:
        params = {"name__contains": name_contains}
        return AsyncPager(
            self._http, "/api/v1/secrets/search", params, Secret.model_validate, page_size=page_size, limit=limit
        )

    async def create(self, name: str, value: str, *, description: str | None = None) -> str:
        """Create (or overwrite) a secret. The value is sent once and never logged or returned."""
        body = {"name": name, "value": value, "description": description}
        data = await self._http.request("POST", "/api/v1/secrets", json=body, idempotent=True)
        return str(data.get("message", ""))

    async def update(self, name: str, *, new_name: str | None = None, description: str | None = None) -> str:
        """Rename or re-describe a secret; its value is kept."""
        body = {"name": new_name or name, "description": description}
        data = await self._http.request("PUT", route("/api/v1/secrets/{secret_id}", secret_id=name), json=body)
        return str(data.get("message", ""))

    async def delete(self, name: str) -> str:
        data = await self._http.request("DELETE", route("/api/v1/secrets/{secret_id}", secret_id=name))
        return str(data.get("message", ""))
