"""``ohctl auth``: log in (key checked with the server before it is stored), see who and where from,
log out, print the key for piping, and switch between named profiles."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

import click

from ohctl import ExitCode

from .. import inputs
from ..context import state
from ..errors import exit_with
from ..inputs import fail, read_stdin
from ..output import Output, with_output

if TYPE_CHECKING:
    import ohctl


@click.group("auth")
def auth_group() -> None:
    """Log in to an OpenHands server and manage stored profiles (keys in the OS keyring or a 0600 file).

    The key is taken, in order, from OPENHANDS_API_KEY / OPENHANDS_CLOUD_API_KEY / OH_API_KEY, then
    from the profile (--profile, OHCTL_PROFILE, else the default one). A profile's key is used only
    with the profile's own server.
    """


def _who(user: Any) -> dict[str, Any]:
    return {name: getattr(user, name, None) for name in ("id", "email", "org_id", "org_name", "role")}


def _describe_user(who: dict[str, Any]) -> str:
    if who.get("email") or who.get("id"):
        text = str(who.get("email") or who.get("id"))
        if who.get("org_name"):
            text += f" ({who['org_name']})"
        return text
    return "the server's only user (this server has no user accounts)"


def _env_key_var() -> str | None:
    import ohctl

    return next((var for var in ohctl.API_KEY_VARS if os.environ.get(var)), None)


def _env_url_var() -> str | None:
    import ohctl

    return next((var for var in ohctl.BASE_URL_VARS if os.environ.get(var)), None)


def _selected_name() -> str | None:
    """The profile this run uses: --profile / OHCTL_PROFILE, else the stored default."""
    import ohctl

    return state().profile or ohctl.default_profile_name()


def _stored(name: str | None) -> ohctl.StoredProfile | None:
    """A stored profile's entry (without reading its key)."""
    import ohctl

    return next((p for p in ohctl.list_profiles() if p.name == name), None) if name else None


@auth_group.command("login")
@click.option("--server", metavar="URL", help="The server (default: OPENHANDS_BASE_URL, else the hosted Cloud).")
@click.option("--profile", "profile_opt", metavar="NAME", help="Store it as this profile (default: 'default').")
@click.option("--with-token", is_flag=True, help="Read the key from stdin (for scripts).")
@click.option("--session-key", is_flag=True, help="Send it as X-Session-API-Key (a server run with SESSION_API_KEY).")
@click.option("--no-default", is_flag=True, help="Do not make this profile the default one.")
@click.option("--web", is_flag=True, help="Log in through the browser (the hosted Cloud's device flow).")
@click.option("--no-browser", is_flag=True, help="With --web: print the address, do not open a browser.")
def login(
    server: str | None,
    profile_opt: str | None,
    with_token: bool,
    session_key: bool,
    no_default: bool,
    web: bool,
    no_browser: bool,
) -> None:
    """Store a key for a server, after checking it with the server (GET /api/v1/users/me).

    On a terminal the key is asked for (input hidden); in a script pipe it in with --with-token.
    With --web, approve a one-time code in the browser instead and the hosted Cloud makes the key
    (it prints the code and the address, and opens the browser when there is one).
    A key the server refuses is not stored (exit code 4).
    """
    import ohctl

    name = profile_opt or state().profile or "default"
    if server is None:
        env_var = _env_url_var()
        old = _stored(name)
        server = os.environ[env_var] if env_var else (old.base_url if old and old.base_url else ohctl.CLOUD_URL)
    if web and (with_token or session_key):
        raise click.UsageError("--web makes its own key: it cannot be combined with --with-token or --session-key")
    if web:
        from .device_login import web_login

        key = web_login(server, open_browser=not no_browser)
    elif with_token:
        key = read_stdin("key").strip()
    elif inputs.stdin_is_tty():
        key = str(click.prompt(f"API key for {server} (input hidden)", hide_input=True)).strip()
    else:
        raise click.UsageError("stdin is not a terminal, so the key cannot be asked for: pipe it in with --with-token")
    if not key:
        raise click.UsageError("the key is empty")
    auth: Literal["bearer", "session-key"] = "session-key" if session_key else "bearer"
    try:
        with ohctl.OpenHands(api_key=key, base_url=server, auth=auth, max_retries=1) as client:
            who = _who(client.users.me())
            base_url = client.base_url
    except (ohctl.AuthenticationError, ohctl.PermissionDeniedError) as exc:
        fail(
            f"{server} refused the key ({exc.status_code}); nothing was stored",
            "check the key" + ("" if session_key else ", or pass --session-key for a server run with SESSION_API_KEY"),
            ExitCode.AUTH,
        )
    saved = ohctl.save_profile(name, base_url=base_url, api_key=key, auth=auth, make_default=not no_default)
    where = "the OS keyring" if saved.key_source == "keyring" else f"{saved.key_source} (mode 0600)"
    click.echo(f"Logged in to {base_url} as {_describe_user(who)}.", err=True)
    click.echo(f"Profile {name!r}{' (the default)' if saved.default else ''}; key stored in {where}.", err=True)
    env_var = _env_key_var()
    if env_var:
        click.echo(f"note: {env_var} is set and is used before the stored key", err=True)


@auth_group.command("status")
@with_output
def status(out: Output) -> None:
    """Who you are, on which server, and where the key came from (never the key itself).

    Exit code 4 when there is no key for the server or the server refuses it.
    """
    import ohctl

    run = state()
    name = _selected_name()
    stored = _stored(name)
    url_var = _env_url_var()
    info: dict[str, Any] = {
        "server": None,
        "server_source": url_var or (f"profile {stored.name}" if stored and stored.base_url else "default"),
        "auth": None,
        "key_source": None,
        "profile": stored.name if stored else None,
        "logged_in": False,
        "user": None,
        "error": None,
    }
    code = ExitCode.OK
    try:
        client = run.client()
    except ohctl.ConfigurationError as exc:
        info["error"] = str(exc)
        code = ExitCode.AUTH
    else:
        info.update(server=client.base_url, auth=client.config.auth, key_source=client.config.api_key_source)
        try:
            info["user"] = _who(client.users.me())
            info["logged_in"] = True
        except (ohctl.AuthenticationError, ohctl.PermissionDeniedError) as exc:
            info["error"] = f"the server refused the key ({exc.status_code})"
            code = ExitCode.AUTH
    out.emit(info, human=_print_status)
    if code != ExitCode.OK:
        exit_with(code)


def _print_status(info: dict[str, Any]) -> None:
    source = info["server_source"]
    source_text = "the hosted Cloud, the default" if source == "default" else source
    click.echo(f"Server:  {info['server'] or '-'} (from {source_text})")
    if info["key_source"]:
        auth = " as X-Session-API-Key" if info["auth"] == "session-key" else ""
        click.echo(f"Key:     from {info['key_source']}{auth}")
    else:
        click.echo("Key:     none")
    if info["profile"]:
        click.echo(f"Profile: {info['profile']}")
    if info["logged_in"]:
        click.echo(f"User:    {_describe_user(info['user'])}")
    else:
        click.echo(f"Not logged in: {info['error']}")
        click.echo("hint: run `ohctl auth login`, or set OPENHANDS_API_KEY", err=True)


@auth_group.command("logout")
@click.option("--profile", "profile_opt", metavar="NAME", help="The profile to remove (default: the selected one).")
def logout(profile_opt: str | None) -> None:
    """Remove a stored profile and its key (from the keyring or the key file)."""
    import ohctl

    name = profile_opt or _selected_name()
    if not name or not ohctl.delete_profile(name):
        fail(f"no stored profile {name!r}" if name else "no stored profile to log out of", "see `ohctl auth list`")
    click.echo(f"Logged out: profile {name!r} and its key removed.", err=True)
    env_var = _env_key_var()
    if env_var:
        click.echo(f"note: {env_var} is still set in the environment", err=True)


@auth_group.command("token")
def token() -> None:
    """Print the key in use, for piping (`ohctl auth token | other-tool --with-token`).

    The only command that prints a key. Exit code 4 when there is none.
    """
    key = state().client().config.api_key
    if not key:
        fail(
            "no API key is configured for this server",
            "run `ohctl auth login`, or set OPENHANDS_API_KEY",
            ExitCode.AUTH,
        )
    click.echo(key)


@auth_group.command("list")
@with_output
def list_profiles(out: Output) -> None:
    """The stored profiles: name, server, auth scheme, where the key is kept; * marks the default."""
    import ohctl

    rows = [
        {
            "name": p.name,
            "server": p.base_url,
            "auth": p.auth,
            "key": "keyring" if p.key_source == "keyring" else ("file" if p.key_source else None),
            "key_source": p.key_source,
            "default": p.default,
        }
        for p in ohctl.list_profiles()
    ]
    if not rows and out.tty and not out.structured:
        click.echo("No stored profiles: run `ohctl auth login`.", err=True)
        return
    out.emit_list(
        rows,
        [
            ("", lambda r: "*" if r["default"] else ""),
            ("name", lambda r: r["name"]),
            ("server", lambda r: r["server"]),
            ("auth", lambda r: r["auth"]),
            ("key", lambda r: r["key"] or "none"),
        ],
    )


@auth_group.command("switch")
@click.argument("name")
def switch(name: str) -> None:
    """Make profile NAME the default one."""
    import ohctl

    profile = ohctl.set_default_profile(name)
    click.echo(f"Now using profile {profile.name!r} ({profile.base_url}).", err=True)
    if _env_url_var() or _env_key_var():
        click.echo("note: OPENHANDS_* environment variables are set and are used before the profile", err=True)
