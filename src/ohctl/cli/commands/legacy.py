"""The conversation commands on a legacy V0 server (``ohctl --legacy list/show/run/send/download``, or
OHCTL_LEGACY=1): the same commands, served by ``ohctl.legacy`` and rendered here. Each V1 command
hands over with one line (``if legacy.active(): return legacy.<command>(...)``)."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ohctl import ExitCode, exit_code_for

from ..context import state
from ..errors import exit_with
from ..output import Output
from ..render import age

if TYPE_CHECKING:
    from ohctl.legacy import LegacyConversation, LegacyOpenHands, LegacySummary


def active() -> bool:
    """Whether this run talks V0: the global ``--legacy`` flag, or OHCTL_LEGACY=1 (see ``State``)."""
    return state().legacy


def client() -> LegacyOpenHands:
    """The V0 client of this run, closed when the command ends."""
    return state().legacy_client()


COLUMNS = [
    ("id", lambda c: c.conversation_id),
    ("title", lambda c: (c.title or "")[:50]),
    ("repo", lambda c: c.selected_repository or ""),
    ("status", lambda c: (c.status or "").lower()),
    ("updated", lambda c: age(c.last_updated_at or c.created_at)),
]


def _public(conversation: LegacyConversation) -> dict[str, Any]:
    """A conversation for output, without its session key."""
    data = conversation.to_dict()
    data.pop("session_api_key", None)
    return data


def list_conversations(
    *,
    title: str | None,
    since: datetime | None,
    repo: str | None,
    limit: int,
    all_: bool,
    out: Output,
) -> None:
    """``ohctl --legacy list``: newest first; the repository is filtered by the server, title and
    time here (V0's list has no such filters)."""
    found = client().conversations.list(selected_repository=repo, page_size=min(max(limit, 1), 100))

    def wanted(conv: LegacyConversation) -> bool:
        if title and title.lower() not in (conv.title or "").lower():
            return False
        if since is not None:
            created = conv.created_at
            if created is None or (created if created.tzinfo else created.replace(tzinfo=timezone.utc)) < since:
                return False
        return True

    matching = (c for c in found if wanted(c))
    chosen = matching if all_ else (c for _, c in zip(range(limit), matching, strict=False))
    table = out.tty and not out.structured  # anything else prints the data: without the session key
    shown = out.emit_list((c if table else _public(c) for c in chosen), COLUMNS)
    if shown == 0 and out.tty and not out.structured:
        out.status("no conversations")


def _summary_lines(summary: LegacySummary) -> list[str]:
    rows = [
        ("conversation", summary.id),
        ("title", summary.title or ""),
        ("status", f"{summary.status} (conversation {(summary.conversation_status or '?').lower()})"),
        ("repository", " ".join(x for x in (summary.repository, summary.branch) if x)),
        ("model", summary.model or ""),
        ("cost", "" if summary.cost is None else f"${summary.cost:.4f}"),
        ("tokens", f"{summary.prompt_tokens:,} in, {summary.completion_tokens:,} out"),
        ("events", str(summary.event_count)),
        ("created", age(summary.created_at)),
        ("task", (summary.first_user_message or "").strip()[:300]),
        ("agent said", (summary.last_agent_message or "").strip()[:600]),
    ]
    return [f"{name:>12}  {value}" for name, value in rows if value]


def show(conversation: str, *, out: Output) -> None:
    """``ohctl --legacy show ID``: the V0 summary (agent state from the events)."""
    summary = client().conversations.summary(conversation)
    out.emit(summary, human=lambda s: click.echo("\n".join(_summary_lines(s))))


def _conclude(oh: LegacyOpenHands, cid: str, outcome: str | None, out: Output, started: float) -> NoReturn:
    summary = oh.conversations.summary(cid)
    if out.structured:
        out.emit(summary)
    else:
        said = (summary.last_agent_message or "").strip().splitlines()
        line = f"{cid}: {outcome or summary.status} in {time.monotonic() - started:.0f}s, {summary.event_count} events"
        click.echo(line + (f": {said[0][:200]}" if said else ""), err=True)
    if outcome is None:
        click.echo(f"timed out: the agent is still running; see `ohctl --legacy show {cid}`", err=True)
    elif outcome == "failed":
        click.echo(f"hint: see what happened: ohctl --legacy show {cid}", err=True)
    exit_with(exit_code_for(outcome))


def _wait(
    oh: LegacyOpenHands, cid: str, timeout: float, after_event: int | None = None, message: str | None = None
) -> str | None:
    import ohctl

    try:
        result = oh.conversations.wait(
            cid, timeout=timeout, poll_interval=1.0, after_event=after_event, message=message
        )
        return result.outcome
    except ohctl.WaitTimeoutError:
        return None


def run(
    text: str,
    target: Any,
    *,
    wait: bool,
    timeout: float,
    out: Output,
) -> None:
    """``ohctl --legacy run TASK``: create the V0 conversation, print its id; ``--wait``/``--follow``
    wait for the agent's outcome (its exit code). ``target``: run.py's repository, branch, provider."""
    oh = client()
    started = time.monotonic()
    created = oh.conversations.create(
        text, repository=target.repository, branch=target.branch, git_provider=target.git_provider
    )
    cid = created.conversation_id
    if not wait:
        out.status(f"started V0 conversation {cid}")
        if out.structured:
            out.emit(created)
        else:
            click.echo(cid)
        return
    out.status(f"started V0 conversation {cid}; waiting for the agent (Ctrl-C leaves it running)")
    try:
        outcome = _wait(oh, cid, timeout)
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: conversation {cid} keeps running on the server", err=True)
        exit_with(ExitCode.INTERRUPTED)
    _conclude(oh, cid, outcome, out, started)


def send(conversation: str, message: str, *, wait: bool, timeout: float, out: Output) -> None:
    """``ohctl --legacy send ID TEXT``: start a STOPPED conversation first (V0 refuses messages to it),
    send, and with ``--wait`` wait for this turn's outcome."""
    oh = client()
    started = time.monotonic()
    conv = oh.conversations.get(conversation)
    if conv.status != "RUNNING":
        out.status(f"starting the conversation ({(conv.status or '?').lower()})")
        oh.conversations.ensure_running(conversation, timeout=min(timeout, 300.0))
    before = oh.events.count(conversation) - 1
    oh.conversations.send_message(conversation, message)
    if not wait:
        out.status(f"sent to {conversation}")
        if out.structured:
            out.emit(_public(oh.conversations.get(conversation)))
        return
    out.status(f"sent to {conversation}; waiting for the agent (Ctrl-C leaves it running)")
    left = max(1.0, timeout - (time.monotonic() - started))
    _conclude(oh, conversation, _wait(oh, conversation, left, after_event=before, message=message), out, started)


def download(conversation: str, output: str | None, *, out: Output) -> None:
    """``ohctl --legacy download ID``: the trajectory as JSON (V0 has no zip of events; the server's
    route, else the events page by page)."""
    path = client().files.save_trajectory(conversation, output or ".")
    size = path.stat().st_size
    info = {"path": str(path), "bytes": size, "conversation_id": conversation}
    out.emit(info, human=lambda i: click.echo(f"{i['path']} ({i['bytes']:,} bytes)"))
