# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""API keys of the hosted Cloud: ``client.cloud.keys``.

A created key's value comes back once, in ``CreatedApiKey.key`` (never in its ``repr``, never
logged); the list and the current-key routes give metadata only. Creating a key is not retried
unless the request provably never reached the server (a retry could make a second key).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..._errors import InvalidArgumentError
from ..._parse import list_of
from ..._routes import route
from ...types.cloud import ApiKey, CreatedApiKey, CurrentApiKey, LlmApiKey
from ..resources._base import Resource
from ._secret_body import request_secret
from .orgs import org_id as checked_org_id

_UNSET: Any = object()


class Keys(Resource):
    def list(self) -> list[ApiKey]:
        """The user's API keys in the effective organization (metadata, never the values)."""
        return self._http.request("GET", "/api/keys", parse=list_of(ApiKey.model_validate))

    def create(
        self,
        name: str | None = None,
        *,
        expires_at: datetime | None = None,
        not_before: datetime | None = None,
        org_id: str | None = _UNSET,
    ) -> CreatedApiKey:
        """Create a key; its value is in the answer's ``key``, shown this once by the server.

        ``org_id`` binds the key to that organization; ``org_id=None`` makes a key that follows the
        ``X-Org-Id`` header (or the user's current organization); left out, the server binds it to
        the request's effective organization.
        """
        body: dict[str, Any] = {"name": name}
        if expires_at is not None:
            body["expires_at"] = expires_at.isoformat()
        if not_before is not None:
            body["not_before"] = not_before.isoformat()
        if org_id is not _UNSET:
            body["org_id"] = None if org_id is None else checked_org_id(org_id)
        return request_secret(
            self._http,
            "POST",
            "/api/keys",
            CreatedApiKey.model_validate,
            json=body,
            idempotent=False,
            unsure="See `client.cloud.keys.list()` for a key of this name before creating another.",
        )

    def delete(self, key_id: int) -> str:
        """Delete a key by its id (from ``list()``); returns the server's message."""
        if isinstance(key_id, bool) or not isinstance(key_id, int) or key_id < 0:
            raise InvalidArgumentError(f"a key id is a whole number (see `keys list`), not {key_id!r}")
        data = self._http.request("DELETE", route("/api/keys/{key_id}", key_id=key_id))
        return str(data.get("message", "")) if isinstance(data, dict) else ""

    def current(self) -> CurrentApiKey:
        """The key this client uses: its id, name, user and effective organization (400 when the
        request is not authenticated with an API key)."""
        return self._http.request("GET", "/api/keys/current", parse=CurrentApiKey.model_validate)

    def byor_permitted(self) -> bool:
        """Whether the effective organization may export its LLM key (bring your own runtime)."""
        data = self._http.request("GET", "/api/keys/llm/byor/permitted")
        return bool(isinstance(data, dict) and data.get("permitted") is True)

    def byor_llm_key(self) -> LlmApiKey:
        """The LLM key for bring-your-own-runtime use (402 when the organization may not export it).
        The server checks the key and makes a new one when the old one no longer works."""
        return request_secret(self._http, "GET", "/api/keys/llm/byor", LlmApiKey.model_validate)

    def refresh_byor_llm_key(self) -> LlmApiKey:
        """Replace the bring-your-own-runtime LLM key with a new one (the old one stops working)."""
        return request_secret(
            self._http, "POST", "/api/keys/llm/byor/refresh", LlmApiKey.model_validate, idempotent=False
        )

    def refresh_managed_llm_key(self) -> bool:
        """Rotate the OpenHands-managed LLM key of the user's organization; True when it was rotated."""
        data = self._http.request("POST", "/api/keys/llm/managed/refresh", idempotent=False)
        return bool(isinstance(data, dict) and data.get("refreshed") is True)
