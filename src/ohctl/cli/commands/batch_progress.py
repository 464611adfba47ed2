"""What ``ohctl batch run`` shows while it works: a live rich panel on a terminal, one plain line
per event when piped (so logs stay greppable)."""

from __future__ import annotations

import time
from typing import Any

import click

_ENDED = ("finished", "failed", "needs_input", "timed_out", "error", "cancelled", "stalled", "invalid_output")
_LINE_EVENTS = {
    "ended",
    "requeued",
    "concurrency",
    "paused",
    "reconciled",
    "poll_error",
    "title_failed",
    "cancelled",
    "running",
    "stalled",
    "retry",
    "output_retry",
    "budget",
}


def counts_line(counts: dict[str, int], cost: float, total: int) -> str:
    started = total - counts.get("pending", 0)
    return (
        f"started {started}/{total}  running {counts.get('running', 0) + counts.get('starting', 0)}  "
        f"finished {counts.get('finished', 0)}  failed {counts.get('failed', 0) + counts.get('error', 0)}  "
        f"needs input {counts.get('needs_input', 0)}  timed out {counts.get('timed_out', 0)}  "
        + (f"stalled {counts['stalled']}  " if counts.get("stalled") else "")
        + (f"invalid output {counts['invalid_output']}  " if counts.get("invalid_output") else "")
        + (f"over budget {counts['over_budget']}  " if counts.get("over_budget") else "")
        + f"cost ${cost:.4f}"
    )


class PlainProgress:
    """One line per event on stderr."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, event: Any) -> None:
        if event.kind not in _LINE_EVENTS:
            return
        elapsed = time.monotonic() - self.started
        what = event.key or "-"
        extra = ""
        if event.result is not None and event.result.error:
            extra = f" ({event.result.error[:160]})"
        click.echo(f"[{elapsed:7.1f}s] {event.kind:<11} {what}: {event.message}{extra}", err=True)


class RichProgress:
    """A live panel: a bar of ended tasks, the counts, the cost, and the last few events."""

    def __init__(self, total: int, *, color: bool) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.total = total
        self.console = Console(stderr=True, no_color=not color, highlight=False)
        self.progress = Progress(
            TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=self.console
        )
        self.bar = self.progress.add_task("batch", total=total)
        self.line = ""
        self.recent: list[str] = []
        self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=False)

    def _render(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        return Group(self.progress, Text(self.line), *(Text(r, style="dim") for r in self.recent[-5:]))

    def __enter__(self) -> RichProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.__exit__(*exc)

    def __call__(self, event: Any) -> None:
        counts = event.counts
        ended = sum(counts.get(s, 0) for s in _ENDED)
        self.progress.update(self.bar, completed=ended)
        self.line = counts_line(counts, event.cost, self.total)
        if event.kind in _LINE_EVENTS - {"running"}:
            self.recent.append(f"{event.kind}: {event.key or '-'} {event.message}"[:150])
        self.live.update(self._render())


def make_progress(total: int, *, tty: bool, color: bool) -> Any:
    return RichProgress(total, color=color) if tty else PlainProgress(total)
