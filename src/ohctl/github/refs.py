"""Names of things on GitHub: ``owner/name`` repositories and ``owner/name#N`` issues."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import GitHubConfigError

_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_ISSUE = re.compile(r"^(?P<repo>[^#\s]+)#(?P<number>\d+)$")


def check_repo(repo: str) -> str:
    """``repo`` if it reads as ``owner/name``, else a GitHubConfigError saying so."""
    if not _REPO.match(repo) or repo.endswith((".", "/")):
        raise GitHubConfigError(f"{repo!r} is not a GitHub repository name: write it as owner/name")
    return repo


@dataclass(frozen=True)
class IssueRef:
    """An issue or pull request: GitHub numbers both alike, and comments on both go to the issue routes."""

    repo: str
    number: int

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"

    @classmethod
    def parse(cls, text: str) -> IssueRef:
        """``owner/name#N``, or an issue or pull request page's URL (``.../owner/name/issues/N``, ``/pull/N``)."""
        text = text.strip()
        for kind in ("/issues/", "/pull/"):
            if kind in text:
                head, _, tail = text.rpartition(kind)
                text = "/".join(head.rstrip("/").split("/")[-2:]) + "#" + tail.strip("/")
        found = _ISSUE.match(text)
        if not found or int(found.group("number")) < 1:
            raise GitHubConfigError(f"{text!r} is not an issue: write it as owner/name#NUMBER (e.g. octo/app#7)")
        return cls(check_repo(found.group("repo")), int(found.group("number")))
