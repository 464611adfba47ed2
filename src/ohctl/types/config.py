from __future__ import annotations

from .common import OhModel


class LLMModel(OhModel):
    provider: str | None = None
    name: str
    verified: bool = False
    hidden: bool = False
    canonical: str | None = None


class Provider(OhModel):
    name: str
    verified: bool = False
