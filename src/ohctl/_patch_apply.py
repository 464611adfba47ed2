"""Land a ``Patch`` in a local git repository, all or nothing.

The commit is built in a temporary index (``git apply --cached``, then ``write-tree`` and
``commit-tree``), so a patch that does not apply leaves the repository as it was: no branch, no file
touched. Only then is the branch made and checked out (or a worktree added); a checkout that git
refuses (uncommitted changes in the way) removes the branch again.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import OhctlError

if TYPE_CHECKING:
    from ._patch import Patch

__all__ = [
    "AppliedPatch",
    "PatchApplyError",
    "PatchConflict",
    "PatchConflictError",
    "PatchError",
    "PatchUnavailableError",
    "apply_patch",
    "conflicts_of",
]

GIT_TIMEOUT = 300
FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "ohctl",
    "GIT_AUTHOR_EMAIL": "ohctl@localhost",
    "GIT_COMMITTER_NAME": "ohctl",
    "GIT_COMMITTER_EMAIL": "ohctl@localhost",
}


class PatchError(OhctlError):
    """An agent's change could not be read from its sandbox, or not applied here."""


class PatchUnavailableError(PatchError):
    """The sandbox is gone, and the change that was not pushed with it. ``pushed_branches`` (what
    the agent's ``git push`` output named) and ``pr_numbers`` say where a pushed copy is."""

    def __init__(self, message: str, *, pushed_branches: list[str], pr_numbers: list[int]) -> None:
        super().__init__(message)
        self.pushed_branches = pushed_branches
        self.pr_numbers = pr_numbers


class PatchApplyError(PatchError):
    """The patch was not applied, and nothing changed: not a git repository, uncommitted changes
    (pass ``force``), the branch or worktree directory exists already, or git refused."""


@dataclass(frozen=True)
class PatchConflict:
    """A file that does not apply: why (git's words), the old-file line of the hunk that failed and
    that hunk's text when git names one."""

    path: str
    reason: str
    line: int | None = None
    hunk: str | None = None

    def describe(self) -> str:
        where = f" (hunk at line {self.line})" if self.line is not None else ""
        return f"{self.path}: {self.reason}{where}"


class PatchConflictError(PatchApplyError):
    """Some files of the patch do not apply to this checkout (``conflicts``, one per file); nothing
    changed."""

    def __init__(self, message: str, *, conflicts: list[PatchConflict], repository: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.conflicts = conflicts
        self.repository = repository
        self.hint = hint


@dataclass(frozen=True)
class AppliedPatch:
    """Where the change landed: the new ``branch`` and its ``commit``, checked out in ``repository``
    (``previous``: the branch or commit checked out before) or in the new ``worktree``."""

    repository: str
    branch: str
    commit: str
    worktree: str | None = None
    previous: str | None = None
    three_way: bool = False
    files: list[str] = field(default_factory=list)


_PATCH_FAILED = re.compile(r"^error: patch failed: (.+):(\d+)$")
_FILE_ERROR = re.compile(
    r"^error: (.+?): (patch does not apply|already exists in (?:index|working directory)|"
    r"does not exist in index|does not match index|wrong type|No such file or directory)$"
)
_BINARY = re.compile(r"^error: (?:cannot apply binary patch to|binary patch does not apply to) '(.+)'")
_MERGE_CONFLICT = re.compile(r"^Applied patch to '(.+)' with conflicts\.$")
_REASONS = {
    "patch does not apply": "its content here differs from what the agent changed",
    "already exists in index": "the agent added it, and it exists here already",
    "already exists in working directory": "the agent added it, and it exists here already",
    "does not exist in index": "the agent changed or removed it, and it does not exist here",
    "does not match index": "its content here differs from what the agent changed",
    "wrong type": "it is a different kind of file here (file, link or directory)",
    "No such file or directory": "it does not exist here",
}


def conflicts_of(output: str, patch: Patch) -> list[PatchConflict]:
    """Per-file conflicts from ``git apply``'s messages, with the hunk that failed."""
    lines: dict[str, int] = {}
    reasons: dict[str, str] = {}
    for raw in output.splitlines():
        text = raw.strip()
        if found := _PATCH_FAILED.match(text):
            lines.setdefault(found.group(1), int(found.group(2)))
            reasons.setdefault(found.group(1), _REASONS["patch does not apply"])
        elif found := _FILE_ERROR.match(text):
            reasons[found.group(1)] = _REASONS[found.group(2)]
        elif found := _BINARY.match(text):
            reasons[found.group(1)] = "a binary file whose content here differs from the agent's base"
        elif found := _MERGE_CONFLICT.match(text):
            reasons[found.group(1)] = "the three-way merge conflicts"
    out = []
    for path, reason in reasons.items():
        line = lines.get(path)
        changed = patch.file(path)
        hunk = changed.hunk_at(line) if changed is not None and line is not None else None
        out.append(PatchConflict(path=path, reason=reason, line=line, hunk=hunk.text if hunk else None))
    return out


class _Git:
    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.env = env

    def run(self, *args: str, check: bool = True, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 (git, with the arguments built here)
            ["git", "-C", str(self.root), *args],  # noqa: S607 (git from the PATH, as the user runs it)
            input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
            capture_output=True,
            text=True,
            errors="surrogateescape",
            env=self.env,
            timeout=GIT_TIMEOUT,
            check=False,
        )
        if check and done.returncode != 0:
            raise PatchApplyError(f"git {args[0]} failed in {self.root}: {(done.stderr or done.stdout).strip()[:500]}")
        return done

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()


def _toplevel(repo: str | Path) -> Path:
    try:
        done = subprocess.run(  # noqa: S603 (git, with the arguments built here)
            ["git", "-C", str(repo), "rev-parse", "--show-toplevel"],  # noqa: S607 (git from the PATH)
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise PatchApplyError("git is not installed (or not on the PATH)") from None
    if done.returncode != 0:
        raise PatchApplyError(f"{repo} is not in a git repository: pass the checkout to apply the change to")
    return Path(done.stdout.strip())


def default_branch(patch: Patch) -> str:
    return f"ohctl/{patch.conversation_id.replace('-', '')[:8]}"


def _check_target(git: _Git, name: str, worktree: Path | None, force: bool) -> None:
    if not git.ok("check-ref-format", "--branch", name):
        raise PatchApplyError(f"{name!r} is not a valid branch name")
    if git.ok("rev-parse", "--verify", "-q", f"refs/heads/{name}"):
        raise PatchApplyError(f"The branch {name} exists already: pass another branch name (or delete it)")
    if not git.ok("rev-parse", "--verify", "-q", "HEAD^{commit}"):
        raise PatchApplyError(f"{git.root} has no commit yet: commit something first, then apply the change")
    if worktree is not None:
        if worktree.exists() and (not worktree.is_dir() or any(worktree.iterdir())):
            raise PatchApplyError(f"{worktree} exists and is not an empty directory: pass a new directory")
        return
    dirty = git.out("status", "--porcelain", "--untracked-files=no")
    if dirty and not force:
        shown = ", ".join(line[3:] for line in dirty.splitlines()[:5])
        raise PatchApplyError(
            f"{git.root} has uncommitted changes ({shown}): commit or stash them, apply into a new "
            "worktree, or pass force (they stay, unless the change touches them)"
        )


def _identity(git: _Git) -> dict[str, str]:
    """The user's own name and e-mail when git has them, else ohctl's, only for this commit."""
    env = dict(os.environ)
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if not git.ok("var", var):
            env.update(FALLBACK_IDENTITY)
            break
    return env


def _build_commit(
    git: _Git, patch: Patch, patch_file: Path, index: Path, three_way: bool, message: str
) -> tuple[str, bool]:
    """The commit of the patch on HEAD, made in a temporary index; the bool says whether the
    three-way merge was needed. Raises PatchConflictError when it does not apply."""
    env = {**_identity(git), "GIT_INDEX_FILE": str(index)}
    temp = _Git(git.root, env)
    temp.run("read-tree", "HEAD")
    args = ["apply", "--cached", "--whitespace=nowarn", str(patch_file)]
    direct = temp.run(*args, check=False)
    merged = False
    if direct.returncode != 0:
        conflicts = conflicts_of(direct.stderr, patch)
        if not three_way:
            raise _conflict_error(git, patch, conflicts, three_way=False)
        temp.run("read-tree", "HEAD")
        attempt = temp.run("apply", "--cached", "--3way", "--whitespace=nowarn", str(patch_file), check=False)
        if attempt.returncode != 0:
            raise _conflict_error(git, patch, conflicts_of(attempt.stderr, patch) or conflicts, three_way=True)
        merged = True
    tree = temp.out("write-tree")
    commit = temp.run("commit-tree", tree, "-p", "HEAD", "-F", "-", stdin=message.encode()).stdout.strip()
    return commit, merged


def _conflict_error(git: _Git, patch: Patch, conflicts: list[PatchConflict], *, three_way: bool) -> PatchConflictError:
    listed = "; ".join(c.describe() for c in conflicts) or "git refused the patch"
    hints = []
    if not three_way:
        hints.append("three_way=True (--3way) merges the change when this repository has the agent's base")
    if patch.base_commit and not git.ok("cat-file", "-e", f"{patch.base_commit}^{{commit}}"):
        hints.append(f"this repository lacks the agent's base commit {patch.base_commit[:12]}: fetch it first")
    hint = "; ".join(hints)
    return PatchConflictError(
        f"The change of conversation {patch.conversation_id} does not apply to {git.root}, so nothing was "
        f"changed: {listed}" + (f" ({hint})" if hint else ""),
        conflicts=conflicts,
        repository=str(git.root),
        hint=hint,
    )


def _message(patch: Patch) -> str:
    title = patch.title or f"Changes of OpenHands conversation {patch.conversation_id}"
    lines = [title, "", f"OpenHands conversation: {patch.conversation_id}"]
    if patch.base_commit:
        lines.append(f"Agent's base commit: {patch.base_commit}")
    return "\n".join(lines) + "\n"


def apply_patch(
    patch: Patch,
    repo: str | Path,
    *,
    branch: str | None = None,
    worktree: str | Path | None = None,
    three_way: bool = False,
    force: bool = False,
    message: str | None = None,
) -> AppliedPatch:
    """``Patch.apply``: see there."""
    if patch.empty:
        raise PatchApplyError(f"The conversation {patch.conversation_id} left no change in {patch.repository_path}")
    git = _Git(_toplevel(repo))
    name = branch or default_branch(patch)
    target = Path(worktree).resolve() if worktree is not None else None
    _check_target(git, name, target, force)
    with tempfile.TemporaryDirectory(prefix="ohctl-apply-") as tmp:
        patch_file = Path(tmp) / "change.patch"
        patch_file.write_bytes(patch.to_bytes())
        commit, merged = _build_commit(
            git, patch, patch_file, Path(tmp) / "index", three_way, message or _message(patch)
        )
    files = [f.path for f in patch.files]
    if target is not None:
        git.run("worktree", "add", "-b", name, str(target), commit)
        return AppliedPatch(str(git.root), name, commit, worktree=str(target), three_way=merged, files=files)
    previous = git.out("rev-parse", "--abbrev-ref", "HEAD")
    if previous == "HEAD":
        previous = git.out("rev-parse", "HEAD")
    git.run("branch", name, commit)
    switched = git.run("checkout", "-q", name, check=False)
    if switched.returncode != 0:
        git.run("branch", "-D", name, check=False)
        raise PatchApplyError(
            f"git would not check out {name} in {git.root} (nothing was changed): {switched.stderr.strip()[:500]}"
        )
    return AppliedPatch(str(git.root), name, commit, previous=previous, three_way=merged, files=files)
