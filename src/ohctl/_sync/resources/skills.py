# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Skills the app server offers: ``client.skills``."""

from __future__ import annotations

from ...types.skills import SkillInfo
from .._pagination import Pager
from ._base import Resource


class Skills(Resource):
    def search(self, *, page_size: int | None = None, limit: int | None = None) -> Pager[SkillInfo]:
        """The global skills (shipped with the server) and the user's own (``~/.openhands/microagents``
        on the server's machine), global first, then by name; lazily paged.

        App server 1.11.0 has no filter on this route, and its cursor is the last skill's *name*: two
        skills of the same name can make a page repeat or skip (the pager stops on a repeated
        cursor). A conversation's own skills are ``client.conversations.skills(...)``."""
        return Pager(
            self._http, "/api/v1/skills/search", {}, SkillInfo.model_validate, page_size=page_size, limit=limit
        )
