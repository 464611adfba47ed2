from __future__ import annotations

from .common import OhModel


class Repository(OhModel):
    id: str
    full_name: str
    git_provider: str | None = None
    is_public: bool | None = None
    stargazers_count: int | None = None
    link_header: str | None = None
    pushed_at: str | None = None
    owner_type: str | None = None
    main_branch: str | None = None


class Branch(OhModel):
    name: str
    commit_sha: str | None = None
    protected: bool | None = None
    last_push_date: str | None = None


class SuggestedTask(OhModel):
    git_provider: str | None = None
    task_type: str | None = None
    repo: str | None = None
    issue_number: int | None = None
    title: str | None = None


class WorkspaceDiff(OhModel):
    """``conversations.workspace_diff``: the agent's changes in its sandbox's repository as a unified
    diff (new files included), or the ``--stat`` summary when ``stat``."""

    conversation_id: str
    repository_path: str
    diff: str
    stat: bool = False
