"""``ohctl list / show / rename / delete / open``: the conversations themselves."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from ..context import state
from ..output import Output, with_output
from ..params import CONVERSATION, SINCE
from ..render import age

if TYPE_CHECKING:
    from ohctl.types import AppConversation


def _status(conv: AppConversation) -> str:
    from ..render import status_word

    return status_word(conv)


COLUMNS = [
    ("id", lambda c: str(c.id)),
    ("title", lambda c: (c.title or "")[:50]),
    ("repo", lambda c: c.selected_repository or ""),
    ("status", _status),
    ("cost", lambda c: f"${c.cost:.2f}"),
    ("updated", lambda c: age(c.updated_at or c.created_at)),
]


@click.command("list")
@click.option("--title", "title", metavar="TEXT", help="Only titles containing TEXT.")
@click.option("--since", type=SINCE, help="Only those created since: 30m, 2h, 7d or an ISO date.")
@click.option("--repo", metavar="OWNER/NAME", help="Only conversations on this repository.")
@click.option("--limit", "-L", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many.")
@click.option("--all", "all_", is_flag=True, help="Every conversation (no limit).")
@with_output
def list_command(
    title: str | None,
    since: datetime | None,
    repo: str | None,
    limit: int,
    all_: bool,
    out: Output,
) -> None:
    """Conversations, newest first."""
    from . import legacy

    if legacy.active():
        return legacy.list_conversations(title=title, since=since, repo=repo, limit=limit, all_=all_, out=out)
    client = state().client()
    # The server filters by title and time; the repository is matched here (so no server limit then).
    server_limit = None if (all_ or repo) else limit
    found: Any = client.conversations.search(title_contains=title, created_after=since, limit=server_limit)
    if repo:
        wanted = repo.lower()
        matching = (c for c in found if (c.selected_repository or "").lower() == wanted)
        found = matching if all_ else (c for _, c in zip(range(limit), matching, strict=False))
    from ..render import without_keys

    shown = out.emit_list((without_keys(c) for c in found), COLUMNS)
    if shown == 0 and out.tty and not out.structured:
        out.status("no conversations")


@click.command("show")
@click.argument("conversation", type=CONVERSATION)
@with_output
def show(conversation: str, out: Output) -> None:
    """A conversation at a glance: status, repository, PRs, cost, tokens, messages."""
    from ..render import Paint, show_summary, web_url
    from . import legacy

    if legacy.active():
        return legacy.show(conversation, out=out)
    client = state().client()
    summary = client.conversations.summary(conversation)
    out.emit(summary, human=lambda s: show_summary(s, Paint(out.color), web_url(client, str(s.id))))


@click.command("rename")
@click.argument("conversation", type=CONVERSATION)
@click.argument("title")
def rename(conversation: str, title: str) -> None:
    """Give a conversation a new title."""
    if not title.strip():
        raise click.BadParameter("the title is empty", param_hint="TITLE")
    updated = state().client().conversations.update(conversation, title=title)
    click.echo(f"renamed {updated.id}: {updated.title}", err=True)


@click.command("delete")
@click.argument("conversation", type=CONVERSATION, required=False)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (required when not on a terminal).")
@click.option("--older-than", metavar="AGE", help="Bulk: every conversation not updated for AGE (30m, 12h, 7d).")
@click.option("--status", metavar="STATUS", help="With --older-than: only this status (finished, failed, paused...).")
@click.option("--repo", metavar="OWNER/NAME", help="With --older-than: only conversations on this repository.")
@click.option("--title-contains", metavar="TEXT", help="With --older-than: only titles containing TEXT.")
@click.option("--dry-run", is_flag=True, help="With --older-than: list what would be deleted, delete nothing.")
def delete(
    conversation: str | None,
    yes: bool,
    older_than: str | None,
    status: str | None,
    repo: str | None,
    title_contains: str | None,
    dry_run: bool,
) -> None:
    """Delete a conversation, or in bulk the old ones (--older-than; running agents are never deleted).

    \b
    ohctl delete ID
    ohctl delete --older-than 7d --status finished --dry-run
    ohctl delete --older-than 30d --repo octo/parser --yes
    """
    from ..inputs import confirm_or_yes

    if older_than is not None:
        if conversation is not None:
            raise click.UsageError("give a conversation id or --older-than, not both")
        _delete_old(older_than, status, repo, title_contains, dry_run=dry_run, yes=yes)
        return
    if conversation is None:
        raise click.UsageError("give a conversation id, or --older-than AGE to delete old ones")
    if status or repo or title_contains or dry_run:
        raise click.UsageError("--status, --repo, --title-contains and --dry-run go with --older-than")
    confirm_or_yes(f"Delete conversation {conversation}?", yes)
    client = state().client()
    client.conversations.retrieve(conversation)  # a clear "not found" (or start-task id) message first
    if not client.conversations.delete(conversation):
        raise click.ClickException(f"the server did not delete conversation {conversation}")
    click.echo(f"deleted {conversation}", err=True)


def _delete_old(
    older_than: str, status: str | None, repo: str | None, title_contains: str | None, *, dry_run: bool, yes: bool
) -> None:
    import ohctl

    from .stop import carry_out

    try:
        ohctl.parse_duration(older_than)
    except ohctl.InvalidArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from None
    plan = (
        state()
        .client()
        .conversations.plan_delete(older_than=older_than, status=status, repo=repo, title_contains=title_contains)
    )
    carry_out(plan, dry_run=dry_run, yes=yes, what="conversations")


def _can_open_browser() -> bool:
    """A graphical browser is likely: never start a text browser in the user's terminal."""
    if not sys.stdout.isatty():
        return False
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@click.command("open")
@click.argument("conversation", type=CONVERSATION)
@click.option("--print", "print_only", is_flag=True, help="Print the URL instead of opening it.")
def open_command(conversation: str, print_only: bool) -> None:
    """Open the conversation's web page (prints the URL when there is no browser)."""
    from ..render import web_url

    client = state().client()
    client.conversations.retrieve(conversation)  # exists (and is not a start-task id)
    url = web_url(client, conversation)
    if not print_only and _can_open_browser():
        import webbrowser

        if webbrowser.open(url):
            click.echo(f"opened {url}", err=True)
            return
    click.echo(url)
