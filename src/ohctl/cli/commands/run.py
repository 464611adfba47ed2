"""``ohctl run``: start a task, show its start-up, then return, wait, or follow the agent live."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ohctl import ExitCode

from ..context import state
from ..errors import exit_with
from ..hooks import HOOK_HELP, check_hook, run_for_conversation
from ..output import Output, with_output
from ..params import budget_options, parse_vars, read_text_arg, stall_after_option
from .best_of import ATTEMPTS_HELP, BestOfOptions, run_attempts

if TYPE_CHECKING:
    import ohctl


@dataclass(frozen=True)
class Target:
    repository: str | None
    branch: str | None
    git_provider: str | None
    detected: bool = False


def choose_target(repo: str | None, branch: str | None, provider: str | None, no_repo: bool) -> Target:
    """An explicit --repo wins; else the current git checkout's remote and branch; else none."""
    from ..gitremote import detect, parse_remote

    if no_repo:
        return Target(None, None, None)
    if repo:
        parsed = parse_remote(repo) if ("://" in repo or "@" in repo) else None
        if parsed:
            repo, provider = parsed[0], provider or parsed[1]
        if repo.count("/") < 1:
            raise click.BadParameter(f"{repo!r} is not owner/name", param_hint="--repo")
        return Target(repo, branch, provider or "github")
    found = detect()
    if found is None:
        return Target(None, branch, provider)
    return Target(found.repository, branch or found.branch, provider or found.git_provider, detected=True)


def task_text(
    task: str | None, file: str | None, template: str | None, variables: tuple[str, ...], target: Target
) -> str:
    given = [name for name, value in (("TASK", task), ("--file", file), ("--template", template)) if value]
    if len(given) != 1:
        raise click.UsageError(
            "give the task as TASK, --file PATH or --template NAME" + (f" (not {' and '.join(given)})" if given else "")
        )
    if task:
        text = read_text_arg(task)
    elif file:
        text = read_text_arg(file) if file == "-" else Path(file).read_text(encoding="utf-8")
    else:
        from ohctl import templates

        assert template is not None
        try:
            found = templates.find(template)
            text = templates.render(found, parse_vars(variables), {"repo": target.repository, "branch": target.branch})
        except templates.TemplateError as exc:
            raise click.UsageError(str(exc)) from None
    if not text.strip():
        raise click.UsageError("the task is empty")
    return text


@click.command("run")
@click.argument("task", required=False)
@click.option("--repo", metavar="OWNER/NAME", help="Repository to work on (default: this git checkout's remote).")
@click.option("--branch", metavar="BRANCH", help="Branch (default: the checkout's current branch).")
@click.option("--provider", "git_provider", metavar="NAME", help="Git provider: github, gitlab, bitbucket, ...")
@click.option("--no-repo", is_flag=True, help="No repository, even inside a git checkout.")
@click.option("--title", metavar="TITLE", help="Conversation title.")
@click.option("--model", metavar="MODEL", help="LLM model for this conversation.")
@click.option(
    "--confirm",
    type=click.Choice(["always", "risky", "never"]),
    metavar="POLICY",
    help="always, risky or never: which actions wait for `ohctl approve` (risky: those the agent rates HIGH).",
)
@click.option("--file", "file", metavar="PATH", help="Read the task from a file (- for standard input).")
@click.option("--template", metavar="NAME", help="Render the task from a prompt template (see `ohctl templates`).")
@click.option("--var", "variables", metavar="NAME=VALUE", multiple=True, help="A template variable (repeatable).")
@click.option("--sandbox", "sandbox_id", metavar="ID", help="Run in this existing sandbox.")
@click.option("--wait", is_flag=True, help="Wait until the agent finishes; exit code of the outcome.")
@click.option("--follow", "-f", is_flag=True, help="Show the agent's actions and messages live until it ends.")
@click.option("--timeout", type=float, default=3600.0, show_default=True, help="Seconds to wait or follow.")
@stall_after_option("with --wait or --follow: ")
@budget_options("with --wait or --follow: ")
@click.option(
    "--comment",
    "comment_on",
    metavar="OWNER/NAME#N",
    help="Comment on this GitHub issue or PR: the link at the start, the outcome at the end (GITHUB_TOKEN).",
)
@click.option(
    "--on-done", metavar="CMD", callback=check_hook, help=HOOK_HELP.format(what="the agent") + " Implies --wait."
)
@click.option(
    "--output-schema",
    metavar="FILE",
    help="A JSON Schema file: the agent ends with a JSON document matching it, printed alone on stdout "
    "(exit 11 when it still does not match after the retries). Implies --wait.",
)
@click.option(
    "--schema-retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="With --output-schema: follow-ups that quote the problems and ask for a corrected document.",
)
@click.option("--attempts", type=click.IntRange(1, 10), metavar="N", help=ATTEMPTS_HELP)
@click.option(
    "--select",
    metavar="CMD",
    help="With --attempts: the command that tells a good attempt (say 'pytest -q'), run in each finished "
    "attempt's sandbox, in its repository; exit 0 passes.",
)
@click.option(
    "--prefer",
    type=click.Choice(["diff", "cost", "time"]),
    default="diff",
    show_default=True,
    help="With --attempts: which passing attempt wins: diff (the fewest lines changed, then the lowest cost, then "
    "the shortest time), cost (cost, lines, time) or time (the first to pass; the others are not waited for).",
)
@click.option("--keep", is_flag=True, help="With --attempts: leave the losers' sandboxes running (default: paused).")
@click.option(
    "--apply",
    "apply_winner",
    is_flag=True,
    help="With --attempts: apply the winner's change to this checkout, on a new branch (as `ohctl apply`).",
)
@click.option(
    "--path",
    metavar="DIR",
    help="With --attempts: the repository in the sandbox (default: the task's); {attempt} in it becomes the attempt's "
    "number.",
)
@with_output
def run(
    task: str | None,
    repo: str | None,
    branch: str | None,
    git_provider: str | None,
    no_repo: bool,
    title: str | None,
    model: str | None,
    confirm: str | None,
    file: str | None,
    template: str | None,
    variables: tuple[str, ...],
    sandbox_id: str | None,
    wait: bool,
    follow: bool,
    timeout: float,
    stall_after: float | None,
    max_cost: float | None,
    max_tokens: int | None,
    comment_on: str | None,
    on_done: str | None,
    output_schema: str | None,
    schema_retries: int,
    attempts: int | None,
    select: str | None,
    prefer: str,
    keep: bool,
    apply_winner: bool,
    path: str | None,
    out: Output,
) -> None:
    """Start a task: prints the conversation id once it is ready.

    \b
    ohctl run "Fix the flaky test in tests/test_io.py"         # repo from this checkout
    ohctl run --repo octo/parser --branch dev -f "Add a CLI"   # follow the agent live
    ohctl run --template fix-issue --var issue=42 --wait       # exit code of the outcome
    ohctl run --output-schema answer.json "Count the TODOs"    # prints the agent's JSON document
    ohctl run --wait --max-cost 2 "Upgrade the dependencies"   # paused at $2 (exit 10)
    ohctl run --attempts 3 --select "pytest -q" --apply "Fix the flaky test"   # best of 3
    """
    if wait and follow:
        raise click.UsageError("--wait and --follow do not go together (--follow also waits)")
    best = BestOfOptions(attempts, select, prefer, keep, apply_winner, path)
    best.check(follow=follow, confirm=confirm, comment_on=comment_on, on_done=on_done)
    if attempts is not None and (output_schema is not None or max_cost is not None or max_tokens is not None):
        raise click.UsageError("--attempts does not go with --output-schema, --max-cost or --max-tokens")
    schema = None
    if output_schema is not None:
        if follow:
            raise click.UsageError("--output-schema prints only the document: not with --follow")
        import ohctl

        try:
            schema = ohctl.load_output_schema(output_schema)
        except ohctl.OutputSchemaError as exc:
            raise click.BadParameter(str(exc), param_hint="--output-schema") from None
    target = choose_target(repo, branch, git_provider, no_repo)
    text = task_text(task, file, template, variables, target)
    from . import legacy

    if legacy.active() and confirm:
        raise click.UsageError("--confirm needs a V1 server (V0 servers take confirmation mode from settings)")
    if legacy.active() and schema is not None:
        raise click.UsageError("--output-schema needs a V1 server")
    if legacy.active() and (max_cost is not None or max_tokens is not None):
        raise click.UsageError("--max-cost and --max-tokens need a V1 server (its conversations report their metrics)")
    if (max_cost is not None or max_tokens is not None) and not (wait or follow or on_done):
        raise click.UsageError("--max-cost and --max-tokens watch the agent while waiting: add --wait or --follow")
    if legacy.active() and on_done:
        raise click.UsageError("--on-done needs a V1 server (on a V0 server: run --wait, then your command)")
    if legacy.active() and attempts is not None:
        raise click.UsageError("--attempts needs a V1 server")
    if legacy.active():  # a V0 server: create, print the id; --wait/--follow wait for the outcome
        return legacy.run(text, target, wait=wait or follow, timeout=timeout, out=out)
    commenting = None
    if comment_on:
        from .github import RunComment

        commenting = RunComment.open(comment_on, out)  # checks the token and the issue before starting
    if target.detected:
        where = f"{target.repository} ({target.git_provider}), branch {target.branch or 'default'}"
        out.status(f"repository: {where}, from this git checkout (--repo to choose, --no-repo for none)")
    client = state().client()
    if attempts is not None:
        return run_attempts(
            client, text, target, best, sandbox_id=sandbox_id, model=model, title=title, timeout=timeout,
            stall_after=stall_after, out=out,
        )  # fmt: skip
    started = time.monotonic()
    cid = start(
        client,
        text,
        target,
        title=title,
        model=model,
        sandbox_id=sandbox_id,
        out=out,
        confirm=confirm,
        output_schema=schema,
    )
    from ..outcomes import conclude, interrupted
    from ..render import is_cloud, web_url, without_keys

    if is_cloud(client):
        out.status(f"web: {web_url(client, cid)}")
    if commenting is not None:
        commenting.started(client, cid)
    wait = wait or (on_done is not None and not follow) or schema is not None
    if not (wait or follow):
        if out.structured:
            out.emit(without_keys(client.conversations.retrieve(cid)))
        else:
            click.echo(cid)
        return
    if schema is not None:
        out.status(f"conversation {cid}")  # stdout holds the document alone
    elif not out.structured:
        click.echo(cid)
    left = max(0.0, timeout - (time.monotonic() - started))
    stall = budget = None
    structured = None
    outcome: str | None
    from ohctl import Budget

    limits = Budget(max_cost, max_tokens)
    try:
        if schema is not None:
            out.status("waiting for the agent's document (Ctrl-C leaves it running)")
            structured = client.conversations.result(
                cid,
                schema,
                retries=schema_retries,
                timeout=left,
                stall_after=stall_after,
                max_cost=max_cost,
                max_tokens=max_tokens,
                raise_on_outcome=False,
            )
            outcome = str(structured.outcome) if structured.outcome is not None else None
            stall, budget = structured.stall, structured.budget
        else:
            if follow:
                result = follow_to_end(client, cid, left, out, stall_after=stall_after, limits=limits)
            else:
                out.status("waiting for the agent (Ctrl-C leaves it running)")
                result = client.conversations.wait(
                    cid,
                    timeout=left,
                    stall_after=stall_after,
                    max_cost=max_cost,
                    max_tokens=max_tokens,
                    raise_on_outcome=False,
                )
            outcome, stall, budget = result.outcome, result.stall, result.budget
        if title and outcome is not None:
            client.conversations.update(cid, title=title)  # the server's auto-title may have replaced it
    except KeyboardInterrupt:
        interrupted(cid)
    if commenting is not None:
        commenting.done(client, cid, outcome, time.monotonic() - started)
    if on_done is not None and outcome is not None:
        run_for_conversation(client, on_done, cid, outcome)
    if structured is not None:
        from ..outcomes import conclude_structured

        conclude_structured(client, structured, out, started=started)
    conclude(client, cid, outcome, out, started=started, stall=stall, budget=budget)


def start(
    client: ohctl.OpenHands,
    text: str,
    target: Target,
    *,
    title: str | None,
    model: str | None,
    sandbox_id: str | None,
    out: Output,
    confirm: str | None = None,
    output_schema: dict[str, Any] | None = None,
) -> str:
    """Start with live start-up progress on stderr; the conversation id once READY."""
    from ..outcomes import interrupted
    from ..render import duration

    began = time.monotonic()
    last = None
    try:
        for task in client.conversations.stream_start(
            text,
            repository=target.repository,
            branch=target.branch,
            git_provider=target.git_provider if target.repository else None,
            llm_model=model,
            sandbox_id=sandbox_id,
            confirmation_policy=confirm,
            output_schema=output_schema,
        ):
            if last is None or task.status != last.status:
                out.status(f"starting ({duration(time.monotonic() - began)}): {task.status}")
            last = task
    except KeyboardInterrupt:
        interrupted(None)
    if last is None or last.app_conversation_id is None:
        from ohctl import describe_start_failure

        click.echo(
            describe_start_failure(last, client.base_url).text(lead="error: the conversation did not start"), err=True
        )
        if last is not None:
            click.echo(f"hint: start task {last.id} ended in {last.status}", err=True)
        exit_with(ExitCode.AGENT_FAILED)
    cid = last.app_conversation_id
    if title:
        client.conversations.update(cid, title=title)
    out.status(f"ready in {duration(time.monotonic() - began)}: conversation {cid}")
    return str(cid)


def follow_to_end(
    client: ohctl.OpenHands,
    cid: str,
    timeout: float,
    out: Output,
    *,
    stall_after: float | None,
    limits: ohctl.Budget | None = None,
) -> ohctl.WaitResult:
    """Print the agent's events live until its run ends; the result says the outcome (None: the
    deadline passed), and the stall or the spending limit reached, if any."""
    import ohctl

    from ..follow import FollowOverBudgetError, FollowStalledError, FollowTimeoutError, follow_events
    from ..render import Paint, event_lines

    began = time.monotonic()
    paint = Paint(out.color)
    try:
        for event in follow_events(client, cid, timeout=timeout, stall_after=stall_after, limits=limits):
            for line in event_lines(event, paint):
                click.echo(line)
    except FollowTimeoutError:
        return ohctl.WaitResult(ohctl.ConversationId(cid), None, None)
    except FollowStalledError as exc:
        return ohctl.WaitResult(ohctl.ConversationId(cid), ohctl.Outcome.STALLED, None, stall=exc.stall)
    except FollowOverBudgetError as exc:
        return exc.result
    [result] = client.conversations.poll(
        [cid],
        stall_after=None,
        max_cost=limits.max_cost if limits else None,
        max_tokens=limits.max_tokens if limits else None,
    ).values()
    if result.outcome is None:
        # The stream ended (say, the sandbox paused) before a terminal status: wait for the rest.
        left = max(1.0, timeout - (time.monotonic() - began))
        return client.conversations.wait(
            cid,
            timeout=left,
            stall_after=stall_after,
            max_cost=limits.max_cost if limits else None,
            max_tokens=limits.max_tokens if limits else None,
            raise_on_outcome=False,
        )
    return result
