"""``ohctl demo``: the whole job on this machine in half a minute, with nothing but ohctl installed.

It brings up the local server (the offline scripted model unless one is configured), makes a
throw-away git repository, asks the agent to add a function and its test and run the test, shows
start-up and the agent's steps live, then the outcome, the diff, the cost line and where the
trajectory was saved.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import click

from ohctl import ExitCode

from ..errors import exit_with

TASK = (
    "In the git repository at {repo}, add a function add(a, b) in calc.py and a unit test for it in "
    "test_calc.py, run the test, and stage the change with git. {marker}"
)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=ohctl demo", "-c", "user.email=demo@ohctl.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _make_repository(root: Path) -> Path:
    repo = root / f"repo-{time.strftime('%Y%m%d-%H%M%S')}"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("# calc\n\nA throw-away repository for `ohctl demo`.\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "initial commit")
    return repo


@click.command("demo")
@click.option("--timeout", type=float, default=300, show_default=True, help="Give up after this many seconds.")
@click.option("--keep/--down", "keep", default=True, show_default=True, help="Leave the local server running.")
def demo(timeout: float, keep: bool) -> None:
    """Try ohctl with no account and no network: a real agent run on this machine."""
    from ohctl.local import LocalServer
    from ohctl.local.scripted_model import demo_marker

    from ..follow import FollowTimeoutError, follow_events
    from ..output import color_enabled
    from ..render import Paint, event_lines, summary_line

    paint = Paint(color_enabled(False))
    started = time.monotonic()
    server = LocalServer()
    click.echo(paint("1. local server", bold=True))
    status = server.up(notify=lambda line: click.echo(f"   {line}"))
    from .local import register

    profile, default = register(server)
    model = "the offline scripted model" if status.scripted_model else status.model
    click.echo(f"   {status.url}, {model} ({time.monotonic() - started:.1f}s)")
    repo = _make_repository(server.state_dir / "demo")
    click.echo(paint("2. a throw-away repository", bold=True))
    click.echo(f"   {repo}")
    client = server.client()
    try:
        click.echo(paint("3. the task", bold=True))
        task = TASK.format(repo=repo, marker=demo_marker(str(repo)))
        conv_id = last = None
        for update in client.conversations.stream_start(task, title="ohctl demo"):
            click.echo(f"   {str(update.status).lower().replace('_', ' ')}")
            last = update
            if update.app_conversation_id:
                conv_id = update.app_conversation_id
        if conv_id is None:
            from ohctl import describe_start_failure

            failure = describe_start_failure(last, server.url)
            where = "the server's own log: `ohctl local logs`; the sandbox's: `ohctl local logs --sandbox`"
            raise click.ClickException(f"{failure.text(lead='the conversation did not start')}\n({where})")
        click.echo(f"   conversation {conv_id}")
        click.echo(paint("4. the agent, live", bold=True))
        try:
            for event in follow_events(client, str(conv_id), timeout=timeout):
                for line in event_lines(event, paint):
                    click.echo(f"   {line}")
        except FollowTimeoutError:
            click.echo(f"still running after {timeout:.0f}s: follow it with `ohctl watch {conv_id}`", err=True)
            exit_with(ExitCode.PENDING)
        done = client.conversations.wait(conv_id, timeout=60)
        click.echo(paint("5. outcome", bold=True))
        summary = client.conversations.summary(done.id)
        click.echo(f"   {summary_line(summary, paint, time.monotonic() - started)}")
        diff = subprocess.run(["git", "diff", "--cached", "--stat"], cwd=repo, capture_output=True, text=True).stdout
        click.echo(paint("6. the change", bold=True))
        for line in (diff.rstrip() or "(no change)").splitlines():
            click.echo(f"   {line}")
        saved = client.conversations.save_trajectory(done.id, f"{server.state_dir / 'demo' / 'trajectories'}/")
        click.echo(paint("7. the trajectory", bold=True))
        click.echo(f"   {saved.path} ({saved.source}, {saved.bytes_written} bytes)")
        use = "" if default else f" --profile {profile}"
        if keep:
            click.echo(
                f"done in {time.monotonic() - started:.1f}s. Next: `ohctl{use} show {done.id}`, "
                f'`ohctl{use} run --no-repo --follow "your task"`, `ohctl local down` when you are done'
            )
        else:
            click.echo(f"done in {time.monotonic() - started:.1f}s (the local server is stopped now)")
    finally:
        client.close()
        if not keep:
            server.down()
