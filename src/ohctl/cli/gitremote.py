"""The repository and branch of the git checkout the command runs in (for ``ohctl run``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# host -> the server's git_provider name
PROVIDERS = {"github.com": "github", "gitlab.com": "gitlab", "bitbucket.org": "bitbucket"}

# git@host:owner/name(.git), ssh://git@host(:port)/owner/name(.git), https://host/owner/name(.git)
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?!//)(?P<path>[^\\]+?)(?:\.git)?/?$")
_URL = re.compile(r"^(?:ssh|https?|git)://(?:[^@/]+@)?(?P<host>[\w.-]+)(?::\d+)?/(?P<path>.+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Checkout:
    repository: str  # owner/name (GitLab: group/subgroup/name)
    git_provider: str
    branch: str | None


def parse_remote(url: str) -> tuple[str, str] | None:
    """(owner/name, provider) from a GitHub or GitLab remote URL (ssh or https); None for others."""
    url = url.strip()
    found = _URL.match(url) or _SCP.match(url)
    if not found:
        return None
    host = found.group("host").lower()
    provider = PROVIDERS.get(host) or ("gitlab" if host.startswith("gitlab.") else None)
    path = found.group("path").strip("/")
    if provider is None or path.count("/") < 1:
        return None
    return path, provider


def _git(cwd: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [git, *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def detect(cwd: Path | None = None) -> Checkout | None:
    """The checkout's remote (``origin``, else the first one) and current branch; None outside a
    checkout or when the remote is not on GitHub or GitLab."""
    where = cwd or Path.cwd()
    remotes = (_git(where, "remote") or "").split()
    if not remotes:
        return None
    name = "origin" if "origin" in remotes else remotes[0]
    url = _git(where, "remote", "get-url", name)
    parsed = parse_remote(url) if url else None
    if parsed is None:
        return None
    branch = _git(where, "symbolic-ref", "--short", "-q", "HEAD")  # nothing on a detached HEAD
    return Checkout(parsed[0], parsed[1], branch or None)
