"""The agent's changes for a model: the library's workspace diff (the same as ``ohctl diff``) or its
patch against the base (what ``ohctl apply`` applies), with the size capped and a note saying how to
get the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ohctl import Patch
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


def patch_view(patch: Patch, max_chars: int) -> dict[str, Any]:
    """The patch's files and counts in full, its text capped at ``max_chars``."""
    text = patch.text
    out: dict[str, Any] = {
        "conversation_id": patch.conversation_id,
        "repository_path": patch.repository_path,
        "base_commit": patch.base_commit,
        "files": [
            {"path": f.path, "status": f.status, "additions": f.additions, "deletions": f.deletions, "binary": f.binary}
            for f in patch.files
        ],
        "stats": patch.stats.model_dump(mode="json"),
        "patch": text[:max_chars],
        "total_chars": len(text),
        "truncated": len(text) > max_chars,
    }
    if out["truncated"]:
        out["note"] = f"Showing the first {max_chars} of {len(text)} characters: call again with a larger max_chars."
    elif not patch.files:
        out["note"] = "The agent left no change in the repository."
    return out
