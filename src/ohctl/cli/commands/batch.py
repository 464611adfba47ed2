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
            click.echo(f"  {r.state:<11} {r.key:<24} {cost:>10} {tokens:>12} {took:>7}", err=True)
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


def _drive(ledger: str, tasks: Any, options: dict[str, Any]) -> None:
    from ohctl.batch import Batch, BatchPausedError

    from .batch_progress import make_progress

    client = state().client()
    tty = sys.stderr.isatty()
    total = len(tasks) if tasks is not None else Batch(ledger).status().total
    progress = make_progress(total, tty=tty, color=color_enabled(state().no_color))
    batch = Batch(ledger, tasks, client=client, on_event=progress, **options)
    paused = False
    with progress:
        try:
            for _ in batch.run():
                _report_hooks(batch)
        except BatchPausedError as exc:
            paused = True
            click.echo(f"paused: {exc}", err=True)
    status = batch.status()
    _report(status, batch.results(), tty=tty)
    click.echo(f"results: ohctl batch results {ledger} --json", err=True)
    code = _exit_code(status.counts, paused, budget_stop=status.budget_stop is not None)
    if code != ExitCode.OK:
        exit_with(code)


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
        "start it afresh once (retry).",
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
@_with_run_options
def run_command(tasks_file: str, template: str | None, ledger: str | None, settings: dict[str, Any]) -> None:
    """Start every task of TASKS.jsonl (- for stdin), up to --concurrency at once, and wait for all."""
    tasks = _read_tasks(tasks_file, template)
    if ledger is None:
        if tasks_file == "-":
            raise click.UsageError("with tasks on stdin, give --ledger PATH")
        ledger = str(Path(tasks_file).with_suffix(".batch.db"))
    if Path(ledger).exists():
        raise click.UsageError(f"{ledger} already exists: `ohctl batch resume {ledger}`, or give another --ledger")
    click.echo(f"{len(tasks)} tasks; ledger {ledger}", err=True)
    _drive(ledger, tasks, settings)


@batch_group.command("resume")
@click.argument("ledger")
@_with_run_options
def resume_command(ledger: str, settings: dict[str, Any]) -> None:
    """Go on with a batch after a crash, Ctrl-C or a pause: unconfirmed starts are looked up on the
    server first, so no task starts twice."""
    _drive(ledger, None, settings)


@batch_group.command("status")
@click.argument("ledger")
@with_output
def status_command(ledger: str, out: Output) -> None:
    """Counts per state, cost so far, and whether a runner is at work."""
    from ohctl.batch import Batch

    from .batch_progress import counts_line

    status = Batch(ledger).status()

    def human(s: Any) -> None:
        click.echo(counts_line(s.counts, s.cost, s.total))
        if s.paused:
            click.echo(f"paused: {s.paused} (ohctl batch resume {ledger})")
        for line in limit_lines(s):
            click.echo(line)
        click.echo("a runner is at work on it" if s.running_elsewhere else ("done" if s.done else "stopped"))

    out.emit(status.to_json(), human=lambda _: human(status))


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
