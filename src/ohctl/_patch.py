"""An agent's change as a git patch: the text ``git diff --binary`` wrote in the sandbox, what it
touches (files, hunks, line counts) and the commit the agent started from. ``Patch.apply`` lands it
in a local checkout (``_patch_apply``); ``conversations.patch`` makes one (``_async/lib/patch``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from .types.common import OhModel

if TYPE_CHECKING:
    from ._patch_apply import AppliedPatch

__all__ = ["Patch", "PatchFile", "PatchHunk", "PatchStats", "parse_patch"]

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


class PatchHunk(OhModel):
    """One ``@@`` hunk: where it starts in the old and new file, and its lines (header included)."""

    old_start: int
    old_lines: int
    new_start: int
    new_lines: int
    text: str


class PatchFile(OhModel):
    """One file of the patch. ``status``: added, deleted, modified, renamed, copied or mode (only the
    mode changed); ``old_path`` differs from ``path`` for a rename or copy."""

    path: str
    old_path: str
    status: str = "modified"
    binary: bool = False
    additions: int = 0
    deletions: int = 0
    hunks: list[PatchHunk] = Field(default_factory=list)

    def hunk_at(self, old_start: int) -> PatchHunk | None:
        """The hunk git reports by the line where it starts in the old file (``patch failed: F:N``)."""
        return next((h for h in self.hunks if h.old_start == old_start), None)


class PatchStats(OhModel):
    files: int = 0
    additions: int = 0
    deletions: int = 0

    def __str__(self) -> str:
        return f"{self.files} file(s), +{self.additions} -{self.deletions}"


class Patch(OhModel):
    """The agent's change in its sandbox against the commit it started from (``base_commit``; None
    when the agent made the repository itself: every file is new), as ``git apply`` reads it.
    ``base``: how the base was found (``start``: HEAD when the conversation started, ``first``: the
    repository's first recorded HEAD, its clone; ``created``: the agent made the repository;
    ``head``: no history to read, the sandbox's HEAD). ``head_commit`` and ``branch`` are the
    sandbox's at the time the patch was made."""

    conversation_id: str
    title: str | None = None
    repository_path: str
    base_commit: str | None = None
    base: str = "start"
    head_commit: str | None = None
    branch: str | None = None
    text: str = Field(default="", repr=False)
    files: list[PatchFile] = Field(default_factory=list)
    stats: PatchStats = Field(default_factory=PatchStats)

    @classmethod
    def from_text(cls, text: str, **fields: object) -> Patch:
        files = parse_patch(text)
        stats = PatchStats(
            files=len(files),
            additions=sum(f.additions for f in files),
            deletions=sum(f.deletions for f in files),
        )
        return cls.model_validate({**fields, "text": text, "files": files, "stats": stats})

    @property
    def empty(self) -> bool:
        return not self.files

    def file(self, path: str) -> PatchFile | None:
        return next((f for f in self.files if path in (f.path, f.old_path)), None)

    def to_bytes(self) -> bytes:
        """The patch exactly as git wrote it (bytes that are not UTF-8 survive the round trip)."""
        return self.text.encode("utf-8", "surrogateescape")

    def apply(
        self,
        repo: str | Path = ".",
        *,
        branch: str | None = None,
        worktree: str | Path | None = None,
        three_way: bool = False,
        force: bool = False,
        message: str | None = None,
    ) -> AppliedPatch:
        """Commit the change on a new branch of the local repository ``repo`` (default
        ``ohctl/<first 8 characters of the conversation id>``), checked out there, or with
        ``worktree`` in a new worktree at that directory. The commit is built in a temporary index
        first: when any file does not apply, ``PatchConflictError`` lists each such file with the
        hunk that failed, and nothing changed. ``three_way``: when the patch does not apply as it
        is, merge it three ways (git needs the base's blobs: fetch the base commit first); a merge
        that conflicts is refused the same way. A checkout with uncommitted changes to tracked files
        is refused unless ``force`` (then the changes stay, unless the patch touches them). Runs
        ``git`` here (blocking: from async code use ``asyncio.to_thread``)."""
        from ._patch_apply import apply_patch

        return apply_patch(
            self, repo, branch=branch, worktree=worktree, three_way=three_way, force=force, message=message
        )


def unquote(name: str) -> str:
    """A path as git prints it: C-quoted (``"a/t\\303\\251st"``) when it has unusual bytes."""
    if not (len(name) >= 2 and name.startswith('"') and name.endswith('"')):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and i + 3 < len(body) + 1 and re.fullmatch(r"[0-7]{3}", body[i + 1 : i + 4]):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt).encode()
            i += 2
            continue
        out += ch.encode("utf-8", "surrogateescape")
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _strip(name: str) -> str:
    # git ends a ---/+++ name that has a space with a tab (so that readers can tell where it ends).
    name = unquote(name.rstrip("\n").removesuffix("\t"))
    if name == "/dev/null":
        return name
    return name.split("/", 1)[1] if "/" in name else name


def _names_of_header(rest: str) -> tuple[str, str]:
    """Old and new path from ``diff --git a/X b/Y`` (ambiguous with spaces: X == Y is assumed)."""
    if rest.startswith('"'):
        end = rest.index('"', 1)
        while rest[end - 1] == "\\":
            end = rest.index('"', end + 1)
        first, second = rest[: end + 1], rest[end + 2 :]
        return _strip(first), _strip(second)
    if len(rest) % 2 == 1:
        half = (len(rest) - 1) // 2
        if rest[half] == " " and rest[2:half] == rest[half + 3 :]:
            return _strip(rest[:half]), _strip(rest[half + 1 :])
    first, _, second = rest.partition(" ")
    return _strip(first), _strip(second)


def parse_patch(text: str) -> list[PatchFile]:
    """The files of a ``git diff`` text, each with its hunks and added and deleted line counts."""
    files: list[PatchFile] = []
    current: PatchFile | None = None
    hunk: list[str] = []
    remaining = [0, 0]  # lines left in the current hunk: old, new

    def close_hunk() -> None:
        if current is not None and hunk:
            found = HUNK.match(hunk[0])
            assert found is not None
            old_start, old_len, new_start, new_len = found.groups()
            current.hunks.append(
                PatchHunk(
                    old_start=int(old_start),
                    old_lines=int(old_len) if old_len is not None else 1,
                    new_start=int(new_start),
                    new_lines=int(new_len) if new_len is not None else 1,
                    text="".join(hunk),
                )
            )
        hunk.clear()

    for line in text.splitlines(keepends=True):
        if hunk and (remaining[0] > 0 or remaining[1] > 0 or line.startswith("\\")):
            hunk.append(line)
            if line.startswith("+"):
                current.additions += 1  # type: ignore[union-attr]
                remaining[1] -= 1
            elif line.startswith("-"):
                current.deletions += 1  # type: ignore[union-attr]
                remaining[0] -= 1
            elif not line.startswith("\\"):
                remaining[0] -= 1
                remaining[1] -= 1
            continue
        if line.startswith("diff --git "):
            close_hunk()
            old, new = _names_of_header(line[len("diff --git ") :].rstrip("\n"))
            current = PatchFile(path=new, old_path=old)
            files.append(current)
            continue
        if current is None:
            continue
        found = HUNK.match(line)
        if found:
            close_hunk()
            hunk.append(line)
            old_len, new_len = found.group(2), found.group(4)
            remaining[:] = [int(old_len) if old_len is not None else 1, int(new_len) if new_len is not None else 1]
            continue
        close_hunk()
        if line.startswith("new file mode"):
            current.status = "added"
        elif line.startswith("deleted file mode"):
            current.status = "deleted"
        elif line.startswith(("rename from ", "copy from ")):
            current.old_path = unquote(line.split(" ", 2)[2].rstrip("\n"))
            current.status = "renamed" if line.startswith("rename") else "copied"
        elif line.startswith(("rename to ", "copy to ")):
            current.path = unquote(line.split(" ", 2)[2].rstrip("\n"))
        elif line.startswith("--- ") and _strip(line[4:]) != "/dev/null":
            current.old_path = _strip(line[4:])
        elif line.startswith("+++ ") and _strip(line[4:]) != "/dev/null":
            current.path = _strip(line[4:])
        elif line.startswith(("GIT binary patch", "Binary files ")):
            current.binary = True
        elif line.startswith("new mode") and current.status == "modified" and not current.hunks:
            current.status = "mode"
    close_hunk()
    for f in files:
        if f.status == "mode" and (f.hunks or f.binary):
            f.status = "modified"
        if f.status == "deleted":
            f.path = f.old_path
    return files
