"""What can go wrong talking to GitHub, one class per case, each message saying what to do next.

The token is never part of a message: only GitHub's own error text (``message``) and the URL path
are quoted."""

from __future__ import annotations

import time
from typing import Any

import httpx

from .._errors import OhctlError


class GitHubError(OhctlError):
    """Root of the GitHub errors. ``status`` is the HTTP status (None: no answer at all)."""

    def __init__(self, message: str, *, status: int | None = None, github_message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.github_message = github_message


class GitHubConfigError(GitHubError):
    """No token, or a setting that cannot work (a malformed ``owner/name#N``)."""


class GitHubNoTokenError(GitHubConfigError):
    """Neither a token argument nor GITHUB_TOKEN / GH_TOKEN."""


class GitHubConnectionError(GitHubError):
    """GitHub (or the GitHub Enterprise server) could not be reached."""


class GitHubAuthError(GitHubError):
    """401: the token is missing, expired or revoked."""


class GitHubPermissionError(GitHubError):
    """403: the token is valid but may not do this (a missing scope or workflow permission)."""


class GitHubNotFoundError(GitHubError):
    """404: no such repository or issue, or the token cannot see a private repository."""


class GitHubRateLimitError(GitHubError):
    """403 or 429 from a rate limit; ``reset_at`` is when it lifts (epoch seconds) when GitHub says."""

    def __init__(self, message: str, *, status: int, github_message: str | None, reset_at: float | None) -> None:
        super().__init__(message, status=status, github_message=github_message)
        self.reset_at = reset_at


class GitHubStatusError(GitHubError):
    """Any other refusal (422 validation, 5xx after retries)."""


def _github_message(response: httpx.Response) -> str | None:
    try:
        data: Any = response.json()
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return None


def is_rate_limited(response: httpx.Response) -> bool:
    if response.status_code not in (403, 429):
        return False
    if response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers:
        return True
    return "rate limit" in (_github_message(response) or "").lower()


def error_for(response: httpx.Response, what: str) -> GitHubError:
    """The typed error for a refused request; ``what`` says what was tried ("comment on octo/app#7")."""
    status = response.status_code
    said = _github_message(response)
    quoted = f" (GitHub: {said})" if said else ""
    if status == 401:
        return GitHubAuthError(
            f"GitHub refused the token while trying to {what}{quoted}: set GITHUB_TOKEN (or GH_TOKEN) to a valid "
            "token; a personal access token needs the `repo` scope or, fine-grained, Issues read and write",
            status=status,
            github_message=said,
        )
    if is_rate_limited(response):
        reset = response.headers.get("x-ratelimit-reset")
        reset_at = float(reset) if reset and reset.isdigit() else None
        when = f" in {max(0, int(reset_at - time.time()))}s" if reset_at else " later"
        return GitHubRateLimitError(
            f"GitHub's rate limit stopped the request to {what}{quoted}: try again{when}",
            status=status,
            github_message=said,
            reset_at=reset_at,
        )
    if status == 403:
        return GitHubPermissionError(
            f"GitHub does not let this token {what}{quoted}: in a workflow, grant `permissions: issues: write` "
            "(and `pull-requests: write` for pull requests); a personal token needs write access to the repository",
            status=status,
            github_message=said,
        )
    if status == 404:
        return GitHubNotFoundError(
            f"GitHub found nothing to {what}{quoted}: check the owner/name and the issue number; a private "
            "repository also answers 404 when the token cannot see it",
            status=status,
            github_message=said,
        )
    return GitHubStatusError(
        f"GitHub answered {status} while trying to {what}{quoted}", status=status, github_message=said
    )
