"""Report a conversation on an issue: gather what the comment shows from the app server, render it,
and post it or edit the earlier one in place. ``ohctl github comment``, ``ohctl run --comment`` and
the GitHub Action all go through ``post_comment``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .comment import CommentContext, conversation_url, from_summary, marker, render

if TYPE_CHECKING:
    import ohctl

    from .client import Comment, GitHub
    from .refs import IssueRef

KEEP = object()  # "use the summary's outcome" (None is a real outcome: still running at the deadline)


@dataclass(frozen=True)
class CommentResult:
    issue: IssueRef
    comment: Comment
    created: bool  # False: an earlier comment on the same conversation was edited
    body: str

    @property
    def action(self) -> str:
        return "created" if self.created else "updated"


def started_context(client: ohctl.OpenHands, conversation: str) -> CommentContext:
    """A just-started conversation: its link, repository and branch (one request)."""
    conv = client.conversations.retrieve(conversation)
    status = conv.execution_status or (str(conv.sandbox_status).lower() if conv.sandbox_status else "starting")
    return CommentContext(
        phase="started",
        conversation_id=str(conv.id),
        url=conversation_url(client.config.base_url, str(conv.id)),
        title=conv.title,
        status=str(status),
        repository=conv.selected_repository,
        branch=conv.selected_branch,
    )


def done_context(
    client: ohctl.OpenHands, conversation: str, *, elapsed: float | None = None, outcome: object = KEEP
) -> CommentContext:
    """The conversation's summary; ``outcome`` overrides the server's when the caller waited on it."""
    summary = client.conversations.summary(conversation)
    if outcome is not KEEP:
        summary = summary.model_copy(update={"outcome": outcome})
    return from_summary(summary, conversation_url(client.config.base_url, str(summary.id)), elapsed=elapsed)


def secret_values(client: ohctl.OpenHands | None, github: GitHub | None) -> list[str]:
    """The keys a rendered comment must never show (the agent's message could quote one)."""
    values = [client.config.api_key if client is not None else None, github._token if github is not None else None]
    return [v for v in values if v]


def comment_body(
    context: CommentContext,
    template: str | None = None,
    *,
    client: ohctl.OpenHands | None = None,
    github: GitHub | None = None,
    with_marker: bool = True,
) -> str:
    """The rendered comment, scrubbed of the client's API key and the GitHub token."""
    return render(context, template, secrets=secret_values(client, github), with_marker=with_marker)


def post_comment(
    github: GitHub,
    issue: IssueRef,
    context: CommentContext,
    *,
    template: str | None = None,
    client: ohctl.OpenHands | None = None,
) -> CommentResult:
    """Post the comment, or edit the one already reporting on this conversation (found by its marker)."""
    body = comment_body(context, template, client=client, github=github)
    comment, created = github.upsert_comment(issue, marker(context.conversation_id), body)
    return CommentResult(issue=issue, comment=comment, created=created, body=body)
