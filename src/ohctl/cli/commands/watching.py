"""``ohctl watch`` (status lines until the agents end) and ``ohctl events`` (the event log, live
with --follow)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from ohctl import ExitCode, exit_code_for

from ..context import state
from ..errors import exit_with
from ..hooks import HOOK_HELP, check_hook, run_for
from ..output import Output, color_enabled, with_output
from ..params import CONVERSATION, DURATION, budget_options

if TYPE_CHECKING:
    import ohctl


@click.command("watch")
@click.argument("conversations", nargs=-1, required=True, type=CONVERSATION)
@click.option(
    "--exit-status",
    is_flag=True,
    help="Exit with the outcome's code: 0 finished, 6 failed, 7 needs input, 9 stalled, 10 over budget.",
)
@click.option("--timeout", type=float, default=None, help="Stop after this many seconds (exit code 8).")
@click.option(
    "--interval", type=click.FloatRange(min=0.5), default=2.0, show_default=True, help="Seconds between looks."
)
@click.option(
    "--stall-after",
    type=DURATION,
    default="15m",
    show_default=True,
    help="A running agent with no event for this long ends as stalled (exit 9 with --exit-status); off: never.",
)
@budget_options("each conversation's limit (10 with --exit-status): ")
@click.option("--on-done", metavar="CMD", callback=check_hook, help=HOOK_HELP.format(what="each conversation"))
def watch(
    conversations: tuple[str, ...],
    exit_status: bool,
    timeout: float | None,
    interval: float,
    stall_after: float | None,
    max_cost: float | None,
    max_tokens: int | None,
    on_done: str | None,
) -> None:
    """Print a status line whenever a conversation changes, until every agent has ended.

    \b
    ohctl watch ID                    # until it finishes, fails or needs input
    ohctl watch ID1 ID2 --exit-status # exit code: 6 if any failed, 7 if any needs input
    ohctl watch ID --stall-after 5m   # stalled (9) after five minutes without an event
    ohctl watch ID1 ID2 --on-done ./notify.sh   # once per conversation, as it ends
    ohctl watch ID --max-cost 5       # pause the agent once it has cost $5
    """
    from ..outcomes import interrupted
    from ..pending_view import show_pending
    from ..render import Paint, status_word

    paint = Paint(color_enabled(state().no_color))
    client = state().client()
    ids = list(dict.fromkeys(conversations))
    seen: dict[str, str] = {}
    outcomes: dict[str, str | None] = dict.fromkeys(ids)
    end = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            looked = client.conversations.poll(ids, stall_after=stall_after, max_cost=max_cost, max_tokens=max_tokens)
            for cid, result in looked.items():
                conv = result.conversation
                if conv is None:  # unknown (or not yours): exit 5 with one error line, as `show` does
                    client.conversations.retrieve(cid)  # raises ResourceNotFoundError
                    continue  # it appeared between the two looks: the next round shows it
                line = status_word(conv)
                if conv is not None and conv.sandbox_status is not None and conv.execution_status is not None:
                    line += paint(f"  (sandbox {conv.sandbox_status})", dim=True)
                if result.stall is not None:
                    line = paint(f"stalled: {result.stall.describe()}", bold=True)
                if result.budget is not None:
                    line = paint(f"over budget: {result.budget.describe()}", bold=True)
                if seen.get(cid) != line:
                    seen[cid] = line
                    title = (conv.title or "") if conv is not None else ""
                    stamp = paint(time.strftime("%H:%M:%S"), dim=True)
                    click.echo(f"{stamp} {cid[:8]} {paint(title[:40], bold=True)}  {line}".rstrip())
                    if result.outcome == "needs_input":
                        show_pending(client, cid, paint)  # what waits, and the two commands that answer it
                if on_done is not None and result.outcome is not None and outcomes[cid] is None:
                    run_for(client, on_done, result)  # once per conversation, when it ends
                outcomes[cid] = str(result.outcome) if result.outcome is not None else None
            if all(outcomes[c] is not None for c in ids):
                break
            if end is not None and time.monotonic() >= end:
                pending = [c for c in ids if outcomes[c] is None]
                click.echo(f"timed out: still running: {' '.join(pending)}", err=True)
                exit_with(ExitCode.PENDING)
            pause = interval if end is None else max(0.0, min(interval, end - time.monotonic()))
            time.sleep(pause)
    except KeyboardInterrupt:
        interrupted(ids[0] if len(ids) == 1 else None)
    if exit_status:
        codes = {exit_code_for(o) for o in outcomes.values()}
        for code in (ExitCode.AGENT_FAILED, ExitCode.OVER_BUDGET, ExitCode.STALLED, ExitCode.NEEDS_INPUT):
            if code in codes:
                exit_with(code)


@click.command("events")
@click.argument("conversation", type=CONVERSATION)
@click.option("--kind", metavar="KIND", help="Only events of this kind (MessageEvent, ActionEvent, ...).")
@click.option("--follow", "-f", is_flag=True, help="Go on live until the agent's run ends.")
@click.option("--limit", "-L", type=click.IntRange(min=1), default=None, help="At most this many (not with --follow).")
@click.option("--timeout", type=float, default=None, help="With --follow: stop after this many seconds (exit 8).")
@with_output
def events(
    conversation: str,
    kind: str | None,
    follow: bool,
    limit: int | None,
    timeout: float | None,
    out: Output,
) -> None:
    """A conversation's events, oldest first: a table, JSON lines when piped, live with --follow."""
    from ..render import event_text, one_line

    client = state().client()
    # An unknown id answers an empty event list: say it is unknown (exit 5), as `show` does.
    client.conversations.retrieve(conversation)
    if not follow:
        found = client.events.search(conversation, kind=kind, limit=limit)
        columns = [
            ("time", lambda e: (e.timestamp or "")[11:19]),
            ("kind", lambda e: e.kind.rsplit(".", 1)[-1]),
            ("source", lambda e: e.source or ""),
            ("text", lambda e: one_line(event_text(e), 90)),
        ]
        out.emit_list(found, columns)
        return
    _follow(client, conversation, kind, timeout, out)


def _follow(client: ohctl.OpenHands, conversation: str, kind: str | None, timeout: float | None, out: Output) -> None:
    from ..follow import FollowTimeoutError, follow_events
    from ..outcomes import interrupted
    from ..render import Paint, event_lines

    paint = Paint(out.color)
    wanted = kind.rsplit(".", 1)[-1] if kind else None
    lines = not out.structured and out.tty
    try:
        for event in follow_events(client, conversation, timeout=timeout):
            if wanted and event.kind.rsplit(".", 1)[-1] != wanted:
                continue
            if lines:
                for line in event_lines(event, paint):
                    click.echo(line)
            else:
                out.emit(event)  # one JSON object per event (or the jq results)
    except FollowTimeoutError:
        click.echo(f"timed out: conversation {conversation} is still running", err=True)
        exit_with(ExitCode.PENDING)
    except KeyboardInterrupt:
        interrupted(conversation)
