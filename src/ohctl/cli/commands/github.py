"""``ohctl github comment``: report a conversation on a GitHub issue or pull request, in one comment
that later calls edit in place. Also the GitHub side of ``ohctl run --comment``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from ohctl import ExitCode

from ..context import state
from ..errors import exit_with
from ..output import Output, with_output
from ..params import CONVERSATION

if TYPE_CHECKING:
    import ohctl
    from ohctl.github import CommentContext, GitHub, IssueRef

RECENT = 100  # how many of the newest conversations are searched for one on --repo


@contextmanager
def github_errors() -> Iterator[None]:
    """A GitHub failure as one line and the documented exit code (4 token refused, 5 not found)."""
    from ohctl.github import (
        GitHubAuthError,
        GitHubConfigError,
        GitHubError,
        GitHubNotFoundError,
        GitHubNoTokenError,
        GitHubPermissionError,
    )

    try:
        yield
    except GitHubError as exc:
        code = ExitCode.ERROR
        if isinstance(exc, (GitHubAuthError, GitHubPermissionError, GitHubNoTokenError)):
            code = ExitCode.AUTH
        elif isinstance(exc, GitHubNotFoundError):
            code = ExitCode.NOT_FOUND
        elif isinstance(exc, GitHubConfigError):
            code = ExitCode.USAGE
        click.echo(f"error: {exc}", err=True)
        exit_with(code)


def issue_ref(text: str) -> IssueRef:
    from ohctl.github import GitHubConfigError, IssueRef

    try:
        return IssueRef.parse(text)
    except GitHubConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def open_github(api_url: str | None = None) -> GitHub:
    from ohctl.github import GitHub

    with github_errors():
        return GitHub(api_url=api_url)


def newest_on(client: ohctl.OpenHands, repo: str) -> str:
    for conv in client.conversations.search(limit=RECENT):
        if (conv.selected_repository or "").lower() == repo.lower():
            return str(conv.id)
    raise click.UsageError(f"none of the {RECENT} newest conversations works on {repo}: pass --conversation ID")


@click.group("github")
def github_group() -> None:
    """Report conversations on GitHub issues and pull requests (token: GITHUB_TOKEN or GH_TOKEN)."""


@github_group.command("comment")
@click.option(
    "--repo",
    envvar="GITHUB_REPOSITORY",
    required=True,
    metavar="OWNER/NAME",
    help="Repository of the issue (default: $GITHUB_REPOSITORY).",
)
@click.option(
    "--issue", "number", type=click.IntRange(min=1), required=True, metavar="N", help="Issue or pull request number."
)
@click.option(
    "--conversation",
    "conversation",
    type=CONVERSATION,
    metavar="ID",
    help="The conversation (default: the newest one on --repo).",
)
@click.option(
    "--template",
    metavar="NAME|PATH",
    help="Comment template: default, brief, yours in <config dir>/github/, or a .j2 file.",
)
@click.option("--started", is_flag=True, help="Post the 'started' form (the link only), not the outcome.")
@click.option(
    "--api-url", metavar="URL", envvar="GITHUB_API_URL", help="GitHub API root; GitHub Enterprise: https://HOST/api/v3."
)
@click.option("--dry-run", is_flag=True, help="Print the comment instead of posting it (no GitHub token needed).")
@with_output
def comment(
    repo: str,
    number: int,
    conversation: Any,
    template: str | None,
    started: bool,
    api_url: str | None,
    dry_run: bool,
    out: Output,
) -> None:
    """Post the conversation's link, status, outcome, PRs, cost and duration on an issue.

    A second run for the same conversation edits that comment in place (it carries a hidden marker).

    \b
    ohctl github comment --repo octo/app --issue 7 --conversation 4f0c...
    ohctl github comment --repo octo/app --issue 7 --template brief --dry-run
    """
    from ohctl.github import comment_body, done_context, post_comment, started_context

    issue = issue_ref(f"{repo}#{number}")
    github = None if dry_run else open_github(api_url)  # no token: say so before any other request
    if github is not None:
        click.get_current_context().call_on_close(github.close)
    client = state().client()
    cid = str(conversation) if conversation is not None else newest_on(client, issue.repo)
    context = started_context(client, cid) if started else done_context(client, cid)
    with github_errors():
        if github is None:
            click.echo(comment_body(context, template, client=client), nl=False)
            return
        result = post_comment(github, issue, context, template=template, client=client)
    data = {
        "issue": str(issue),
        "comment_id": result.comment.id,
        "url": result.comment.html_url,
        "action": result.action,
        "conversation_id": context.conversation_id,
    }
    out.emit(data, human=lambda d: click.echo(f"{d['action']} {d['url']}"))


@dataclass
class RunComment:
    """``ohctl run --comment owner/name#N``: one comment on the issue, posted with the link when the
    conversation starts and edited with the outcome when it ends. The issue is checked before the task
    starts (a wrong token or number fails before anything is billed); a failure to post later is a
    warning, since the agent's run matters more than its report."""

    issue: IssueRef
    github: GitHub
    out: Output

    @classmethod
    def open(cls, text: str, out: Output) -> RunComment:
        from ohctl.github import GitHubConfigError, IssueRef

        try:
            issue = IssueRef.parse(text)
        except GitHubConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="--comment") from None
        github = open_github()
        click.get_current_context().call_on_close(github.close)
        with github_errors():
            github.issue(issue)
        return cls(issue, github, out)

    def started(self, client: ohctl.OpenHands, cid: str) -> None:
        from ohctl.github import started_context

        self._post(client, lambda: started_context(client, cid))

    def done(self, client: ohctl.OpenHands, cid: str, outcome: str | None, elapsed: float) -> None:
        from ohctl.github import done_context

        self._post(client, lambda: done_context(client, cid, elapsed=elapsed, outcome=outcome))

    def _post(self, client: ohctl.OpenHands, context: Callable[[], CommentContext]) -> None:
        import ohctl
        from ohctl.github import post_comment

        try:
            result = post_comment(self.github, self.issue, context(), client=client)
        except ohctl.OhctlError as exc:  # GitHub's refusal, or the summary's request failing
            self.out.status(f"warning: could not comment on {self.issue}: {exc}")
            return
        self.out.status(f"comment {result.action} on {self.issue}: {result.comment.html_url}")
