"""``ohctl apply ID``: the agent's change from its sandbox onto a new branch of this checkout (or into
a new worktree), all or nothing. ``ohctl batch apply LEDGER KEY`` does the same for a batch task."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ohctl import ExitCode

from ..context import state
from ..errors import exit_with
from ..output import Output, with_output
from ..params import CONVERSATION

if TYPE_CHECKING:
    import ohctl


def apply_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``apply`` and ``batch apply`` share."""
    options = [
        click.option(
            "--branch", "-b", metavar="NAME", help="The new branch (default: ohctl/ and the id's first 8 characters)."
        ),
        click.option(
            "--worktree",
            metavar="DIR",
            type=click.Path(file_okay=False, path_type=Path),
            help="Put the new branch in a new worktree at DIR; this checkout stays as it is.",
        ),
        click.option(
            "--3way", "three_way", is_flag=True, help="When the change does not apply as it is, merge it three ways."
        ),
        click.option(
            "--force",
            is_flag=True,
            help="Apply over uncommitted changes to tracked files (they stay, unless the change touches them).",
        ),
        click.option("--repo", "-C", metavar="DIR", default=".", help="The local checkout (default: here)."),
        click.option("--path", metavar="DIR", help="The repository in the sandbox (default: the conversation's)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def apply_and_report(
    conversation: str,
    out: Output,
    *,
    branch: str | None,
    worktree: Path | None,
    three_way: bool,
    force: bool,
    repo: str,
    path: str | None,
    emit: bool = True,
) -> dict[str, Any]:
    """Read the patch, apply it, and say where it landed (or, per file, why it did not). Without
    ``emit`` (``run --attempts --apply``: standard output is the winner's), the report goes to
    standard error and the data is returned for the caller's own output."""
    import ohctl

    client = state().client()
    patch = client.conversations.patch(conversation, path=path)
    base = patch.base_commit[:12] if patch.base_commit else "an empty repository"
    click.echo(f"change: {patch.stats} against {base} (sandbox {patch.repository_path})", err=True)
    try:
        done = patch.apply(repo, branch=branch, worktree=worktree, three_way=three_way, force=force)
    except ohctl.PatchConflictError as exc:
        _report_conflicts(exc)
        exit_with(ExitCode.ERROR)
    data = {
        "conversation_id": patch.conversation_id,
        "branch": done.branch,
        "commit": done.commit,
        "worktree": done.worktree,
        "repository": done.repository,
        "previous": done.previous,
        "three_way": done.three_way,
        "base_commit": patch.base_commit,
        "files": [f.model_dump(mode="json", exclude={"hunks"}) for f in patch.files],
        "stats": patch.stats.model_dump(mode="json"),
    }
    if emit:
        out.emit(data, human=lambda _: _say(done, patch))
    else:
        _say(done, patch, err=True)
    return data


def _say(done: ohctl.AppliedPatch, patch: ohctl.Patch, *, err: bool = False) -> None:
    merged = " (three-way merge)" if done.three_way else ""
    where = f"in the new worktree {done.worktree}" if done.worktree else f"checked out in {done.repository}"
    click.echo(
        f"applied {patch.stats}{merged} as commit {done.commit[:12]} on the new branch {done.branch}, {where}", err=err
    )
    for f in patch.files:
        click.echo(f"  {f.status:<8} {f.path}  +{f.additions} -{f.deletions}{' (binary)' if f.binary else ''}", err=err)
    if done.previous:
        click.echo(f"back: git switch {done.previous}", err=err)


def _report_conflicts(exc: ohctl.PatchConflictError) -> None:
    """Each file that does not apply, with the hunk that failed, then what to try."""
    click.echo(f"error: the change does not apply to {exc.repository}, so nothing was changed:", err=True)
    for conflict in exc.conflicts:
        click.echo(f"  {conflict.describe()}", err=True)
        for line in (conflict.hunk or "").splitlines():
            click.echo(f"    {line}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint.replace('three_way=True (--3way)', '--3way')}", err=True)


@click.command("apply")
@click.argument("conversation", type=CONVERSATION)
@apply_options
@with_output
def apply_command(conversation: str, out: Output, **options: Any) -> None:
    """Bring the agent's change home: its diff in the sandbox (against the commit it started from,
    new files included) becomes a commit on a new branch of this checkout, checked out, or in a new
    worktree with --worktree. Checked first: if any file does not apply, each is listed with the hunk
    that failed, and nothing changes. A paused sandbox is resumed first.

    \b
    ohctl apply ID                       # a new branch ohctl/<id>, checked out here
    ohctl apply ID --worktree ../fix     # a new worktree; this checkout stays as it is
    ohctl apply ID --3way                # merge when the checkout moved on since
    """
    apply_and_report(conversation, out, **options)
