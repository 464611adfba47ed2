"""GitHub: the comment ohctl posts on an issue or pull request, the REST client that posts it, and
the GitHub Action's script (``python -m ohctl.github.action``).

Names are loaded on first use, like ``ohctl`` itself: importing this package costs nothing."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import Comment, GitHub
    from .comment import CommentContext, conversation_url, from_summary, marker, render
    from .errors import (
        GitHubAuthError,
        GitHubConfigError,
        GitHubConnectionError,
        GitHubError,
        GitHubNotFoundError,
        GitHubNoTokenError,
        GitHubPermissionError,
        GitHubRateLimitError,
        GitHubStatusError,
    )
    from .refs import IssueRef
    from .report import CommentResult, comment_body, done_context, post_comment, started_context

_LAZY: dict[str, str] = {
    "Comment": ".client",
    "GitHub": ".client",
    "CommentContext": ".comment",
    "conversation_url": ".comment",
    "from_summary": ".comment",
    "marker": ".comment",
    "render": ".comment",
    "GitHubAuthError": ".errors",
    "GitHubConfigError": ".errors",
    "GitHubConnectionError": ".errors",
    "GitHubError": ".errors",
    "GitHubNoTokenError": ".errors",
    "GitHubNotFoundError": ".errors",
    "GitHubPermissionError": ".errors",
    "GitHubRateLimitError": ".errors",
    "GitHubStatusError": ".errors",
    "IssueRef": ".refs",
    "CommentResult": ".report",
    "post_comment": ".report",
    "comment_body": ".report",
    "done_context": ".report",
    "started_context": ".report",
}

__all__ = [
    "Comment",
    "CommentContext",
    "CommentResult",
    "GitHub",
    "GitHubAuthError",
    "GitHubConfigError",
    "GitHubConnectionError",
    "GitHubError",
    "GitHubNoTokenError",
    "GitHubNotFoundError",
    "GitHubPermissionError",
    "GitHubRateLimitError",
    "GitHubStatusError",
    "IssueRef",
    "conversation_url",
    "from_summary",
    "marker",
    "comment_body",
    "done_context",
    "post_comment",
    "render",
    "started_context",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ohctl.github' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
