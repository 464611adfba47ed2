"""``ohctl batch``: run many tasks from a JSON-lines file, resumable after a crash.

Exit codes of ``run`` / ``resume``: 0 every task finished; 6 some failed (agent error, start
refused); 9 some stalled (--on-stall stop or retry); 10 some reached a spending limit, or the batch
its total (--max-cost, --max-tokens); 7 some need input; 8 some timed out, or the batch paused (daily
limit): resume it later.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import click

from ohctl import ExitCode

from ..context import state
from ..errors import exit_with
from ..output import Output, color_enabled, with_output
from ..params import DURATION, MONEY
from .apply import apply_options


@click.group("batch")
def batch_group() -> None:
    """Run many tasks at once from a JSON-lines file; every step is kept in a ledger (SQLite) so
    that `resume` finishes a batch after a crash without starting any task twice.

    \b
    Each line: {"message": "...", "repository": "owner/name", "branch": "...", "title": "...",
                "model": "...", "secrets": {"NAME": "value"}, "sandbox_id": "...", "key": "...",
                "max_cost": 2.5, "max_tokens": 500000}
    or, with --template NAME: {"vars": {"issue": "42"}, "repository": "owner/name"}.
    """


def _read_tasks(path: str, template: str | None) -> Any:
    from ohctl import templates
    from ohctl.batch import parse_jsonl

    try:
        prompt = templates.find(template) if template else None
    except templates.TemplateError as exc:
        raise click.BadParameter(str(exc), param_hint="--template") from None
    if path == "-":
        return parse_jsonl(sys.stdin, template=prompt, source="stdin")
    with open(path, encoding="utf-8") as handle:
        return parse_jsonl(handle, template=prompt, source=path)


def _exit_code(counts: dict[str, int], paused: bool, budget_stop: bool = False) -> ExitCode:
    if counts.get("failed", 0) or counts.get("error", 0):
        return ExitCode.AGENT_FAILED
    if counts.get("stalled", 0):
        return ExitCode.STALLED
    if budget_stop or counts.get("over_budget", 0):
        return ExitCode.OVER_BUDGET
    if counts.get("invalid_output", 0):
        return ExitCode.INVALID_OUTPUT
    if counts.get("needs_input", 0):
        return ExitCode.NEEDS_INPUT
    if paused or counts.get("timed_out", 0) or counts.get("pending", 0):
        return ExitCode.PENDING
    return ExitCode.OK


def _report(status: Any, results: list[Any], *, tty: bool) -> None:
    """The cost report: per task on a terminal (the totals always), on stderr."""
    from .batch_progress import counts_line

    if tty:
        for r in results:
            if r.outcome is None:
                continue
            cost = f"${r.cost:.4f}" if r.cost is not None else "-"
            tokens = f"{(r.prompt_tokens or 0) + (r.completion_tokens or 0)} tok"
            took = f"{r.duration:.0f}s" if r.duration is not None else "-"
            tries = f"  {r.tries} tries ({', '.join(t.reason for t in r.retried)})" if r.retried else ""
            click.echo(f"  {r.state:<11} {r.key:<24} {cost:>10} {tokens:>12} {took:>7}{tries}", err=True)
    click.echo(
        f"{counts_line(status.counts, status.cost, status.total)}; tokens "
        f"{status.prompt_tokens}+{status.completion_tokens}; wall {status.wall_time or 0:.0f}s "
        f"(agents {status.durations.get('total', 0):.0f}s in all)",
        err=True,
    )
    for line in limit_lines(status):
        click.echo(line, err=True)


def limit_lines(status: Any) -> list[str]:
    """The cost report's lines about spending limits: the limits set, and which were reached."""
    from ohctl import Budget

    limits = status.limits
    total = Budget.of(limits.get("max_cost"), limits.get("max_tokens"))
    per_task = Budget.of(limits.get("max_cost_per_task"), limits.get("max_tokens_per_task"))
    said = [f"{name} {budget.describe()}" for name, budget in (("total", total), ("per task", per_task)) if budget]
    if not said:
        return []
    lines = [f"limits: {'; '.join(said)}"]
    if status.budget_stop:
        pending = status.counts.get("pending", 0)
        lines.append(f"total reached: {status.budget_stop}; {pending} task(s) not started")
    if status.over_budget:
        lines.append(f"over budget: {len(status.over_budget)} task(s): {', '.join(status.over_budget)}")
    return lines


def _drive(ledger: str, tasks: Any, options: dict[str, Any], report: str | None = None) -> None:
    import contextlib

    from ohctl.batch import Batch, BatchPausedError

    from .batch_progress import make_progress

    client = state().client()
    tty = sys.stderr.isatty()
    total = len(tasks) if tasks is not None else Batch(ledger).status().total
    progress = make_progress(total, tty=tty, color=color_enabled(state().no_color))
    batch = Batch(ledger, tasks, client=client, on_event=progress, **options)
    paused = False
    live = _live_report(ledger, report) if report else contextlib.nullcontext()
    with progress, live:
        try:
            for _ in batch.run():
                _report_hooks(batch)
        except BatchPausedError as exc:
            paused = True
            click.echo(f"paused: {exc}", err=True)
    if report:
        click.echo(f"report: {report}", err=True)
    status = batch.status()
    _report(status, batch.results(), tty=tty)
    click.echo(f"results: ohctl batch results {ledger} --json", err=True)
    code = _exit_code(status.counts, paused, budget_stop=status.budget_stop is not None)
    if code != ExitCode.OK:
        exit_with(code)


def _live_report(ledger: str, path: str) -> Any:
    from ohctl.batch import LiveReport

    return LiveReport(ledger, path, interval=REPORT_INTERVAL)


REPORT_INTERVAL = 10.0
_report_option = click.option(
    "--report",
    "report",
    metavar="FILE",
    default=None,
    help="Keep an HTML report of the batch in FILE, rewritten every 10 s while it runs (open it in a browser).",
)


def _check_hook(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from ..hooks import check_hook

    return check_hook(ctx, param, value)


def _report_hooks(batch: Any) -> None:
    """Report each failed ``--on-task-done`` run once (``Batch.hook_runs`` grows as tasks end)."""
    from ..hooks import report

    while batch.hook_runs:
        report(batch.hook_runs.pop(0))


_run_options = [
    click.option("--concurrency", "-c", type=click.IntRange(1, 1000), default=None, help="Tasks at once (default 4)."),
    click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Seconds per task before timed_out."),
    click.option("--poll-interval", type=click.FloatRange(min=0.1), default=3.0, show_default=True),
    click.option("--max-starting", type=click.IntRange(min=1), default=None, help="Sandboxes starting at once."),
    click.option(
        "--start-timeout",
        type=click.FloatRange(min=1),
        default=600.0,
        show_default=True,
        help="A start whose status does not move this long was abandoned by the server: failed, not resent.",
    ),
    click.option(
        "--stall-after",
        type=DURATION,
        default="15m",
        show_default=True,
        help="A task whose agent runs with no event for this long has stalled (90s, 15m; off: never).",
    ),
    click.option(
        "--on-stall",
        type=click.Choice(["wait", "stop", "retry"]),
        default="wait",
        show_default=True,
        help="A stalled task: wait on (noted in the ledger), stop it (it ends stalled), or stop it and "
        "start it afresh (retry: once, or up to --retries).",
    ),
    click.option(
        "--retries",
        type=click.IntRange(min=0),
        default=None,
        help="Start a task afresh up to N times when it failed for an infrastructure reason (sandbox "
        "failed or gone, start failed or abandoned; stalled with --on-stall retry), never after the "
        "agent's own error or a limit. Kept in the ledger (default: the ledger's, else 0).",
    ),
    click.option(
        "--max-cost",
        type=MONEY,
        default=None,
        metavar="USD",
        help="The batch's total: once its cost reaches this, no more tasks start and the running ones are "
        "paused (over_budget); the rest stay pending (resume with a higher --max-cost).",
    ),
    click.option(
        "--max-tokens",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="The batch's total tokens, as --max-cost (prompt and completion tokens of every task).",
    ),
    click.option(
        "--max-cost-per-task",
        type=MONEY,
        default=None,
        metavar="USD",
        help="A task whose cost reaches this is paused and ends over_budget (a line's max_cost wins).",
    ),
    click.option(
        "--max-tokens-per-task",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        help="A task whose tokens reach this is paused and ends over_budget (a line's max_tokens wins).",
    ),
    click.option(
        "--on-task-done",
        metavar="CMD",
        default=None,
        callback=_check_hook,
        help="Run CMD when a task's conversation ends (no shell; OHCTL_CONVERSATION_ID, OHCTL_OUTCOME, "
        "OHCTL_COST, OHCTL_URL, OHCTL_PR_NUMBERS in its environment). Its failure is reported, not fatal.",
    ),
]


_RUN_SETTINGS = (
    "concurrency",
    "timeout",
    "poll_interval",
    "max_starting",
    "start_timeout",
    "stall_after",
    "on_stall",
    "retries",
    "max_cost",
    "max_tokens",
    "max_cost_per_task",
    "max_tokens_per_task",
    "on_task_done",
)


def _with_run_options(command: Any) -> Any:
    """The run options, handed to the command as one ``settings`` mapping (``AsyncBatch``'s keywords)."""

    @functools.wraps(command)
    def with_settings(*args: Any, **kwargs: Any) -> Any:
        settings = {name: kwargs.pop(name) for name in _RUN_SETTINGS}
        return command(*args, settings=settings, **kwargs)

    wrapped: Any = with_settings
    for option in reversed(_run_options):
        wrapped = option(wrapped)
    return wrapped


@batch_group.command("run")
@click.argument("tasks_file", metavar="TASKS.jsonl")
@click.option("--template", "-t", default=None, help="Each line gives this template's 'vars' (ohctl templates list).")
@click.option("--ledger", "-l", default=None, help="The ledger file (default: TASKS.batch.db beside the input).")
@_report_option
@_with_run_options
def run_command(
    tasks_file: str, template: str | None, ledger: str | None, report: str | None, settings: dict[str, Any]
) -> None:
    """Start every task of TASKS.jsonl (- for stdin), up to --concurrency at once, and wait for all."""
    tasks = _read_tasks(tasks_file, template)
    if ledger is None:
        if tasks_file == "-":
            raise click.UsageError("with tasks on stdin, give --ledger PATH")
        ledger = str(Path(tasks_file).with_suffix(".batch.db"))
    if Path(ledger).exists():
        raise click.UsageError(f"{ledger} already exists: `ohctl batch resume {ledger}`, or give another --ledger")
    click.echo(f"{len(tasks)} tasks; ledger {ledger}", err=True)
    _drive(ledger, tasks, settings, report)


@batch_group.command("resume")
@click.argument("ledger")
@_report_option
@_with_run_options
def resume_command(ledger: str, report: str | None, settings: dict[str, Any]) -> None:
    """Go on with a batch after a crash, Ctrl-C or a pause: unconfirmed starts are looked up on the
    server first, so no task starts twice."""
    _drive(ledger, None, settings, report)


@batch_group.command("status")
@click.argument("ledger")
@click.option("--watch", "-w", is_flag=True, help="Print the status again every --interval until the batch stops.")
@click.option(
    "--interval", type=click.FloatRange(min=1), default=10.0, show_default=True, help="Seconds between two looks."
)
@_report_option
@with_output
def status_command(ledger: str, watch: bool, interval: float, report: str | None, out: Output) -> None:
    """Counts per state, cost so far, and whether a runner is at work. With --watch, again and again
    until no runner is at work; --report FILE writes the HTML report each time (once without --watch)."""
    from ohctl.batch import follow

    from .batch_progress import counts_line

    def human(s: Any) -> None:
        click.echo(counts_line(s.counts, s.cost, s.total))
        if s.paused:
            click.echo(f"paused: {s.paused} (ohctl batch resume {ledger})")
        if s.retries:
            reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(s.retries.items()))
            click.echo(f"retries: {sum(s.retries.values())} ({reasons})")
        for line in limit_lines(s):
            click.echo(line)
        click.echo("a runner is at work on it" if s.running_elsewhere else ("done" if s.done else "stopped"))

    for status in follow(ledger, report=report, interval=interval if watch else None):
        out.emit(status.to_json(), human=functools.partial(_human_status, human, status))
    if report:
        click.echo(f"report: {report}", err=True)


def _human_status(human: Any, status: Any, _: Any) -> None:
    human(status)


@batch_group.command("report")
@click.argument("ledger")
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    default=None,
    help="Where to write (default: LEDGER.html; - for stdout).",
)
@click.option("--json", "as_json", is_flag=True, help="The report's data as JSON instead of the page.")
@click.option("--csv", "as_csv", is_flag=True, help="One CSV row per task instead of the page.")
def report_command(ledger: str, output: str | None, as_json: bool, as_csv: bool) -> None:
    """One self-contained HTML page of a batch (charts, every task in a sortable table): it needs no
    network to view, reads on a phone and prints. --json and --csv give the same data (on stdout
    unless -o)."""
    from ohctl.batch import save_report

    if as_json and as_csv:
        raise click.UsageError("--json or --csv, not both")
    kind = "json" if as_json else "csv" if as_csv else "html"
    target = output if output is not None else ("-" if kind != "html" else str(Path(ledger).with_suffix(".html")))
    text = save_report(ledger, target, kind=kind)
    if target == "-":
        click.echo(text, nl=False)
    else:
        click.echo(f"report: {target}", err=True)


@batch_group.command("results")
@click.argument("ledger")
@with_output
def results_command(ledger: str, out: Output) -> None:
    """Every task: input, conversation id and URL, outcome, PRs, cost, tokens, duration, error.
    One JSON line per task with --json or when piped."""
    from ohctl.batch import Batch

    rows = [r.to_json() for r in Batch(ledger).results()]
    if out.json_fields is not None and out.jq is None:
        for row in rows:
            click.echo(json.dumps(out._select(row)))
        return
    out.emit_list(
        rows,
        [
            ("key", lambda r: r["key"]),
            ("state", lambda r: r["state"]),
            ("conversation", lambda r: r["conversation_id"]),
            ("cost", lambda r: None if r["cost"] is None else f"${r['cost']:.4f}"),
            ("seconds", lambda r: None if r["duration"] is None else f"{r['duration']:.0f}"),
            ("tries", lambda r: r["tries"]),
            ("retried", lambda r: ",".join(t["reason"] for t in r["retries"]) or None),
            ("prs", lambda r: ",".join(map(str, r["prs"])) or None),
            ("error", lambda r: (r["error"] or "")[:60] or None),
        ],
    )


@batch_group.command("cancel")
@click.argument("ledger")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (required when not on a terminal).")
def cancel_command(ledger: str, yes: bool) -> None:
    """Cancel the tasks not started yet and pause the sandboxes of those still running."""
    from ohctl.batch import Batch

    from ..inputs import confirm_or_yes
    from .batch_progress import counts_line

    batch = Batch(ledger, client=state().client())
    before = batch.status()
    active = before.counts.get("running", 0) + before.counts.get("starting", 0)
    confirm_or_yes(f"Cancel {before.counts.get('pending', 0)} pending task(s) and stop {active} running?", yes)
    after = batch.cancel()
    if after.running_elsewhere:
        click.echo("the running `ohctl batch` process was asked to cancel; it stops at its next poll", err=True)
    click.echo(counts_line(after.counts, after.cost, after.total), err=True)


@batch_group.command("apply")
@click.argument("ledger")
@click.argument("key")
@apply_options
@with_output
def apply_task(ledger: str, key: str, out: Output, **options: Any) -> None:
    """Bring the change of task KEY home, as `ohctl apply` does for its conversation."""
    from ohctl.batch import Batch

    from .apply import apply_and_report

    task = next((r for r in Batch(ledger).results() if r.key == key), None)
    if task is None:
        raise click.UsageError(f"no task {key!r} in {ledger}: `ohctl batch results {ledger}` lists them")
    if not task.conversation_id:
        raise click.ClickException(f"task {key} has no conversation yet (it is {task.state})")
    apply_and_report(task.conversation_id, out, **options)
