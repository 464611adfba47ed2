"""Charts as static SVG strings, drawn by matplotlib from plain data.

Each function takes lists of numbers and labels and returns one ``<svg>`` element, ready to inline
in a page under a heading of its own (the title is not drawn in the chart): text stays text
(``svg.fonttype`` none: small, searchable, selectable), no XML prolog or DOCTYPE, no fixed size
(the page's CSS scales it), a ``role="img"`` and an ``aria-label`` naming the chart, and ids
prefixed with ``name`` so that several charts can share a page. Every mark (a bar, a point's
collection, a line) carries an id starting with ``{name}-mark`` so that tests and scripts can find
and count them.

matplotlib's object API (``Figure``) is used, never ``pyplot``: drawing a report does not touch the
global backend of a program that also plots.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._format import short_count
from .._require import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Colours of outcomes (and of any label not listed, in turn from PALETTE): readable on white, in print
# and for the common colour blindnesses (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
OUTCOME_COLORS = {
    "finished": "#009E73",
    "failed": "#D55E00",
    "error": "#CC79A7",
    "needs_input": "#E69F00",
    "timed_out": "#A6761D",
    "stalled": "#8C564B",
    "cancelled": "#7F7F7F",
    "running": "#0072B2",
    "starting": "#56B4E9",
    "pending": "#BDBDBD",
    # the fleet statistics' outcomes besides (a conversation without a batch's outcome yet)
    "idle": "#56B4E9",
    "paused": "#882255",
    "unknown": "#999999",
}
WIDTH, HEIGHT = 5.0, 3.0  # inches at 72 points each: the SVG's viewBox; the page scales it (about 1:1 on a phone)


def color_of(label: str, index: int = 0) -> str:
    return OUTCOME_COLORS.get(label, PALETTE[index % len(PALETTE)])


@dataclass(frozen=True)
class Series:
    """One line of ``lines``: ``ys`` against ``xs``; ``step`` draws a staircase (a count that jumps),
    ``right`` puts it on a second y axis labelled ``right_label`` of ``lines``."""

    name: str
    xs: Sequence[float]
    ys: Sequence[float]
    step: bool = False
    right: bool = False
    color: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _matplotlib() -> Any:
    mpl = require("matplotlib", extra="report", purpose="Drawing the charts of a report")
    return mpl


_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "ohctl-report",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial", "Liberation Sans"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "path.simplify": True,
}


def _figure(
    height: float = HEIGHT, *, left: float = 0.75, bottom: float = 0.55, right: float = 0.2, top: float = 0.2
) -> tuple[Figure, Axes]:
    """A figure with fixed margins (in inches): a layout engine would measure every text first,
    which costs more than drawing the chart."""
    _matplotlib()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height))
    figure.subplots_adjust(left=left / WIDTH, right=1 - right / WIDTH, bottom=bottom / height, top=1 - top / height)
    return figure, figure.subplots()


def _wrap(label: str, width: int = 28) -> str:
    """A long label on two lines at most (cut with an ellipsis beyond)."""
    if len(label) <= width:
        return label
    import textwrap

    parts = textwrap.wrap(label, width, break_long_words=True, max_lines=2, placeholder="…")
    return "\n".join(parts)


def _text_inches(labels: Sequence[str], size: float = 10) -> float:
    """About how wide the longest label is drawn (an average glyph is 0.6 em wide)."""
    return max((len(label) for label in labels), default=0) * size * 0.6 / 72


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SIZE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"')
_IDS = re.compile(r'\bid="([^"]+)"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _svg(figure: Figure, name: str, title: str) -> str:
    """The figure as an inline ``<svg>``: prolog, DOCTYPE, metadata and fixed size removed, ids
    prefixed with ``name``, and a title for screen readers."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"ohctl-{name}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1))
    for _ in range(2):
        text = _SIZE.sub(r"\1", text, count=1)
    ids = set(_IDS.findall(text))
    if ids:
        pattern = re.compile(r'(\bid="|url\(#|href="#)(' + "|".join(re.escape(i) for i in sorted(ids)) + r')(?=["\)])')
        text = pattern.sub(lambda m: f"{m.group(1)}{_own(name, m.group(2))}", text)
    label = _attr(title)
    text = text.replace("<svg ", f'<svg role="img" aria-label="{label}" class="chart" ', 1)
    head = text.index(">", text.index("<svg")) + 1
    return f"{text[:head]}<title>{_text(title)}</title>{text[head:]}".strip()


def _own(name: str, ident: str) -> str:
    return ident if ident.startswith(f"{name}-") else f"{name}-{ident}"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _finish(figure: Figure, axes: Axes, title: str, xlabel: str | None, ylabel: str | None) -> None:
    """Axis labels. The title is not drawn (the page sets it above the chart, as text that wraps on
    a phone; placing it in the figure costs a measure of every tick label): it is the SVG's
    ``<title>`` and ``aria-label``."""
    if xlabel:
        axes.set_xlabel(xlabel)
    if ylabel:
        axes.set_ylabel(ylabel)


def _label_mpl(text: str) -> str:
    """A label as matplotlib shows it literally: ``$`` would start mathtext."""
    return text.replace("$", r"\$")


def empty(name: str, title: str, message: str) -> str:
    """A chart with nothing to show yet, saying so (no marks)."""
    with _rc():
        figure, axes = _figure(height=1.0, left=0.2, bottom=0.2)
        axes.set_axis_off()
        axes.text(0.5, 0.5, _label_mpl(message), ha="center", va="center", color="#666666", transform=axes.transAxes)
        return _svg(figure, name, title)


def _rc() -> Any:
    mpl = _matplotlib()
    return mpl.rc_context(_STYLE)


MAX_TICKS = 14  # category labels written under vertical bars; beyond, every n-th label is written


def _vertical(labels: Sequence[str], xlabel: str | None, top: float = 0.2) -> tuple[Figure, Axes]:
    """A figure for vertical bars, with room under the axis for its (slanted, when many) labels."""
    written = labels[:: _step(labels)]
    slanted = len(written) > 5
    bottom = 0.3 + (_text_inches(written) * 0.5 if slanted else 0.2) + (0.2 if xlabel else 0)
    return _figure(bottom=min(bottom, HEIGHT / 2), top=top)


def _step(labels: Sequence[str]) -> int:
    return max(1, math.ceil(len(labels) / MAX_TICKS))


def _categories(axes: Axes, labels: Sequence[str], min_slots: int) -> None:
    """The x axis of vertical bars: the labels (every n-th when there are more than ``MAX_TICKS``,
    slanted when more than five are written), and room for ``min_slots`` bars at least, so that a
    few bars stay bars, not walls."""
    step = _step(labels)
    positions = list(range(0, len(labels), step))
    axes.set_xticks(positions, [_label_mpl(labels[n]) for n in positions])
    if len(positions) > 5:
        for tick in axes.get_xticklabels():
            tick.set_rotation(30)
            tick.set_horizontalalignment("right")
    if len(labels) < min_slots:
        pad = (min_slots - len(labels)) / 2
        axes.set_xlim(-0.5 - pad, len(labels) - 0.5 + pad)
    axes.grid(axis="x", visible=False)


def _nothing(axes: Axes, message: str, *, horizontal: bool = False) -> None:
    """Every value is 0: an axis from 0 to 1 (not one around 0) and ``message`` across it."""
    (axes.set_xlim if horizontal else axes.set_ylim)(0, 1)
    axes.text(0.5, 0.5, _label_mpl(message), ha="center", va="center", color="#666666", transform=axes.transAxes)


def bar(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    colors: Sequence[str] | None = None,
    horizontal: bool = False,
    xlabel: str | None = None,
    ylabel: str | None = None,
    annotate: Sequence[str] | None = None,
    integer: bool = False,
    min_slots: int = 0,
    when_zero: str | None = None,
) -> str:
    """One bar per label (``horizontal``: the first label on top); ``annotate`` writes a text at the
    end of each bar (default: its value; empty: none); ``integer``: the values are counts
    (whole-number ticks); ``min_slots``: vertical bars take at least that many bars' room;
    ``when_zero``: the message drawn across the chart when every value is 0 (the bars are still
    there, flat)."""
    with _rc():
        if horizontal:
            shown = [_wrap(_label_mpl(label)) for label in labels]
            rows = sum(label.count("\n") + 1 for label in shown)
            height = max(1.8, 0.9 + 0.26 * rows + 0.1 * len(labels))
            lines = [line for label in shown for line in label.splitlines()]
            figure, axes = _figure(height=height, left=min(WIDTH / 2, 0.2 + _text_inches(lines)), right=0.35)
        else:
            figure, axes = _vertical(labels, xlabel)
        paint = list(colors) if colors is not None else [color_of(label, n) for n, label in enumerate(labels)]
        if horizontal:
            bars = axes.barh(range(len(labels)), values, color=paint, height=0.7)
            axes.set_yticks(range(len(labels)), shown)
            axes.invert_yaxis()
            axes.grid(axis="y", visible=False)
        else:
            bars = axes.bar(range(len(labels)), values, color=paint, width=0.7)
            _categories(axes, labels, min_slots)
        for n, patch in enumerate(bars):
            patch.set_gid(f"{name}-mark-{n}")
        zero = when_zero is not None and not any(values)
        notes = list(annotate) if annotate is not None else [_number(v) for v in values]
        if notes and not zero:
            axes.bar_label(bars, labels=[_label_mpl(t) for t in notes], padding=2, fontsize=8, color="#333333")
        axes.margins(x=0.25) if horizontal else axes.margins(y=0.12)
        if integer:
            _whole(axes.xaxis if horizontal else axes.yaxis)
        if max(values, default=0) >= 10_000:
            _compact(axes.xaxis if horizontal else axes.yaxis)
        if zero and when_zero is not None:
            _nothing(axes, when_zero, horizontal=horizontal)
        _finish(figure, axes, title, xlabel, ylabel)
        return _svg(figure, name, title)


def stacked(
    name: str,
    title: str,
    labels: Sequence[str],
    stacks: Mapping[str, Sequence[float]],
    *,
    colors: Mapping[str, str] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    integer: bool = False,
    min_slots: int = 0,
) -> str:
    """One vertical bar per label, made of one part per stack (bottom-up in the order of ``stacks``,
    each stack one colour, named in a legend above the chart). Each part that is not empty is a mark
    ``{name}-mark-{n}``; a stack of zeros is left out (and out of the legend)."""
    drawn = {stack: values for stack, values in stacks.items() if any(values)}
    with _rc():
        columns = 4
        rows = math.ceil(len(drawn) / columns) if drawn else 0
        figure, axes = _vertical(labels, xlabel, top=0.2 + 0.2 * rows)
        bottom = [0.0] * len(labels)
        mark = 0
        for n, (stack, values) in enumerate(drawn.items()):
            paint = (colors or {}).get(stack) or color_of(stack, n)
            parts = axes.bar(range(len(labels)), values, bottom=bottom, color=paint, width=0.7, label=_label_mpl(stack))
            for patch, value in zip(parts, values, strict=True):
                if value:
                    patch.set_gid(f"{name}-mark-{mark}")
                    mark += 1
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        _categories(axes, labels, min_slots)
        axes.margins(y=0.08)
        if integer:
            _whole(axes.yaxis)
        if drawn:
            axes.legend(
                loc="lower left", bbox_to_anchor=(0, 1.02), ncols=columns, fontsize=8, frameon=False, borderaxespad=0
            )
        _finish(figure, axes, title, xlabel, ylabel)
        return _svg(figure, name, title)


def histogram(
    name: str,
    title: str,
    values: Sequence[float],
    *,
    bins: int = 20,
    xlabel: str | None = None,
    ylabel: str | None = "tasks",
    color: str = PALETTE[0],
    log: bool = False,
) -> str:
    """How ``values`` spread: ``bins`` bars of equal width (fewer when there are few values)."""
    with _rc():
        figure, axes = _figure()
        count = max(1, min(bins, len(set(values))))
        _, _, patches = axes.hist(values, bins=count, color=color, edgecolor="white", linewidth=0.5, log=log)
        marks: list[Any] = [patches] if hasattr(patches, "set_gid") else list(patches)
        for n, patch in enumerate(marks):
            patch.set_gid(f"{name}-mark-{n}")
        axes.grid(axis="x", visible=False)
        _whole(axes.yaxis)
        _finish(figure, axes, title, xlabel, ylabel)
        return _svg(figure, name, title)


def _compact(axis: Any) -> None:
    """Large numbers on an axis as 250k, 1.5M (not a "1e7" offset apart from its ticks)."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _position: short_count(value, tick=True)))


def _whole(axis: Any) -> None:
    """Ticks at whole numbers only (an axis of counts)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=6, integer=True))


def scatter(
    name: str,
    title: str,
    groups: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    colors: Mapping[str, str] | None = None,
) -> str:
    """Points ``(xs, ys)`` per group, one colour per group, with a legend. Each group's points are in
    the element whose id is ``{name}-mark-{group}``."""
    with _rc():
        figure, axes = _figure(right=1.45)
        for n, (group, (xs, ys)) in enumerate(groups.items()):
            paint = (colors or {}).get(group) or color_of(group, n)
            points = axes.scatter(
                xs, ys, s=14, color=paint, alpha=0.75, linewidths=0, label=f"{_label_mpl(group)} ({len(xs)})"
            )
            points.set_gid(f"{name}-mark-{group}")
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ys_all = [y for _, ys in groups.values() for y in ys]
        if ys_all and min(ys_all) >= 0:  # a cost is never below 0: no axis around 0 when all are 0
            axes.set_ylim(bottom=0, top=None if max(ys_all) > 0 else 1)
        if groups:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, markerscale=1.3)
        _finish(figure, axes, title, xlabel, ylabel)
        return _svg(figure, name, title)


def lines(
    name: str,
    title: str,
    series: Sequence[Series],
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    right_label: str | None = None,
    integer: bool = False,
    right_integer: bool = False,
) -> str:
    """Lines (or staircases) over a shared x axis; series marked ``right`` use a second y axis.
    ``integer`` / ``right_integer``: that y axis counts (whole-number ticks)."""
    with _rc():
        figure, axes = _figure(right=0.75 if any(s.right for s in series) else 0.2)
        other = axes.twinx() if any(s.right for s in series) else None
        if other is not None:
            other.grid(visible=False)
            other.spines["right"].set_visible(True)
            if right_label:
                other.set_ylabel(right_label)
        handles = []
        for n, one in enumerate(series):
            target = other if one.right and other is not None else axes
            paint = one.color or PALETTE[n % len(PALETTE)]
            if one.step:
                (line,) = target.step(one.xs, one.ys, where="post", color=paint, label=_label_mpl(one.name))
            else:
                (line,) = target.plot(one.xs, one.ys, color=paint, label=_label_mpl(one.name))
            line.set_gid(f"{name}-mark-{n}")
            handles.append(line)
        axes.set_ylim(bottom=0)
        if integer:
            _whole(axes.yaxis)
        if other is not None:
            other.set_ylim(bottom=0)
            if right_integer:
                _whole(other.yaxis)
        if len(series) > 1:
            axes.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
        _finish(figure, axes, title, xlabel, ylabel)
        return _svg(figure, name, title)


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


__all__ = [
    "OUTCOME_COLORS",
    "PALETTE",
    "Series",
    "bar",
    "color_of",
    "empty",
    "histogram",
    "lines",
    "scatter",
    "stacked",
]
