"""``ohctl stats``: what the server's conversations did over a period (counts by outcome, repository,
model and day, cost and tokens, the slowest and most expensive), as tables, JSON, CSV or an HTML page."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..context import state
from ..output import Output, with_output
from ..params import SINCE

if TYPE_CHECKING:
    import ohctl


@click.command("stats")
@click.option("--since", type=SINCE, default="7d", show_default=True, help="Created since: 2h, 7d, 2w or an ISO date.")
@click.option("--until", type=SINCE, default=None, help="And before: a duration back from now or an ISO date.")
@click.option("--repo", metavar="OWNER/NAME", help="Only conversations on this repository.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="How many slowest and priciest.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML page here.")
@click.option("--csv", "as_csv", is_flag=True, help="Print every conversation as CSV.")
@with_output
def stats(
    since: datetime,
    until: datetime | None,
    repo: str | None,
    top: int,
    html_path: Path | None,
    as_csv: bool,
    out: Output,
) -> None:
    """Statistics of the conversations created in a period: by outcome, repository, model and day,
    cost and tokens, the slowest and the most expensive.

    Tables on a terminal, JSON when piped or with --json, CSV with --csv; --html FILE writes a
    self-contained page with charts (needs the ohctl[report] extra).

    \b
    ohctl stats                         # the last 7 days
    ohctl stats --since 30d --repo octo/app
    ohctl stats --since 2026-11-01 --until 2026-12-01 --csv > november.csv
    ohctl stats --html stats.html
    """
    import ohctl

    from . import legacy

    if legacy.active():
        raise click.UsageError("stats reads the V1 app server; a legacy (V0) server has no such search")
    if as_csv and out.structured:
        raise click.UsageError("--csv and --json/--jq each print the data: choose one")
    progress = Progress(enabled=sys.stderr.isatty())
    found = state().client().conversations.stats(since=since, until=until, repo=repo, top=top, on_page=progress)
    progress.done()
    if html_path is not None:
        html_path.write_text(ohctl.render_stats_html(found), encoding="utf-8")
        click.echo(f"wrote {html_path} ({found.total.conversations} conversations)", err=True)
        if not (as_csv or out.structured):
            return
    if as_csv:
        click.echo(found.csv(), nl=False)
        return
    out.emit(found, human=lambda s: show_stats(s, out))


class Progress:
    """One line on a terminal's stderr, rewritten after each page read."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.width = 0  # of the line shown, blanked when done

    def __call__(self, pages: int, conversations: int) -> None:
        if self.enabled:
            line = f"reading conversations: {pages} page(s), {conversations} so far"
            click.echo(f"\r{line}", err=True, nl=False)
            self.width = len(line)

    def done(self) -> None:
        if self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def show_stats(found: ohctl.FleetStats, out: Output) -> None:
    """The statistics as a few tables."""
    import ohctl

    period = f"since {found.since:%Y-%m-%d %H:%M UTC}" if found.since else "at any time"
    period += f", before {found.until:%Y-%m-%d %H:%M UTC}" if found.until else ""
    period += f", on {found.repository}" if found.repository else ""
    total = found.total
    click.echo(
        f"{total.conversations} conversations created {period}: {_money(total.cost)}, "
        f"{total.tokens:,} tokens ({total.prompt_tokens:,} prompt, {total.completion_tokens:,} completion)"
    )
    if not total.conversations:
        return
    click.echo("")
    out.emit_list(list(found.by_outcome.items()), [("outcome", lambda r: r[0]), ("conversations", lambda r: r[1])])
    groups = [
        ("conversations", lambda g: g.conversations),
        ("cost", lambda g: _money(g.cost)),
        ("tokens", lambda g: f"{g.tokens:,}"),
        ("outcomes", lambda g: ", ".join(f"{k} {v}" for k, v in g.outcomes.items())),
    ]
    for title, rows, first in (
        ("By repository", found.by_repository, "repository"),
        ("By model", found.by_model, "model"),
        ("By day", tuple(g for g in found.by_day if g.conversations), "day"),  # the empty days: in JSON
    ):
        click.echo(f"\n{title}")
        out.emit_list(rows, [(first, lambda g: g.key), *groups])
    lines = [
        ("id", lambda c: c.id),
        ("title", lambda c: (c.title or "")[:40]),
        ("repository", lambda c: c.repository or ""),
        ("outcome", lambda c: c.outcome),
        ("duration", lambda c: ohctl.format_duration(c.duration)),
        ("cost", lambda c: _money(c.cost)),
        ("tokens", lambda c: f"{c.tokens:,}"),
    ]
    for title, convs in (("Most expensive", found.most_expensive), ("Slowest", found.slowest)):
        click.echo(f"\n{title}")
        out.emit_list(convs, lines)
