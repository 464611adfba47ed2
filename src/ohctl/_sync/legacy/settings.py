# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""V0 settings (``/api/settings``): the flat settings, LLM model, key and base URL among them."""

from __future__ import annotations

from typing import Any

from ...types.legacy import LegacySettings
from ._base import LegacyResource


class LegacySettingsResource(LegacyResource):
    def get(self) -> LegacySettings:
        """The stored settings (the key itself is never returned: see ``llm_api_key_set``). A server
        that has none yet answers 404 ``{"error": "Settings not found"}`` (``NotFoundError``)."""
        return self._http.request("GET", "/api/settings", parse=LegacySettings.model_validate)

    def update(
        self,
        *,
        llm_model: str | None = None,
        llm_api_key: str | None = None,
        llm_base_url: str | None = None,
        agent: str | None = None,
        confirmation_mode: bool | None = None,
        **other: Any,
    ) -> None:
        """Store settings. V0 takes a full settings body; fields left out keep their stored values
        (the server fills nulls from what it has). A first save needs ``llm_model`` (and usually
        ``agent="CodeActAgent"``); until then creating a conversation answers 400."""
        body: dict[str, Any] = {
            "llm_model": llm_model,
            "llm_api_key": llm_api_key,
            "llm_base_url": llm_base_url,
            "agent": agent,
            "confirmation_mode": confirmation_mode,
            **other,
        }
        body = {k: v for k, v in body.items() if v is not None}
        # Storing the same settings twice does no harm: a retry is safe.
        self._http.request("POST", "/api/settings", json=body, idempotent=True)
