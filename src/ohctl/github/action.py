"""The GitHub Action's script (``action.yml`` runs ``python -m ohctl.github.action``): start an
OpenHands task, optionally wait for it, and report it as step outputs, a job summary and an issue
comment.

Every input arrives as an environment variable ``INPUT_<NAME>`` (action.yml sets them; hyphens
become underscores), never pasted into a shell line, so text from an issue cannot run as a command.
Exit status: 0 when the agent finished (or it was started without waiting), else the ``ohctl`` exit
code of the outcome (6 failed, 7 needs input, 8 still running at the timeout), 1 for other errors.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._bulk import parse_duration
from .._errors import InvalidArgumentError
from .._wait_logic import STALL_AFTER
from .workflow import append_summary, command, write_outputs

if TYPE_CHECKING:
    import ohctl

    from .comment import CommentContext
    from .refs import IssueRef


# The outputs action.yml declares (its tests check the two lists agree).
OUTPUT_NAMES = ("conversation-id", "url", "status", "outcome", "pr-numbers", "cost", "comment-url")


class InputError(Exception):
    """An input the action cannot use (the message names it)."""


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Inputs:
    prompt: str = ""
    prompt_file: str = ""
    template: str = ""
    variables: str = ""
    repository: str = ""
    branch: str = ""
    title: str = ""
    sandbox_id: str = ""
    wait: bool = True
    timeout: float = 3600.0
    stall_after: float | None = STALL_AFTER
    api_key: str = ""
    base_url: str = ""
    comment_on: str = ""
    comment_template: str = ""
    github_token: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        def get(name: str) -> str:
            return env.get("INPUT_" + name.upper().replace("-", "_"), "").strip()

        try:
            timeout = float(get("timeout") or 3600)
        except ValueError:
            raise InputError(f"timeout: {get('timeout')!r} is not a number of seconds") from None
        stall_after = _stall_after(get("stall-after"))
        return cls(
            prompt=get("prompt"),
            prompt_file=get("prompt-file"),
            template=get("template"),
            variables=env.get("INPUT_VARIABLES", ""),
            repository=get("repository"),
            branch=get("branch"),
            title=get("title"),
            sandbox_id=get("sandbox-id"),
            wait=_truthy(get("wait") or "true"),
            timeout=timeout,
            stall_after=stall_after,
            api_key=get("api-key"),
            base_url=get("base-url"),
            comment_on=get("comment-on"),
            comment_template=get("comment-template"),
            github_token=get("github-token"),
        )

    def prompt_text(self) -> str:
        """The task: exactly one of prompt, prompt-file, template (with its variables)."""
        given = [
            n for n, v in (("prompt", self.prompt), ("prompt-file", self.prompt_file), ("template", self.template)) if v
        ]
        if len(given) != 1:
            raise InputError(f"give exactly one of the inputs prompt, prompt-file, template (given: {given or 'none'})")
        if self.prompt:
            return self.prompt
        if self.prompt_file:
            path = Path(self.prompt_file)
            if not path.is_file():
                raise InputError(f"prompt-file: no file at {path} (paths are relative to the workspace)")
            return path.read_text(encoding="utf-8")
        from .. import templates

        try:
            return templates.render(
                templates.find(self.template),
                self.template_variables(),
                {"repo": self.repository, "branch": self.branch},
            )
        except templates.TemplateError as exc:
            raise InputError(f"template: {exc}") from None

    def template_variables(self) -> dict[str, str]:
        """``NAME=VALUE`` lines (blank lines and ``#`` comments skipped)."""
        found: dict[str, str] = {}
        for line in self.variables.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise InputError(f"variables: {line.strip()!r} is not NAME=VALUE (one per line)")
            found[name.strip()] = value.strip()
        return found

    def issue(self, env: Mapping[str, str]) -> IssueRef | None:
        """``comment-on``: an issue number in this repository, or ``owner/name#N``; empty for none."""
        from .refs import IssueRef

        if not self.comment_on:
            return None
        text = self.comment_on
        if text.isdigit():
            text = f"{env.get('GITHUB_REPOSITORY', '')}#{text}"
        return IssueRef.parse(text)


class Reporter:
    """Step outputs, job summary and the issue comment of one run of the action."""

    def __init__(self, inputs: Inputs, env: Mapping[str, str], client: ohctl.OpenHands) -> None:
        self.inputs, self.env, self.client = inputs, env, client
        self.issue = inputs.issue(env)
        self.github = None
        if self.issue is not None:
            from .client import GitHub

            self.github = GitHub(inputs.github_token or None, environ=env)
            self.github.issue(self.issue)  # a wrong token or number fails before the task is started

    def outputs(self, **values: str) -> None:
        named = {k.replace("_", "-"): v for k, v in values.items()}
        assert set(named) <= set(OUTPUT_NAMES), named
        write_outputs(self.env.get("GITHUB_OUTPUT"), named)

    def report(self, context: CommentContext) -> None:
        from .report import comment_body, post_comment

        template = self.inputs.comment_template or None
        if context.phase == "done" or not self.inputs.wait:
            summary = comment_body(context, template, client=self.client, github=self.github, with_marker=False)
            append_summary(self.env.get("GITHUB_STEP_SUMMARY"), summary)
        if self.github is not None and self.issue is not None:
            from .errors import GitHubError

            try:
                result = post_comment(self.github, self.issue, context, template=template, client=self.client)
            except GitHubError as exc:  # the issue was checked at the start: the agent's run matters more
                command("warning", f"Could not comment on {self.issue}: {exc}")
                return
            self.outputs(comment_url=result.comment.html_url)
            print(f"comment {result.action}: {result.comment.html_url}", flush=True)

    def close(self) -> None:
        if self.github is not None:
            self.github.close()


def run(inputs: Inputs, env: Mapping[str, str]) -> int:
    import ohctl

    from .._exit_codes import ExitCode, exit_code_for
    from .report import done_context, started_context

    prompt = inputs.prompt_text()
    began = time.monotonic()
    with ohctl.OpenHands(api_key=inputs.api_key or None, base_url=inputs.base_url or None) as client:
        reporter = Reporter(inputs, env, client)
        try:
            conv = client.conversations.start(
                prompt,
                repository=inputs.repository or None,
                branch=inputs.branch or None,
                git_provider="github" if inputs.repository else None,
                title=inputs.title or None,
                sandbox_id=inputs.sandbox_id or None,
                wait="ready",
                timeout=inputs.timeout,
            )
            cid = str(conv.id)
            started = started_context(client, cid)
            print(f"conversation {cid}: {started.url}", flush=True)
            reporter.outputs(conversation_id=cid, url=started.url, status=started.status)
            reporter.report(started)
            if not inputs.wait:
                return int(ExitCode.OK)
            left = max(1.0, inputs.timeout - (time.monotonic() - began))
            waited = client.conversations.wait(
                cid, timeout=left, stall_after=inputs.stall_after, raise_on_outcome=False
            )
            outcome = waited.outcome
            done = done_context(client, cid, elapsed=time.monotonic() - began, outcome=outcome)
            reporter.outputs(
                status=done.status,
                outcome=outcome or "timeout",
                pr_numbers=",".join(str(n) for n in done.pr_numbers),
                cost=f"{done.cost:.4f}",
            )
            reporter.report(done)
        finally:
            reporter.close()
    if outcome != "finished":
        what = {
            "failed": "failed",
            "needs_input": "waits for a confirmation",
            "stalled": f"stalled: {waited.stall.describe()}" if waited.stall else "stalled",
        }.get(outcome or "", "was still running")
        command("error", f"The OpenHands agent {what}: {done.url}")
    return int(exit_code_for(outcome))


def _stall_after(text: str) -> float | None:
    """The stall-after input: a duration (15m, 90s, 1h; a number is seconds), or off."""
    if not text:
        return STALL_AFTER
    if text.lower() in ("off", "never", "none"):
        return None
    try:
        return parse_duration(float(text) if text.replace(".", "", 1).isdigit() else text).total_seconds()
    except InvalidArgumentError as exc:
        raise InputError(f"stall-after: {exc} (or off)") from None


def main(env: Mapping[str, str] | None = None) -> int:
    """Run the action; every failure is one ``::error::`` line and a non-zero status."""
    import ohctl

    env = os.environ if env is None else env
    try:
        return run(Inputs.from_env(env), env)
    except InputError as exc:
        command("error", f"ohctl action input: {exc}")
        return 2
    except ohctl.OhctlError as exc:
        failure = ohctl.describe_failure(exc)
        hint = failure.hint if "github" not in type(exc).__module__ else None
        if hint and "ohctl auth login" in hint:  # no `ohctl auth` in a workflow: the inputs set the key
            hint = "check the api-key input (e.g. ${{ secrets.OPENHANDS_API_KEY }}) and base-url"
        command("error", failure.message + (f" ({hint})" if hint else ""))
        return int(failure.code)


if __name__ == "__main__":
    sys.exit(main())
