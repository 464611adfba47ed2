# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Git state of a repository in the sandbox."""

from __future__ import annotations

from ..._parse import list_of
from ..._routes import route
from ...types.agent import GitCommitsPage
from ...types.conversations import GitChange, GitDiff
from ._base import AgentResource
from .files import remote_path


class AgentGit(AgentResource):
    def changes(self, path: str, *, ref: str | None = None) -> list[GitChange]:
        """Changed files of the repository at ``path`` (against ``ref``, default the upstream or HEAD)."""
        params = {"path": remote_path(path), "ref": ref}
        return self._http.request("GET", "/api/git/changes", params=params, parse=list_of(GitChange.model_validate))

    def diff(self, path: str, *, ref: str | None = None, commit: str | None = None) -> GitDiff:
        """The original and modified text of one file (``path`` is the file's absolute path);
        ``commit`` (agent server 1.35 and later) shows that commit's change."""
        params = {"path": remote_path(path), "ref": ref, "commit": commit}
        return self._http.request("GET", "/api/git/diff", params=params, parse=GitDiff.model_validate)

    def commits(self, path: str, *, limit: int | None = None) -> GitCommitsPage:
        """Recent commits of the repository at ``path``, newest first (agent server 1.35 and later)."""
        params = {"path": remote_path(path), "limit": limit}
        return self._http.request("GET", "/api/git/commits", params=params, parse=GitCommitsPage.model_validate)

    def commit_changes(self, sha: str, path: str) -> list[GitChange]:
        """The files one commit changed."""
        return self._http.request(
            "GET",
            route("/api/git/commits/{sha}/changes", sha=sha),
            params={"path": remote_path(path)},
            parse=list_of(GitChange.model_validate),
        )
