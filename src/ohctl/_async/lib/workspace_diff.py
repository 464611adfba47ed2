"""The agent's changes in its sandbox as one unified diff, new files included, by running git there
through the agent server (the app server's own git routes give one file at a time)."""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ..._errors import WorkspaceDiffError
from ..._ids import ConversationRef, conversation_id
from ...types.git import WorkspaceDiff
from .handoff import ensure_fetched_running

if TYPE_CHECKING:
    from ..agent.client import AsyncAgentServer
    from ..client import AsyncOpenHands

GIT_TIMEOUT = 120

# Tracked changes against HEAD (or the index in a repository with no commit yet), then every
# untracked file that .gitignore does not hide, as a new file: what `git diff` would show after
# `git add -A`, without touching the index.
DIFF_SCRIPT = (
    "cd {root} || exit 2; "
    "if git rev-parse --verify -q HEAD >/dev/null; then git --no-pager diff --no-color {opts} HEAD --; "
    "else git --no-pager diff --no-color {opts} --cached --; fi; "
    "git ls-files -z --others --exclude-standard | "
    "xargs -0 -r -n1 git --no-pager diff --no-color {opts} --no-index /dev/null; exit 0"
)


async def repository_root(agent: AsyncAgentServer, cid: str, repository: str | None, path: str | None) -> str:
    """``path`` (absolute, or relative to the working directory), else the conversation's repository
    under the working directory, else the working directory itself (the first that is a git work tree)."""
    base = await agent.conversations.working_directory(cid)
    if path:
        return path if path.startswith("/") else str(PurePosixPath(base) / path)
    candidates = [base]
    if repository:
        candidates.insert(0, str(PurePosixPath(base) / repository.rsplit("/", 1)[-1]))
    probe = "; ".join(f"git -C {shlex.quote(c)} rev-parse --show-toplevel 2>/dev/null && exit 0" for c in candidates)
    found = await agent.bash.execute(probe + "; exit 1", timeout=30)
    if not found.ok or not found.stdout.strip():
        raise WorkspaceDiffError(f"No git repository in the sandbox at {' or '.join(candidates)}: pass path=.")
    return found.stdout.strip().splitlines()[0]


async def workspace_diff(
    client: AsyncOpenHands,
    conversation: ConversationRef,
    *,
    path: str | None = None,
    stat: bool = False,
    resume_timeout: float | None = 300.0,
) -> WorkspaceDiff:
    """Resume the sandbox if it is paused, find the repository, and run git diff there."""
    cid = conversation_id(conversation)
    conv = await client.conversations.retrieve(cid)
    agent = await ensure_fetched_running(client, conv, timeout=resume_timeout)
    try:
        root = await repository_root(agent, cid, conv.selected_repository, path)
        script = DIFF_SCRIPT.format(root=shlex.quote(root), opts="--stat" if stat else "")
        result = await agent.bash.execute(script, timeout=GIT_TIMEOUT)
    finally:
        await agent.close()
    if not result.ok:
        raise WorkspaceDiffError(f"git diff failed in {root}: {(result.stderr or result.stdout).strip()[:500]}")
    return WorkspaceDiff(conversation_id=cid, repository_path=root, diff=result.stdout, stat=stat)
