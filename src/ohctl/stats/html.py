"""Fleet statistics as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched
at view time, readable on a phone and printable.

The charts are drawn by matplotlib (the ``ohctl[report]`` extra) as static SVG with text kept as text
(``svg.fonttype = none``): a well-kept plotting library rather than hand-drawn geometry, and static
marks, so the page works with JavaScript off and prints as it shows. The page is a jinja2 template
with autoescaping: a title or repository name is always text, never markup. ``render_stats_html`` is
the one seam: it takes a ``FleetStats`` and returns the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from .._format import duration
from .._require import require
from .._version import __version__
from .aggregate import OUTCOMES, FleetStats

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CHARTS", "render_stats_html"]

# Outcome colours, colour-blind safe (Okabe-Ito), the same in every chart and badge.
COLOURS = {
    "finished": "#009E73",
    "failed": "#D55E00",
    "needs_input": "#E69F00",
    "running": "#0072B2",
    "idle": "#56B4E9",
    "paused": "#CC79A7",
    "unknown": "#999999",
}
BAR = "#0072B2"
_PURPOSE = "Drawing the charts of a stats page"


def _plt() -> Any:
    matplotlib = require("matplotlib", extra="report", purpose=_PURPOSE)
    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, selectable, small
            "svg.hashsalt": "ohctl-stats",  # the same data draws the same page
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return require("matplotlib.pyplot", extra="report", purpose=_PURPOSE)


def _label(text: str, width: int = 32) -> str:
    """A label as plain text: ``$`` would start matplotlib's mathtext; long names are shortened."""
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("$", r"\$")


_ID = re.compile(r'\bid="([^"]+)"')


def _svg(fig: Any, name: str) -> str:
    """The figure as an inline ``<svg>``: no XML prologue, and every id prefixed with the chart's
    name, so that several charts in one page never share an id (clip paths refer to theirs)."""
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _plt().close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    ids = set(_ID.findall(text))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{name}-{old}"
        text = text.replace(f'id="{old}"', f'id="{new}"').replace(f"#{old})", f"#{new})")
        text = text.replace(f'href="#{old}"', f'href="#{new}"')
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", text, count=1)
    return text.replace("<svg ", f'<svg role="img" aria-label="{name} chart" class="chart-svg" ', 1)


def _bars(
    ax: Axes, labels: Sequence[str], values: Sequence[float], colours: Sequence[str], *, horizontal: bool
) -> None:
    """One bar per value; each bar's group id is ``mark-N`` (tests count the marks)."""
    positions = range(len(values))
    drawn = (
        ax.barh(positions, values, color=colours, height=0.7)
        if horizontal
        else ax.bar(positions, values, color=colours, width=0.7)
    )
    for i, bar in enumerate(drawn):
        bar.set_gid(f"mark-{i}")
    if horizontal:
        ax.set_yticks(list(positions), [_label(x) for x in labels])
        ax.invert_yaxis()
    else:
        ax.set_xticks(list(positions), [_label(x, 16) for x in labels])
    if not any(v > 0 for v in values):
        _nothing(ax, horizontal=horizontal)


def _nothing(ax: Axes, *, horizontal: bool = False) -> None:
    """An axis from 0 (not a symmetric one around 0) and a word, when every value is 0 (a server
    that reports no cost, say)."""
    (ax.set_xlim if horizontal else ax.set_ylim)(0, 1)
    ax.text(0.5, 0.5, "none recorded", transform=ax.transAxes, ha="center", va="center", color="#5b6472")


def _days_axis(ax: Axes, labels: Sequence[str]) -> None:
    """Day labels (at most about 14 shown), and room around the bars when there are only a few days,
    so that one day is a bar, not a wall."""
    step = max(1, len(labels) // 14)
    ax.set_xticks(list(range(0, len(labels), step)), list(labels)[::step], rotation=45, ha="right")
    if len(labels) < 7:
        pad = (7 - len(labels)) / 2
        ax.set_xlim(-0.5 - pad, len(labels) - 0.5 + pad)


def _whole_numbers(ax: Axes) -> None:
    """Counts are whole: no 2.5 conversations on an axis."""
    ticker = require("matplotlib.ticker", extra="report", purpose=_PURPOSE)
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))


def _figure(rows: int = 1, height: float = 2.6) -> tuple[Any, Axes]:
    fig, ax = _plt().subplots(figsize=(6.4, max(height, 0.32 * rows + 0.8)))
    return fig, ax


def chart_outcomes(stats: FleetStats) -> str:
    fig, ax = _figure()
    names = list(stats.by_outcome)
    _bars(ax, names, [stats.by_outcome[n] for n in names], [COLOURS.get(n, BAR) for n in names], horizontal=False)
    ax.set_ylabel("conversations")
    _whole_numbers(ax)
    return _svg(fig, "outcomes")


def chart_per_day(stats: FleetStats) -> str:
    """Conversations started each day, stacked by outcome (each day one column, empty days too)."""
    fig, ax = _figure(height=2.8)
    days = [g for g in stats.by_day]
    labels = [g.key[5:] if len(g.key) == 10 else g.key for g in days]
    bottom = [0] * len(days)
    mark = 0
    for outcome in [o for o in OUTCOMES if o in stats.by_outcome] + [o for o in stats.by_outcome if o not in OUTCOMES]:
        counts = [g.outcomes.get(outcome, 0) for g in days]
        if not any(counts):
            continue
        drawn = ax.bar(range(len(days)), counts, bottom=bottom, color=COLOURS.get(outcome, BAR), label=outcome)
        for bar, count in zip(drawn, counts, strict=True):
            if count:
                bar.set_gid(f"mark-{mark}")
                mark += 1
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    _days_axis(ax, labels)
    ax.set_ylabel("conversations")
    _whole_numbers(ax)
    if mark:
        ax.legend(frameon=False, fontsize=8, ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0))
    return _svg(fig, "per-day")


def chart_cost_per_day(stats: FleetStats) -> str:
    fig, ax = _figure(height=2.8)
    days = list(stats.by_day)
    labels = [g.key[5:] if len(g.key) == 10 else g.key for g in days]
    _bars(ax, labels, [g.cost for g in days], [BAR] * len(days), horizontal=False)
    _days_axis(ax, labels)
    ax.set_ylabel("cost (USD)")
    return _svg(fig, "cost-per-day")


def chart_tokens_by_model(stats: FleetStats) -> str:
    groups = stats.by_model[:12]
    fig, ax = _figure(rows=len(groups))
    _bars(ax, [g.key for g in groups], [g.tokens for g in groups], [BAR] * len(groups), horizontal=True)
    ax.set_xlabel("tokens (prompt + completion)")
    return _svg(fig, "tokens-by-model")


def chart_cost_by_repository(stats: FleetStats) -> str:
    groups = stats.by_repository[:12]
    fig, ax = _figure(rows=len(groups))
    _bars(ax, [g.key for g in groups], [g.cost for g in groups], [BAR] * len(groups), horizontal=True)
    ax.set_xlabel("cost (USD)")
    return _svg(fig, "cost-by-repository")


# (name, heading, how it is drawn): the page shows them in this order.
CHARTS: tuple[tuple[str, str, Callable[[FleetStats], str]], ...] = (
    ("outcomes", "Conversations by outcome", chart_outcomes),
    ("per-day", "Conversations started per day", chart_per_day),
    ("cost-per-day", "Cost per day", chart_cost_per_day),
    ("cost-by-repository", "Cost by repository", chart_cost_by_repository),
    ("tokens-by-model", "Tokens by model", chart_tokens_by_model),
)


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def render_stats_html(stats: FleetStats) -> str:
    """The page of ``stats``: headline, charts (static SVG), and tables (by repository, by model, the
    slowest and the most expensive conversations, then every conversation)."""
    jinja2 = require("jinja2", extra="cli", purpose="Writing a stats page")
    template = resources.files("ohctl.stats").joinpath("page.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["money"] = _money
    env.filters["span"] = duration
    env.filters["thousands"] = lambda n: f"{n:,}"
    # Our own SVG, marked safe in the template (``|safe``); every text in the page is escaped.
    charts = [(name, heading, draw(stats)) for name, heading, draw in CHARTS]
    return str(
        env.from_string(template).render(
            stats=stats, charts=charts, colours=COLOURS, version=__version__, outcomes=OUTCOMES
        )
    )
