"""The user's app settings on the hosted Cloud: ``client.cloud.app_settings`` (language, sound
notifications, the git identity the agent commits with)."""

from __future__ import annotations

from typing import Any

from ..._errors import InvalidArgumentError
from ...types.cloud import AppSettings
from ..resources._base import AsyncResource

FIELDS = frozenset({"language", "enable_sound_notifications", "git_user_name", "git_user_email", "git_full_clone"})


class AsyncAppSettingsResource(AsyncResource):
    async def retrieve(self) -> AppSettings:
        return await self._http.request("GET", "/api/users/app", parse=AppSettings.model_validate)

    async def update(self, **changes: Any) -> AppSettings:
        """Change some settings (``git_user_name='Bot'``; None clears one); the others stay."""
        unknown = sorted(set(changes) - FIELDS)
        if unknown or not changes:
            raise InvalidArgumentError(f"app settings to change are some of {sorted(FIELDS)}, not {unknown or 'none'}")
        return await self._http.request(
            "POST", "/api/users/app", json=changes, idempotent=True, parse=AppSettings.model_validate
        )
