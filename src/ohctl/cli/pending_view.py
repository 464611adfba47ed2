"""How the actions that wait for confirmation are shown (``pending``, ``watch``, ``run``'s end)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from .render import Paint, one_line

if TYPE_CHECKING:
    import ohctl

RISK_COLOURS = {"HIGH": "red", "MEDIUM": "yellow", "LOW": "green"}


def answer_hints(cid: str) -> list[str]:
    return [f"approve: ohctl approve {cid}", f"reject:  ohctl reject {cid} --reason TEXT"]


def pending_lines(actions: Sequence[ohctl.PendingAction], paint: Paint) -> list[str]:
    lines = []
    for action in actions:
        risk = (action.risk or "UNKNOWN").upper()
        lines.append(f"  {paint(risk.ljust(7), fg=RISK_COLOURS.get(risk))} {one_line(action.brief, 90)}")
        if action.reason:
            lines.append(f"          {paint('reason:', dim=True)} {one_line(action.reason, 82)}")
    return lines


def show_pending(client: ohctl.OpenHands, cid: str, paint: Paint) -> None:
    """On stderr: what waits for approval and the two commands that answer it. Best effort: when the
    actions cannot be read, the commands are still shown."""
    import ohctl

    try:
        actions = client.conversations.pending(cid)
    except ohctl.OhctlError as exc:
        click.echo(f"the agent waits for confirmation (its actions could not be read: {exc})", err=True)
        actions = []
    if actions:
        click.echo(f"waiting for your approval ({len(actions)} action{'s' if len(actions) > 1 else ''}):", err=True)
        for line in pending_lines(actions, paint):
            click.echo(line, err=True)
    for hint in answer_hints(cid):
        click.echo(f"  {hint}", err=True)
