"""``ohctl run --attempts N``: best of N (``ohctl.best_of``). The comparison table and progress go to
standard error; standard output is the winner's conversation id (with ``--json``, the whole result)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from ohctl import ExitCode

from ..errors import exit_with
from ..output import Output

if TYPE_CHECKING:
    import ohctl

    from .run import Target

ATTEMPTS_HELP = (
    "Best of N: run the task N times at once and pick the winner (the passing attempt with the smallest "
    "change; see --prefer); prints a comparison table and the winner's id."
)


@dataclass(frozen=True)
class BestOfOptions:
    attempts: int | None
    select: str | None
    prefer: str
    keep: bool
    apply: bool
    path: str | None

    def check(self, *, follow: bool, confirm: str | None, comment_on: str | None, on_done: str | None) -> None:
        """The options that need --attempts, and those that do not go with it."""
        if self.attempts is None:
            given = [
                name
                for name, value in (
                    ("--select", self.select),
                    ("--prefer", self.prefer != "diff"),
                    ("--keep", self.keep),
                    ("--apply", self.apply),
                    ("--path", self.path),
                )
                if value
            ]
            if given:
                raise click.UsageError(f"{', '.join(given)} go{'es' if len(given) == 1 else ''} with --attempts N")
            return
        clash = [
            name
            for name, value in (
                ("--follow", follow),
                ("--confirm", confirm),
                ("--comment", comment_on),
                ("--on-done", on_done),
            )
            if value
        ]
        if clash:
            raise click.UsageError(f"--attempts does not go with {', '.join(clash)}")


def run_attempts(
    client: ohctl.OpenHands,
    text: str,
    target: Target,
    options: BestOfOptions,
    *,
    sandbox_id: str | None,
    model: str | None,
    title: str | None,
    timeout: float,
    stall_after: float | None,
    out: Output,
) -> None:
    """Run the attempts, show the table, print the winner (and apply its change with --apply)."""
    import ohctl

    assert options.attempts is not None
    total = options.attempts

    def update(attempt: ohctl.BestOfAttempt, what: str) -> None:
        who = f" ({attempt.conversation_id})" if attempt.conversation_id and what != "started" else ""
        out.status(f"attempt {attempt.index} of {total}{who}: {what}")

    try:
        result = ohctl.best_of(
            client,
            text,
            attempts=total,
            select=options.select,
            prefer=options.prefer,  # type: ignore[arg-type]  # click's Choice
            keep=options.keep,
            repository=target.repository,
            branch=target.branch,
            git_provider=target.git_provider,
            sandbox_id=sandbox_id,
            path=options.path,
            llm_model=model,
            title=title,
            timeout=timeout,
            stall_after=stall_after,
            on_update=update,
        )
    except KeyboardInterrupt:
        click.echo("", err=True)
        click.echo("interrupted: the attempts that started keep running on the server; see `ohctl list`", err=True)
        exit_with(ExitCode.INTERRUPTED)
    for line in result.table():
        click.echo(line, err=True)
    data: dict[str, Any] = {**result.model_dump(mode="json"), "winner_id": result.winner_id}
    winner = result.winner
    if winner is None or winner.conversation_id is None:
        why = f"no attempt finished and passed `{options.select}`" if options.select else "no attempt finished"
        click.echo(f"error: {why}", err=True)
        if out.structured:
            out.emit(data)
        exit_with(ExitCode.NO_WINNER)
    click.echo(f"winner: attempt {winner.index}, conversation {winner.conversation_id}", err=True)
    if not out.structured:
        click.echo(winner.conversation_id)
    if options.apply:
        from .apply import apply_and_report

        data["applied"] = apply_and_report(
            winner.conversation_id,
            out,
            branch=None,
            worktree=None,
            three_way=False,
            force=False,
            repo=".",
            path=winner.repository_path,
            emit=False,
        )
    if out.structured:
        out.emit(data)
