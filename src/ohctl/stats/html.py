"""Fleet statistics as one self-contained HTML page, drawn by the report package (``ohctl.report``):
its charts by ``ohctl.report.charts`` (matplotlib, the ``ohctl[report]`` extra, as static SVG) and
its page by ``ohctl.report.page`` (inline CSS and SVG, nothing fetched at view time, readable on a
phone, printable, every text escaped, every table sortable), as the batch report is.

``render_stats_html`` is the one seam: it takes a ``FleetStats`` and returns the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .._format import duration, short_count
from .._version import __version__
from ..report import charts
from ..report.page import Cell, Chart, Column, Fact, Page, Table, render
from .aggregate import OUTCOMES, ConversationStat, FleetStats, StatsGroup

__all__ = ["CHARTS", "render_stats_html"]

TOP = 12  # repositories and models drawn in their charts (the tables list them all)
DAYS = 7  # a chart over fewer days keeps room for this many, so that one day is a bar, not a wall
NONE = "none recorded"


def _outcomes(stats: FleetStats) -> list[str]:
    return [o for o in OUTCOMES if o in stats.by_outcome] + [o for o in stats.by_outcome if o not in OUTCOMES]


def _day(key: str) -> str:
    return key[5:] if len(key) == 10 else key  # 2026-12-06 -> 12-06


def chart_outcomes(stats: FleetStats) -> str:
    names = list(stats.by_outcome)
    counts = [stats.by_outcome[n] for n in names]
    return charts.bar(
        "outcomes", "Conversations by outcome", names, counts, ylabel="conversations", integer=True, min_slots=4
    )


def chart_per_day(stats: FleetStats) -> str:
    """Conversations started each day, stacked by outcome (each day one column, empty days too)."""
    stacks = {o: [g.outcomes.get(o, 0) for g in stats.by_day] for o in _outcomes(stats)}
    labels = [_day(g.key) for g in stats.by_day]
    title = "Conversations started per day"
    return charts.stacked("per-day", title, labels, stacks, ylabel="conversations", integer=True, min_slots=DAYS)


def chart_cost_per_day(stats: FleetStats) -> str:
    days = stats.by_day
    return charts.bar(
        "cost-per-day",
        "Cost per day",
        [_day(g.key) for g in days],
        [g.cost for g in days],
        colors=[charts.PALETTE[0]] * len(days),
        ylabel="cost (USD)",
        annotate=[],
        min_slots=DAYS,
        when_zero=NONE,
    )


def chart_cost_by_repository(stats: FleetStats) -> str:
    groups = stats.by_repository[:TOP]
    return charts.bar(
        "cost-by-repository",
        "Cost by repository",
        [g.key for g in groups],
        [g.cost for g in groups],
        colors=[charts.PALETTE[0]] * len(groups),
        horizontal=True,
        xlabel="cost (USD)",
        annotate=[_money(g.cost) for g in groups],
        when_zero=NONE,
    )


def chart_tokens_by_model(stats: FleetStats) -> str:
    groups = stats.by_model[:TOP]
    return charts.bar(
        "tokens-by-model",
        "Tokens by model",
        [g.key for g in groups],
        [g.tokens for g in groups],
        colors=[charts.PALETTE[0]] * len(groups),
        horizontal=True,
        xlabel="tokens (prompt + completion)",
        annotate=[short_count(g.tokens) for g in groups],
        when_zero=NONE,
    )


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


def _when(stats: FleetStats) -> str:
    since = f"from {stats.since:%Y-%m-%d %H:%M UTC}" if stats.since else "at any time"
    until = f" to {stats.until:%Y-%m-%d %H:%M UTC}" if stats.until else " to now"
    where = f", on {stats.repository}" if stats.repository else ""
    return (
        f"Conversations created {since}{until}{where}. "
        f"Generated {stats.generated_at:%Y-%m-%d %H:%M UTC} by ohctl {__version__}."
    )


def _facts(stats: FleetStats) -> list[Fact]:
    total = stats.total
    facts = [
        Fact("conversations", f"{total.conversations:,}", name="conversations"),
        Fact("total cost", _money(total.cost), name="cost"),
        Fact(
            "tokens",
            f"{total.tokens:,}",
            detail=f"{total.prompt_tokens:,} prompt, {total.completion_tokens:,} completion",
            name="tokens",
        ),
    ]
    facts += [Fact(o.replace("_", " "), f"{n:,}", css=o, name=f"outcome:{o}") for o, n in stats.by_outcome.items()]
    return facts


def _groups(name: str, title: str, first: str, plural: str, groups: Sequence[StatsGroup], total: StatsGroup) -> Table:
    columns = [
        Column(first, first),
        Column("conversations", "conversations", numeric=True),
        Column("cost", "cost", numeric=True),
        Column("prompt_tokens", "prompt tokens", numeric=True),
        Column("completion_tokens", "completion tokens", numeric=True),
        Column("outcomes", "outcomes"),
    ]

    def numbers(g: StatsGroup) -> list[Cell]:
        return [
            Cell(f"{g.conversations:,}", sort=g.conversations),
            Cell(_money(g.cost), sort=round(g.cost, 6)),
            Cell(f"{g.prompt_tokens:,}", sort=g.prompt_tokens),
            Cell(f"{g.completion_tokens:,}", sort=g.completion_tokens),
        ]

    rows = [
        [Cell(g.key, css="text"), *numbers(g), Cell(", ".join(f"{o}\u00a0{n}" for o, n in g.outcomes.items()))]
        for g in groups
    ]
    totals = [Cell(f"{len(groups):,} {plural if len(groups) != 1 else first}"), *numbers(total), Cell("")]
    return Table(name, title, columns, rows, totals)


def _conversations(
    name: str, title: str, rows: Sequence[ConversationStat], *, every: FleetStats | None = None
) -> Table:
    columns = [
        Column("conversation", "conversation"),
        Column("title", "title"),
        Column("repository", "repository"),
        Column("model", "model"),
        Column("outcome", "outcome"),
        Column("created", "created"),
        Column("duration", "duration", numeric=True),
        Column("cost", "cost", numeric=True),
        Column("tokens", "tokens", numeric=True),
    ]
    cells = [
        [
            Cell(c.id, css="id"),
            Cell(c.title or "", css="text"),
            Cell(c.repository or ""),
            Cell(c.model or ""),
            Cell(c.outcome, css=f"outcome o-{c.outcome}"),
            Cell(f"{c.created_at:%Y-%m-%d %H:%M}" if c.created_at else "", css="when"),
            Cell(duration(c.duration), sort="" if c.duration is None else round(c.duration, 3)),
            Cell(_money(c.cost), sort=round(c.cost, 6)),
            Cell(f"{c.tokens:,}", sort=c.tokens),
        ]
        for c in rows
    ]
    if every is None:
        return Table(name, title, columns, cells)
    total = every.total
    timed = sum(c.duration or 0.0 for c in rows)
    totals = [
        Cell(f"{total.conversations:,} conversations"),
        Cell(""),
        Cell(""),
        Cell(""),
        Cell(", ".join(f"{n} {o}" for o, n in every.by_outcome.items())),
        Cell(""),
        Cell(duration(timed), sort=round(timed, 3)),
        Cell(_money(total.cost), sort=round(total.cost, 6)),
        Cell(f"{total.tokens:,}", sort=total.tokens),
    ]
    return Table(
        name,
        title,
        columns,
        cells,
        totals,
        filter=True,
        filter_column="outcome",
        filter_values=list(every.by_outcome),
    )


def render_stats_html(stats: FleetStats) -> str:
    """The page of ``stats``: headline, charts (static SVG), and tables (by repository, by model, the
    slowest and the most expensive conversations, then every conversation), each sortable."""
    drawn = [Chart(name, heading, draw(stats)) for name, heading, draw in CHARTS] if stats.total.conversations else []
    tables = [
        _groups("by-repository", "By repository", "repository", "repositories", stats.by_repository, stats.total),
        _groups("by-model", "By model", "model", "models", stats.by_model, stats.total),
        _conversations("most-expensive", "Most expensive", stats.most_expensive),
        _conversations("slowest", "Slowest", stats.slowest),
        _conversations(
            "every-conversation",
            f"Every conversation ({len(stats.conversations):,})",
            stats.conversations,
            every=stats,
        ),
    ]
    pages = stats.pages_read
    footer = (
        "Durations run from a conversation's creation to its last update. Cost and tokens are the "
        "server's metrics, sub-conversations included. Outcomes: " + ", ".join(OUTCOMES) + " (an agent's "
        "status is known only while its sandbox runs; a paused sandbox reads as paused, one that is gone "
        f"as unknown). Read in {pages} search page{'s' if pages != 1 else ''} by ohctl {__version__}."
    )
    page = Page(
        title="OpenHands fleet statistics" + (f": {stats.repository}" if stats.repository else ""),
        subtitle=_when(stats),
        facts=_facts(stats),
        charts=drawn,
        tables=tables,
        notice=None if stats.total.conversations else "No conversation was created in this period.",
        footer=footer,
    )
    return render(page)
