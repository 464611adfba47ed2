"""Skills the app server offers (``GET /api/v1/skills/search``)."""

from __future__ import annotations

from .common import OhModel


class SkillInfo(OhModel):
    """One global or user-level skill (``SkillInfo``): ``type`` is knowledge, repo or task (as the
    skill file says, so any string), ``source`` is global or user."""

    name: str
    type: str | None = None
    source: str | None = None
    triggers: list[str] | None = None
