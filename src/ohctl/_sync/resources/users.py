# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from typing import Any

from ..._parse import json_object
from ...types.settings import UserInfo
from ._base import Resource


class Users(Resource):
    def me(self, *, expose_secrets: bool = False) -> UserInfo:
        """The current user and their settings (secret values masked unless ``expose_secrets``)."""
        params = {"expose_secrets": True} if expose_secrets else None
        return self._http.request("GET", "/api/v1/users/me", params=params, parse=UserInfo.model_validate)

    def git_info(self) -> dict[str, Any]:
        """The linked git provider's user (403 when no provider is connected)."""
        return self._http.request("GET", "/api/v1/users/git-info", parse=json_object)
