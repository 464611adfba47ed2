"""A batch ledger as a report: ``report(ledger) -> BatchReport``, then ``.html()``, ``.to_json()``,
``.to_csv()`` (one set of data, three forms), and ``write_report`` / ``LiveReport`` to keep an HTML
file up to date while a batch runs (each write atomic: a temporary file, then a rename).

The data (``BatchReport``, ``TaskLine``) is plain dataclasses read from the ledger's tasks and its
log of transitions; the charts and the page are drawn only by ``html()``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._errors import InvalidArgumentError
from .._format import duration, short_count
from .._version import __version__
from ..batch.ledger import ACTIVE, DIFF_STAT, ENDED, FINISHED, LAST_MESSAGE, PENDING, STATES, Ledger, TaskRow
from ..batch.results import BatchStatus, status

TOP = 10  # tasks named in the cost chart
REASONS = 8  # failure reasons shown before "other"
LIVE_REFRESH = 10  # seconds between reloads of a live page
CSV_FIELDS = (
    "key",
    "title",
    "outcome",
    "state",
    "cost",
    "prompt_tokens",
    "completion_tokens",
    "tokens",
    "duration",
    "started_at",
    "ended_at",
    "prs",
    "diff_stat",
    "conversation_id",
    "url",
    "repository",
    "attempts",
    "message",
)


@dataclass(frozen=True)
class TaskLine:
    """One task of the report. ``outcome`` is None until it ended (``state`` says where it is);
    ``message`` is its error, or the agent's last message when the ledger has one; ``diff_stat``
    ("+12 -3, 2 files") when the ledger recorded one. Times are Unix seconds."""

    key: str
    title: str
    state: str
    outcome: str | None
    cost: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    duration: float | None
    started_at: float | None
    ended_at: float | None
    prs: list[int]
    pr_links: list[str | None]
    diff_stat: str | None
    conversation_id: str | None
    url: str | None
    repository: str | None
    attempts: int
    message: str | None

    @property
    def tokens(self) -> int | None:
        if self.prompt_tokens is None and self.completion_tokens is None:
            return None
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "outcome": self.outcome,
            "state": self.state,
            "cost": self.cost,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens": self.tokens,
            "duration": self.duration,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "prs": self.prs,
            "diff_stat": self.diff_stat,
            "conversation_id": self.conversation_id,
            "url": self.url,
            "repository": self.repository,
            "attempts": self.attempts,
            "message": self.message,
        }

    @classmethod
    def of(cls, row: TaskRow, last_message: str | None = None, diff_stat: str | None = None) -> TaskLine:
        spec = row.spec
        started = row.started_at
        duration = None if started is None or row.ended_at is None else round(row.ended_at - started, 3)
        known = row.state != PENDING and row.start_task_id is not None
        message = row.error or last_message
        repository = spec.repository
        github = repository is not None and (spec.git_provider in (None, "github")) and "/" in repository
        return cls(
            key=row.key,
            title=spec.title or _first_line(spec.message, 120),
            state=row.state,
            outcome=row.state if row.state in ENDED else None,
            cost=row.cost,
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            duration=duration,
            started_at=row.started_at or row.starting_at,
            ended_at=row.ended_at,
            prs=list(row.prs),
            pr_links=[f"https://github.com/{repository}/pull/{n}" if github else None for n in row.prs],
            diff_stat=diff_stat,
            conversation_id=row.conversation_id if known else None,
            url=row.url,
            repository=repository,
            attempts=row.attempts,
            message=message,
        )


@dataclass(frozen=True)
class Reason:
    """A group of tasks that ended alike: ``text`` (the error with numbers and ids blanked, or the
    outcome's name), how many, and their keys."""

    text: str
    count: int
    keys: list[str]


@dataclass(frozen=True)
class BatchReport:
    """Everything a batch's report shows, read from its ledger at ``generated_at``."""

    ledger: str
    batch_id: str
    ohctl_version: str
    generated_at: float
    created_at: float | None
    tasks: list[TaskLine]
    counts: dict[str, int]
    concurrency_setting: int | None
    running: bool  # a runner is at work on the batch
    paused: str | None
    concurrency: list[tuple[float, int]] = field(default_factory=list)  # (time, tasks active from then)

    # -- totals ---------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.tasks)

    @property
    def done(self) -> bool:
        return not any(self.counts.get(s, 0) for s in (PENDING, *ACTIVE))

    @property
    def live(self) -> bool:
        """The batch may still move: a runner is at work and tasks are left."""
        return self.running and not self.done

    @property
    def cost(self) -> float:
        return sum(t.cost or 0.0 for t in self.tasks)

    @property
    def prompt_tokens(self) -> int:
        return sum(t.prompt_tokens or 0 for t in self.tasks)

    @property
    def completion_tokens(self) -> int:
        return sum(t.completion_tokens or 0 for t in self.tasks)

    @property
    def started_at(self) -> float | None:
        starts = [t.started_at for t in self.tasks if t.started_at is not None]
        firsts = [at for at, _ in self.concurrency[:1]]
        return min(starts + firsts) if starts or firsts else None

    @property
    def finished_at(self) -> float | None:
        """When the last task ended, once none is left (None while the batch is under way)."""
        ends = [t.ended_at for t in self.tasks if t.ended_at is not None]
        return max(ends) if ends and self.done else None

    @property
    def wall_time(self) -> float | None:
        """From the first start to the last end (to now while the batch is under way)."""
        began = self.started_at
        if began is None:
            return None
        ends = [t.ended_at for t in self.tasks if t.ended_at is not None]
        until = self.finished_at if self.done else self.generated_at
        if until is None:
            until = max(ends) if ends else began
        return round(until - began, 3)

    @property
    def peak_concurrency(self) -> int:
        return max((n for _, n in self.concurrency), default=0)

    def reasons(self) -> list[Reason]:
        """Why tasks did not finish, grouped (the largest group first)."""
        groups: dict[str, list[str]] = {}
        for task in self.tasks:
            if task.outcome is None or task.outcome == FINISHED:
                continue
            text = _reason(task.outcome, task.message if task.message != task.outcome else None)
            groups.setdefault(text, []).append(task.key)
        ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [Reason(text, len(keys), keys) for text, keys in ordered]

    def top_costs(self, n: int = TOP) -> list[TaskLine]:
        return sorted((t for t in self.tasks if t.cost), key=lambda t: (-(t.cost or 0.0), t.key))[:n]

    # -- the three forms ----------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        top = self.top_costs()
        return {
            "ledger": self.ledger,
            "batch_id": self.batch_id,
            "ohctl_version": self.ohctl_version,
            "generated_at": _iso(self.generated_at),
            "total": self.total,
            "counts": {state: n for state, n in self.counts.items() if n},
            "done": self.done,
            "running": self.running,
            "paused": self.paused,
            "cost": round(self.cost, 6),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "wall_time": self.wall_time,
            "concurrency": self.concurrency_setting,
            "peak_concurrency": self.peak_concurrency,
            "top_cost_share": round(sum(t.cost or 0.0 for t in top) / self.cost, 4) if self.cost else None,
        }

    def to_json(self) -> dict[str, Any]:
        """The report's data: ``batch`` (the headline), ``tasks`` (one object per task, as in the
        CSV), ``reasons`` (why tasks did not finish, grouped) and ``concurrency`` ([time, active])."""
        return {
            "batch": self.summary(),
            "tasks": [t.to_json() for t in self.tasks],
            "reasons": [{"reason": r.text, "count": r.count, "keys": r.keys} for r in self.reasons()],
            "concurrency": [[_iso(at), n] for at, n in self.concurrency],
        }

    def to_csv(self) -> str:
        """One row per task (the columns of ``CSV_FIELDS``; PR numbers joined by spaces)."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for task in self.tasks:
            row = task.to_json()
            row["prs"] = " ".join(str(n) for n in task.prs)
            writer.writerow({name: "" if row[name] is None else row[name] for name in CSV_FIELDS})
        return out.getvalue()

    def html(self) -> str:
        """The report as one self-contained HTML page (needs matplotlib, the ``[report]`` extra)."""
        from .page import render

        return render(_page(self))


def report(ledger: str | os.PathLike[str] | Ledger, *, running: bool | None = None) -> BatchReport:
    """Read a batch's ledger (a path, or an open ``Ledger``) into its report. Any ledger opens,
    finished or not, older ones included: what it did not record is left out. ``running``: whether
    a runner is at work on the batch (None: ask the ledger's lock)."""
    if isinstance(ledger, Ledger):
        return _read(ledger, running)
    opened = Ledger(ledger)
    try:
        return _read(opened, running)
    finally:
        opened.close()


def _read(ledger: Ledger, running: bool | None) -> BatchReport:
    rows = ledger.tasks()
    answers, diffs = ledger.latest_notes(LAST_MESSAGE), ledger.latest_notes(DIFF_STAT)
    created = ledger.meta("created_at")
    return BatchReport(
        ledger=ledger.path.name,
        batch_id=ledger.batch_id,
        ohctl_version=__version__,
        generated_at=time.time(),
        created_at=float(created) if created else None,
        tasks=[TaskLine.of(r, answers.get(r.key), diffs.get(r.key)) for r in rows],
        counts=ledger.counts(),
        concurrency_setting=ledger.setting("concurrency"),
        running=ledger.locked_by_other() if running is None else running,
        paused=ledger.setting("paused"),
        concurrency=concurrency(ledger.transitions()),
    )


def concurrency(transitions: Sequence[tuple[float, str, str]]) -> list[tuple[float, int]]:
    """How many tasks were under way (starting or running), from each change on: a task counts
    from its ``starting`` until it ended, went back to pending (``requeued``) or restarted (``retry``)."""
    active: set[str] = set()
    steps: list[tuple[float, int]] = []
    for at, key, event in transitions:
        if event == "starting":
            active.add(key)
        elif event in ("requeued", "retry") or event in ENDED:
            active.discard(key)
        else:
            continue
        if steps and steps[-1][0] == at:
            steps[-1] = (at, len(active))
        elif not steps or steps[-1][1] != len(active):
            steps.append((at, len(active)))
    return steps


def write_report(
    ledger: str | os.PathLike[str] | Ledger, path: str | os.PathLike[str], *, running: bool | None = None
) -> BatchReport:
    """Write the ledger's HTML report to ``path`` atomically (a temporary file beside it, then a
    rename): a browser never reads half a page. A page of a batch under way reloads itself."""
    found = report(ledger, running=running)
    _write_atomically(Path(path), found.html())
    return found


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_report(ledger: str | os.PathLike[str], path: str | os.PathLike[str], *, kind: str = "html") -> str:
    """The report as ``kind`` (html, json or csv), written to ``path`` atomically (``-``: not
    written); returns the text."""
    found = report(ledger)
    if kind == "html":
        _require_charts()
        text = found.html()
    elif kind == "json":
        text = json.dumps(found.to_json(), indent=2) + "\n"
    elif kind == "csv":
        text = found.to_csv()
    else:
        raise InvalidArgumentError(f"kind must be html, json or csv, not {kind!r}")
    if os.fspath(path) != "-":
        _write_atomically(Path(path), text)
    return text


def follow(
    ledger: str | os.PathLike[str], *, report: str | os.PathLike[str] | None = None, interval: float | None = 10.0
) -> Iterator[BatchStatus]:
    """The batch's status now, then every ``interval`` seconds until no runner is at work on it (or
    at once, ``interval`` None); with ``report``, its HTML page is written there each time first."""
    if report is not None:
        _require_charts()
    while True:
        opened = Ledger(ledger)
        try:
            now = status(opened)
            if report is not None:
                write_report(opened, report, running=now.running_elsewhere)
        finally:
            opened.close()
        yield now
        if interval is None or not now.running_elsewhere:
            return
        time.sleep(interval)


class LiveReport:
    """Rewrite a batch's HTML report every ``interval`` seconds while in use (a thread of its own,
    reading the ledger through its own connection), and once more on leaving::

        with LiveReport("fixes.db", "fixes.html"):
            for result in batch.run():
                ...

    The page reloads itself while in use (the batch is under way), and no longer after the final
    write. A write that fails is remembered in ``error`` (the batch goes on); the final write raises
    it. It never takes the ledger's runner lock (the batch it follows holds it)."""

    def __init__(self, ledger: str | os.PathLike[str], path: str | os.PathLike[str], *, interval: float = 10.0) -> None:
        _require_charts()  # before the batch starts, not at its first page
        self.ledger = os.fspath(ledger)
        self.path = Path(path)
        self.interval = interval
        self.writes = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def write(self) -> BatchReport:
        with self._lock:
            ledger = Ledger(self.ledger)
            try:
                found = write_report(ledger, self.path, running=not self._stop.is_set())
            finally:
                ledger.close()
            self.writes += 1
            return found

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.write()
            except Exception as exc:  # a report must never stop the batch
                self.error = exc
            self._stop.wait(self.interval)

    def __enter__(self) -> LiveReport:
        self._thread = threading.Thread(target=self._loop, name="ohctl-live-report", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.write()


def _require_charts() -> None:
    from .._require import require

    require("matplotlib", extra="report", purpose="The HTML report")
    require("jinja2", extra="cli", purpose="The HTML report")


# -- the page -------------------------------------------------------------------------------
def _page(data: BatchReport) -> Any:
    from . import charts
    from .page import Cell, Chart, Column, Fact, Page, Table

    facts = [Fact("tasks", f"{data.total:,}")]
    for state in STATES:
        if data.counts.get(state):
            facts.append(Fact(state.replace("_", " "), f"{data.counts[state]:,}", css=state))
    facts += [
        Fact("cost", _money(data.cost)),
        Fact("tokens", short_count(data.prompt_tokens + data.completion_tokens), detail=_tokens(data)),
        Fact("wall time", _duration(data.wall_time), detail=_span(data)),
    ]
    if data.peak_concurrency:
        setting = f" (set {data.concurrency_setting})" if data.concurrency_setting else ""
        facts.append(Fact("peak concurrency", f"{data.peak_concurrency}{setting}"))
    state = "ended" if data.done else ("under way" if data.running else "stopped")
    subtitle = (
        f"Ledger {data.ledger} · batch {data.batch_id[:12]} · {state} · "
        f"report of {_when(data.generated_at)} · ohctl {data.ohctl_version}"
    )
    notice = None
    if data.live:
        notice = f"The batch is under way: this page reloads every {LIVE_REFRESH} s."
    elif data.paused:
        notice = f"The batch paused: {data.paused}"
    columns = [
        Column("key", "key"),
        Column("title", "title"),
        Column("outcome", "outcome"),
        Column("cost", "cost", numeric=True),
        Column("tokens", "tokens", numeric=True),
        Column("duration", "duration", numeric=True),
        Column("prs", "PRs"),
        Column("diff", "diff"),
        Column("conversation", "conversation"),
        Column("message", "error or last message"),
    ]
    rows = [_row(t, Cell) for t in data.tasks]
    durations = sum(t.duration or 0 for t in data.tasks)
    prs = sum(len(t.prs) for t in data.tasks)
    totals = [
        Cell(f"{data.total:,} tasks", sort=data.total),
        Cell(""),
        Cell(", ".join(f"{n} {s}" for s, n in data.counts.items() if n)),
        Cell(_money(data.cost), sort=round(data.cost, 6)),
        Cell(f"{data.prompt_tokens + data.completion_tokens:,}", sort=data.prompt_tokens + data.completion_tokens),
        Cell(_duration(durations), sort=durations),
        Cell(str(prs), sort=prs),
        Cell(""),
        Cell(""),
        Cell(""),
    ]
    if not any(t.diff_stat for t in data.tasks):  # a ledger that recorded none: no empty column
        gone = [c.name for c in columns].index("diff")
        columns.pop(gone)
        totals.pop(gone)
        for row in rows:
            row.pop(gone)
    page = Page(
        title=f"Batch report: {data.ledger}",
        subtitle=subtitle,
        facts=facts,
        charts=_charts(data, charts, Chart),
        tables=[
            Table(
                "tasks",
                f"Every task ({len(rows)})",
                columns,
                rows,
                totals,
                filter=True,
                filter_column="outcome",
                filter_values=[s for s in STATES if data.counts.get(s)],
            )
        ],
        refresh=LIVE_REFRESH if data.live else None,
        notice=notice,
        footer=f"Generated by ohctl {data.ohctl_version} from {data.ledger} at {_when(data.generated_at)}.",
    )
    return page


def _row(task: TaskLine, cell: Any) -> list[Any]:
    outcome = task.outcome or task.state
    return [
        cell(task.key, css="key"),
        cell(task.title, css="text"),
        cell(outcome, css=f"outcome o-{outcome}"),
        cell(_money(task.cost) if task.cost is not None else "-", sort="" if task.cost is None else task.cost),
        cell(f"{task.tokens:,}" if task.tokens is not None else "-", sort="" if task.tokens is None else task.tokens),
        cell(_duration(task.duration), sort="" if task.duration is None else task.duration),
        cell(links=[(f"#{n}", link) for n, link in zip(task.prs, task.pr_links, strict=True)], sort=len(task.prs)),
        cell(task.diff_stat or ""),
        cell("open" if task.url else (task.conversation_id or "")[:12], href=task.url, title=task.conversation_id),
        cell(_first_line(task.message, 300) if task.message else "", css="text", title=task.message),
    ]


def _charts(data: BatchReport, charts: Any, chart: Any) -> list[Any]:
    made = []
    counts = [(s, data.counts[s]) for s in STATES if data.counts.get(s)]
    made.append(
        chart(
            "outcomes",
            "Tasks by outcome",
            charts.bar(
                "outcomes",
                "Tasks by outcome",
                [s for s, _ in counts],
                [n for _, n in counts],
                ylabel="tasks",
                integer=True,
            ),
        )
    )
    costs = [t.cost for t in data.tasks if t.cost is not None]
    title = "Cost per task"
    if len(set(costs)) > 1:
        svg = charts.histogram(
            "cost-histogram", title, costs, bins=min(30, max(5, int(math.sqrt(len(costs))))), xlabel="cost (USD)"
        )
        note = f"{len(costs):,} tasks with a cost; the mean is {_money(sum(costs) / len(costs))}."
        made.append(chart("cost-histogram", title, svg, note=note))
    else:
        message = f"every task cost {_money(costs[0])}" if costs else "no cost recorded yet"
        made.append(chart("cost-histogram", title, charts.empty("cost-histogram", title, message)))
    top = data.top_costs()
    title = "The most expensive tasks"
    if top:
        share = sum(t.cost or 0.0 for t in top) / data.cost if data.cost else 0.0
        svg = charts.bar(
            "top-costs",
            title,
            [_short(t.key, 28) for t in top],
            [t.cost or 0.0 for t in top],
            colors=[charts.color_of(t.outcome or t.state) for t in top],
            horizontal=True,
            xlabel="cost (USD)",
            annotate=[f"{_money(t.cost)} ({(t.cost or 0) / data.cost:.0%})" for t in top],
        )
        note = f"The {len(top)} most expensive: together {share:.0%} of the batch's spend."
        made.append(chart("top-costs", title, svg, note=note))
    else:
        made.append(chart("top-costs", title, charts.empty("top-costs", title, "no task cost anything yet")))
    groups: dict[str, tuple[list[float], list[float]]] = {}
    unit, scale = _unit(data)
    for task in data.tasks:
        if task.duration is not None and task.cost is not None:
            xs, ys = groups.setdefault(task.outcome or task.state, ([], []))
            xs.append(task.duration / scale)
            ys.append(task.cost)
    title = "Duration and cost of each task"
    made.append(
        chart(
            "duration-cost",
            title,
            charts.scatter("duration-cost", title, groups, xlabel=f"duration ({unit})", ylabel="cost (USD)")
            if groups
            else charts.empty("duration-cost", title, "no task ended with a cost yet"),
        )
    )
    made.append(_progress_chart(data, charts, chart))
    made.append(_concurrency_chart(data, charts, chart))
    reasons = data.reasons()
    title = "Why tasks did not finish"
    if reasons:
        shown = reasons[:REASONS]
        rest = reasons[REASONS:]
        labels = [_short(r.text, 64) for r in shown] + ([f"other ({len(rest)} kinds)"] if rest else [])
        values = [r.count for r in shown] + ([sum(r.count for r in rest)] if rest else [])
        svg = charts.bar(
            "reasons",
            title,
            labels,
            values,
            colors=[charts.PALETTE[3]] * len(labels),
            horizontal=True,
            xlabel="tasks",
            integer=True,
        )
    else:
        svg = charts.empty("reasons", title, "every task that ended finished")
    made.append(chart("reasons", title, svg))
    return made


def _progress_chart(data: BatchReport, charts: Any, chart: Any) -> Any:
    title = "Spend and tasks ended over time"
    began = data.started_at
    ended = sorted((t for t in data.tasks if t.ended_at is not None), key=lambda t: t.ended_at or 0.0)
    if began is None or not ended:
        return chart("progress", title, charts.empty("progress", title, "no task ended yet"))
    name, scale = _unit(data)
    xs, spend, done = [0.0], [0.0], [0.0]
    for n, task in enumerate(ended, 1):
        xs.append(((task.ended_at or began) - began) / scale)
        spend.append(spend[-1] + (task.cost or 0.0))
        done.append(float(n))
    series = [
        charts.Series("spend (USD)", xs, spend, color=charts.PALETTE[0]),
        charts.Series("tasks ended", xs, done, step=True, right=True, color=charts.PALETTE[1]),
    ]
    svg = charts.lines(
        "progress",
        title,
        series,
        xlabel=f"time since the start ({name})",
        ylabel="USD",
        right_label="tasks",
        right_integer=True,
    )
    return chart("progress", title, svg)


def _concurrency_chart(data: BatchReport, charts: Any, chart: Any) -> Any:
    title = "Tasks under way over time"
    began = data.started_at
    if began is None or not data.concurrency:
        return chart("concurrency", title, charts.empty("concurrency", title, "no task started yet"))
    name, scale = _unit(data)
    xs = [(at - began) / scale for at, _ in data.concurrency]
    ys = [float(n) for _, n in data.concurrency]
    end = (data.started_at or 0) + (data.wall_time or 0)
    if xs and (end - began) / scale > xs[-1]:
        xs.append((end - began) / scale)
        ys.append(ys[-1])
    series = [charts.Series("under way", xs, ys, step=True, color=charts.PALETTE[0])]
    svg = charts.lines(
        "concurrency", title, series, xlabel=f"time since the start ({name})", ylabel="tasks", integer=True
    )
    note = f"At most {data.peak_concurrency} at once"
    if data.concurrency_setting:
        note += f" (concurrency set to {data.concurrency_setting})"
    return chart("concurrency", title, svg, note=note + ".")


# -- small helpers ----------------------------------------------------------------------------
_NOISE = re.compile(r"\b[0-9a-f]{8,}\b|\b[0-9a-f]{8}-[0-9a-f-]{27,}\b|\d+(?:\.\d+)?", re.IGNORECASE)


def _reason(outcome: str, message: str | None) -> str:
    """A failure's group: its outcome and the first line of its message, numbers and ids blanked."""
    if not message:
        return outcome.replace("_", " ")
    text = _NOISE.sub("N", _first_line(message, 200))
    return f"{outcome.replace('_', ' ')}: {text}"


def _first_line(text: str | None, limit: int) -> str:
    if not text:
        return ""
    line = next((part.strip() for part in text.strip().splitlines() if part.strip()), "")
    return _short(line, limit)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unit(data: BatchReport) -> tuple[str, float]:
    wall = data.wall_time or 0.0
    if wall < 180:
        return "s", 1.0
    if wall < 3 * 3600:
        return "min", 60.0
    return "h", 3600.0


def _iso(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at, tz=timezone.utc).isoformat(timespec="seconds")


def _when(at: float | None) -> str:
    if at is None:
        return "-"
    return datetime.fromtimestamp(at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _tokens(data: BatchReport) -> str:
    return f"{short_count(data.prompt_tokens)} prompt, {short_count(data.completion_tokens)} completion"


def _span(data: BatchReport) -> str:
    """From the first start to the last end ("under way" while the batch runs), in UTC."""
    began = data.started_at
    if began is None:
        return "not started"
    first = _when(began).removesuffix(" UTC")
    if data.finished_at is None:
        return f"from {first} UTC, under way"
    last = _when(data.finished_at).removesuffix(" UTC")
    if last[:10] == first[:10]:
        last = last[11:]
    return f"{first} to {last} UTC"


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.2f}" if value >= 100 else f"${value:.4f}" if value < 1 else f"${value:,.3f}"


def _duration(seconds: float | None) -> str:
    return duration(seconds) or "-"


__all__ = [
    "CSV_FIELDS",
    "BatchReport",
    "LiveReport",
    "Reason",
    "TaskLine",
    "concurrency",
    "follow",
    "report",
    "save_report",
    "write_report",
]
