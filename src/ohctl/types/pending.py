"""An action the agent proposed and waits for a person (or another agent) to approve or reject."""

from __future__ import annotations

from typing import Any

from .common import OhBase


class PendingAction(OhBase):
    """One action awaiting confirmation: what it would do (``command`` or ``path``), the agent's own
    ``risk`` rating (LOW / MEDIUM / HIGH / UNKNOWN, as the LLM stated it) and its ``reason`` (the
    thought it gave with the call, else its summary)."""

    id: str  # the ActionEvent's id
    tool: str | None = None
    command: str | None = None
    path: str | None = None
    brief: str = ""  # one line: ``$ pytest -q``, ``file_editor: create /path``
    risk: str | None = None
    reason: str = ""
    summary: str | None = None
    timestamp: str | None = None
    action: dict[str, Any] | None = None  # the tool call's arguments, as the server keeps them
