"""``ohctl local up|status|logs|down``: the real open-source server on this machine."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from ohctl import ExitCode

from ..errors import exit_with
from ..inputs import key_from_env
from ..output import Output, with_output

if TYPE_CHECKING:
    from ohctl.local import LocalServer

PROFILE = "local"


@click.group("local")
def local_group() -> None:
    """Run the real OpenHands server here (no Docker, no account): up, status, logs, down."""


@local_group.command("up")
@click.option("--model", default=None, help="The model (default: LLM_MODEL, else the offline scripted model).")
@click.option("--api-key-env", metavar="VAR", default=None, help="Read the model's API key from this env var.")
@click.option("--base-url", default=None, help="The model's base URL (default: LLM_BASE_URL).")
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1 (default: a free one).")
@click.option("--name", default="default", show_default=True, help="Several local servers can run side by side.")
@click.option("--default/--no-default", "make_default", default=None, help="Make it the default profile.")
@with_output
def up(
    model: str | None,
    api_key_env: str | None,
    base_url: str | None,
    port: int | None,
    name: str,
    make_default: bool | None,
    out: Output,
) -> None:
    """Install (once) and start the server; it becomes the `local` profile."""
    from ohctl.local import LocalServer

    api_key = key_from_env(api_key_env) if api_key_env else None
    server = LocalServer(name)
    before = server.status()
    if not before.running:
        out.status("starting the local OpenHands server (the first run installs it: about a minute)...")
    started = time.monotonic()
    status = server.up(
        model=model, api_key=api_key, base_url=base_url, port=port, notify=lambda line: click.echo(line, err=True)
    )
    profile, default = register(server, make_default)
    if out.structured or not out.tty:
        out.emit({**_status_data(status), "profile": profile, "default_profile": default})
        return
    verb = "already running" if before.running else f"ready in {time.monotonic() - started:.1f}s"
    out.echo(f"local OpenHands server {verb}: {status.url}")
    if status.scripted_model:
        out.echo("model: the offline scripted model (set LLM_MODEL / LLM_API_KEY, or --model, for a real one)")
    else:
        out.echo(f"model: {status.model}")
    if default:
        out.echo(f"profile `{profile}` is the default: `ohctl list`, `ohctl run ...` and OpenHands() use it")
    else:
        out.echo(f"use it with `ohctl --profile {profile} ...` or OHCTL_PROFILE={profile}")


def register(server: LocalServer, make_default: bool | None = None) -> tuple[str, bool]:
    """Store the running local server as a profile (``local``, or ``local-<name>``), the default one
    unless another default exists (or as told); return its name and whether it is the default."""
    import ohctl

    profile = PROFILE if server.name == "default" else f"local-{server.name}"
    default = make_default if make_default is not None else ohctl.default_profile_name() in (None, profile)
    ohctl.save_profile(
        profile, base_url=server.url, api_key=server.session_key, auth="session-key", make_default=default
    )
    return profile, default


def _status_data(status: object) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(status)  # type: ignore[call-overload]
    data["running"] = getattr(status, "running", False)
    return dict(data)


@local_group.command("status")
@click.option("--name", default="default", show_default=True)
@with_output
def status_command(name: str, out: Output) -> None:
    """Whether the local server runs (exit 1 when it is stopped or crashed)."""
    from ohctl.local import LocalServer

    status = LocalServer(name).status()

    def human(_: object) -> None:
        line = f"{status.state}"
        if status.url:
            line += f": {status.url}"
        if status.model:
            line += f" (model {'scripted, offline' if status.scripted_model else status.model})"
        out.echo(line)
        if status.problem:
            out.echo(f"problem: {status.problem}; see `ohctl local logs`, then `ohctl local up`")

    out.emit(_status_data(status), human=human)
    if not status.running:
        exit_with(ExitCode.ERROR)


@local_group.command("logs")
@click.option("--name", default="default", show_default=True)
@click.option("-n", "--lines", type=int, default=100, show_default=True)
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C to stop).")
@click.option(
    "--sandbox",
    "sandbox",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[ID]",
    help="A sandbox's own agent-server log (the newest sandbox without an ID): where a failed start's cause is.",
)
def logs(name: str, lines: int, follow: bool, sandbox: str | None) -> None:
    """The server's log, or a sandbox's (--sandbox)."""
    from ohctl.local import LocalServer

    server = LocalServer(name)
    if sandbox is not None:
        found = server.sandbox_log(sandbox or None)
        if found is None:
            known = ", ".join(log.sandbox_id for log in server.sandbox_logs()[:5]) or "none yet"
            which = f"sandbox {sandbox}" if sandbox else "any sandbox"
            raise click.ClickException(
                f"no log for {which} of the local server {name!r} (sandboxes with logs: {known})"
            )
        click.echo(f"# {found.path}", err=True)
        text, path = found.text(lines), found.path
    else:
        text, path = server.logs(lines), server.log_path
    if text:
        click.echo(text)
    if not follow:
        return
    position = path.stat().st_size if path.exists() else 0  # from where the lines above ended
    try:
        while True:
            if path.exists() and path.stat().st_size > position:
                with open(path, "rb") as log_file:
                    log_file.seek(position)
                    chunk = log_file.read()
                    position += len(chunk)
                click.echo(chunk.decode(errors="replace"), nl=False)
            time.sleep(0.5)
    except KeyboardInterrupt:
        return


@local_group.command("down")
@click.option("--name", default="default", show_default=True)
def down(name: str) -> None:
    """Stop the server, its model and every sandbox it started."""
    from ohctl.local import LocalServer

    ended = LocalServer(name).down()
    click.echo(f"stopped ({len(ended)} processes ended)" if ended else "not running")


@local_group.command("doctor")
@with_output
def doctor(out: Output) -> None:
    """Check that the local server works here, step by step, with a fix for each failure (exit 1 if any fails).

    It starts a throw-away server named `doctor` (a running `ohctl local up` server is untouched),
    runs one conversation with the offline scripted model, and stops it again: about a minute."""
    from ohctl.local.doctor import CheckResult, diagnose

    from ..render import Paint

    paint = Paint(out.color)

    def show(result: CheckResult) -> None:
        if result.ok:
            out.echo(f"{paint('✓', fg='green')} {result.name} ({result.seconds:.1f}s): {result.detail}")
        else:
            out.echo(f"{paint('✗', fg='red', bold=True)} {result.name}: {result.detail}")
            out.echo(f"    fix: {result.fix}")

    if not out.structured:
        out.status("checking the local server (starts a throw-away one: about a minute)...")
    report = diagnose(on_result=None if out.structured else show)
    if out.structured:
        out.emit(report)
    if not report.ok:
        exit_with(ExitCode.ERROR)
