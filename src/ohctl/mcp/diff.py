"""The agent's changes for a model: the library's workspace diff (the same as ``ohctl diff``), with
the size capped and a note saying how to get the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ohctl.types import WorkspaceDiff


def diff_view(found: WorkspaceDiff, max_chars: int) -> dict[str, Any]:
    text = found.diff
    out: dict[str, Any] = {
        "conversation_id": found.conversation_id,
        "repository_path": found.repository_path,
        "diff": text[:max_chars],
        "total_chars": len(text),
        "truncated": len(text) > max_chars,
    }
    if out["truncated"]:
        out["note"] = (
            f"Showing the first {max_chars} of {len(text)} characters: call again with stat=true for the changed "
            "files, or with a larger max_chars."
        )
    elif not text.strip():
        out["note"] = "No changes in the repository."
    return out
