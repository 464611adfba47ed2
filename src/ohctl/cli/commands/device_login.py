"""The terminal side of ``ohctl auth login --web``: show the one-time code, open the browser when
there is one, and wait for the approval (the flow itself is ``ohctl.cloud.DeviceLogin``)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from ohctl import ExitCode

from .. import inputs
from ..inputs import fail

if TYPE_CHECKING:
    from ohctl.cloud import DeviceAuthorization


def can_open_browser() -> bool:
    """A browser is only opened for a person at a terminal with a display (never in CI or over SSH
    without one): stdin and stdout are terminals, and on Linux DISPLAY or WAYLAND_DISPLAY is set."""
    if not (inputs.stdin_is_tty() and sys.stdout.isatty()):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _web_address(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("https://", "http://"))


def show_code(authorization: DeviceAuthorization, *, open_browser: bool) -> None:
    """Print the code and the address on stderr; open the address in a browser when possible."""
    page = authorization.verification_uri_complete or authorization.verification_uri
    click.echo(f"First copy your one-time code: {authorization.user_code}", err=True)
    click.echo(f"Then open {authorization.verification_uri} and enter it (or open {page}).", err=True)
    if open_browser and _web_address(page) and can_open_browser():
        import webbrowser

        if webbrowser.open(page):
            click.echo("Opened it in your browser.", err=True)
    minutes = max(authorization.expires_in // 60, 1)
    click.echo(f"Waiting for the approval (the code is valid for {minutes} min; Ctrl-C to stop)...", err=True)


def web_login(server: str, *, open_browser: bool = True) -> str:
    """Run the device flow against ``server`` and return the key it gives (exit code 4 on refusal)."""
    import ohctl
    from ohctl.cloud import DeviceLogin, DeviceLoginError

    try:
        with DeviceLogin(server) as login:
            token = login.login(show=lambda a: show_code(a, open_browser=open_browser))
    except DeviceLoginError as exc:
        fail(str(exc), "run `ohctl auth login --web` again, or paste a key with `ohctl auth login`", ExitCode.AUTH)
    except ohctl.NotFoundError:
        fail(
            f"{server} has no browser login (only the hosted Cloud has one)",
            "paste a key instead: `ohctl auth login`",
            ExitCode.AUTH,
        )
    if token.expires_in:
        hours = max(token.expires_in // 3600, 1)
        click.echo(
            f"note: this key expires in about {hours} h; create a lasting one with `ohctl keys create`", err=True
        )
    return token.access_token
