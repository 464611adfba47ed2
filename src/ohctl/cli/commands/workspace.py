"""``ohctl diff / exec / files``: the conversation's sandbox, through its agent server (a paused
sandbox is resumed first)."""

from __future__ import annotations

import shlex
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click

from ..context import state
from ..errors import exit_with
from ..output import Output, with_output
from ..params import CONVERSATION

if TYPE_CHECKING:
    import ohctl

RESUME_TIMEOUT = 300.0


def _agent(conversation: str) -> ohctl.AgentServer:
    return state().client().conversations.ensure_running(conversation, timeout=RESUME_TIMEOUT)


def remote(path: str, base: str) -> str:
    """An absolute sandbox path; a relative one is taken from the agent's working directory."""
    return path if path.startswith("/") else str(PurePosixPath(base) / path)


@click.command("diff")
@click.argument("conversation", type=CONVERSATION)
@click.option("--path", metavar="DIR", help="The repository in the sandbox (default: the conversation's).")
@click.option("--stat", is_flag=True, help="A summary of the changed files instead of the patch.")
@with_output
def diff(conversation: str, path: str | None, stat: bool, out: Output) -> None:
    """The changes in the sandbox's repository as a unified diff (new files included), by running
    git there through the agent server."""
    import ohctl

    try:
        found = state().client().conversations.workspace_diff(conversation, path=path, stat=stat)
    except ohctl.WorkspaceDiffError as exc:
        raise click.ClickException(str(exc)) from None
    root, text = found.repository_path, found.diff
    if out.structured:
        out.emit({"conversation_id": conversation, "repository": root, "diff": text})
        return
    for line in text.splitlines(keepends=True):
        click.echo(_colour(line, out.color), nl=False)


def _colour(line: str, color: bool) -> str:
    if not color:
        return line
    if line.startswith(("+++", "---", "diff --git")):
        return click.style(line, bold=True)
    if line.startswith("+"):
        return click.style(line, fg="green")
    if line.startswith("-"):
        return click.style(line, fg="red")
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    return line


@click.command("exec", context_settings={"ignore_unknown_options": True})
@click.argument("conversation", type=CONVERSATION)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--cwd", metavar="DIR", help="Directory to run in (default: the agent's working directory).")
@click.option("--timeout", type=int, default=300, show_default=True, help="Seconds the command may run.")
def exec_command(conversation: str, command: tuple[str, ...], cwd: str | None, timeout: int) -> None:
    """Run a shell command in the sandbox; exits with the command's exit code.

    \b
    ohctl exec ID -- pytest -q tests/
    ohctl exec ID -- 'git log --oneline | head -3'   # one argument: a shell line
    """
    line = command[0] if len(command) == 1 else shlex.join(command)
    code: int | None = None
    with _agent(conversation) as agent:
        home = agent.conversations.working_directory(conversation)
        where = remote(cwd, home) if cwd else home
        for chunk in agent.bash.stream(line, cwd=where, timeout=timeout):
            if chunk.stdout:
                click.echo(chunk.stdout, nl=False)
            if chunk.stderr:
                click.echo(chunk.stderr, nl=False, err=True)
            if chunk.exit_code is not None:
                code = chunk.exit_code
    if code is None or code < 0:
        click.echo(f"error: the command ended without an exit code ({code}): timed out after {timeout}s?", err=True)
        exit_with(1)
    exit_with(code if code <= 255 else 1)


@click.group("files")
def files_group() -> None:
    """Copy files between this machine and the sandbox (relative sandbox paths: from the working dir)."""


@files_group.command("get")
@click.argument("conversation", type=CONVERSATION)
@click.argument("remote_path", metavar="REMOTE")
@click.argument("local", required=False, metavar="[LOCAL]")
def files_get(conversation: str, remote_path: str, local: str | None) -> None:
    """Download REMOTE from the sandbox to LOCAL (a file or directory; default: here)."""
    with _agent(conversation) as agent:
        source = remote(remote_path, agent.conversations.working_directory(conversation))
        done = agent.files.download(source, local or ".")
    click.echo(f"{done.path} ({done.bytes_written:,} bytes)")


@files_group.command("put")
@click.argument("conversation", type=CONVERSATION)
@click.argument("local", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("remote_path", metavar="REMOTE")
def files_put(conversation: str, local: Path, remote_path: str) -> None:
    """Upload the file LOCAL to REMOTE in the sandbox (a path ending in / keeps the file name)."""
    with _agent(conversation) as agent:
        target = remote(remote_path, agent.conversations.working_directory(conversation))
        if remote_path.endswith("/"):
            target = str(PurePosixPath(target) / local.name)
        agent.files.upload(local, target)
    click.echo(f"{target} ({local.stat().st_size:,} bytes)")
