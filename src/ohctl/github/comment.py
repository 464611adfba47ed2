"""The comment ohctl posts on an issue: what it says (a Jinja2 template) and the hidden marker by
which it is found again and edited in place.

Templates: the built-in ``default`` and ``brief``, yours in ``<config dir>/github/NAME.md.j2``, or a
path to a ``.j2`` file (in a workflow, one from the repository). A template sees only the fields of
``CommentContext`` (never a key), runs in Jinja's sandbox, and whatever it renders is scrubbed of the
secret values the caller names (the agent's last message could quote one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._format import duration
from .._redact import scrub
from .._web import conversation_web_url
from .errors import GitHubConfigError

if TYPE_CHECKING:
    from ..types import ConversationSummary

MARKER_PREFIX = "<!-- ohctl:comment"
MESSAGE_LIMIT = 3000  # characters of the agent's last message quoted in a comment


def marker(conversation_id: str) -> str:
    """The hidden first line that names the conversation a comment reports on."""
    return f"{MARKER_PREFIX} conversation={conversation_id} -->"


conversation_url = conversation_web_url  # this package's public name for it


@dataclass(frozen=True)
class CommentContext:
    """Everything a comment template may show. ``phase`` is ``started`` (just begun) or ``done``."""

    phase: str
    conversation_id: str
    url: str
    title: str | None = None
    status: str = "starting"
    outcome: str | None = None  # finished / failed / needs_input / stalled; None: still running
    repository: str | None = None
    branch: str | None = None
    pr_numbers: list[int] = field(default_factory=list)
    pr_refs: list[str] = field(default_factory=list)  # "octo/app#7": GitHub links these by itself
    model: str | None = None
    cost: float = 0.0
    tokens: int = 0
    event_count: int = 0
    duration_seconds: float | None = None
    task: str | None = None
    last_agent_message: str | None = None

    @property
    def short_id(self) -> str:
        return self.conversation_id[:8]

    @property
    def duration(self) -> str:
        return duration(self.duration_seconds)

    def variables(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return {**data, "short_id": self.short_id, "duration": self.duration}


def _pr_refs(repository: str | None, provider: str | None, numbers: list[int]) -> list[str]:
    if repository and (provider or "github") == "github":
        return [f"{repository}#{n}" for n in numbers]
    return [f"#{n}" for n in numbers]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start is not None and end is not None else None


def from_summary(
    summary: ConversationSummary, url: str, *, phase: str = "done", elapsed: float | None = None
) -> CommentContext:
    """The context of a conversation's summary; ``elapsed`` (seconds) if the caller timed the run,
    else the time from its creation to its last update."""
    message = summary.last_agent_message
    if message and len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return CommentContext(
        phase=phase,
        conversation_id=str(summary.id),
        url=url,
        title=summary.title,
        status=summary.status,
        outcome=summary.outcome,
        repository=summary.repository,
        branch=summary.branch,
        pr_numbers=list(summary.pr_numbers),
        pr_refs=_pr_refs(summary.repository, summary.git_provider, list(summary.pr_numbers)),
        model=summary.model,
        cost=summary.cost,
        tokens=summary.total_tokens,
        event_count=summary.event_count,
        duration_seconds=elapsed if elapsed is not None else _seconds(summary.created_at, summary.updated_at),
        task=summary.first_user_message,
        last_agent_message=message,
    )


# -- templates (ohctl.templates, kind "comment") ----------------------------------------------------
def builtin_names() -> list[str]:
    from ..templates import _builtin

    return sorted(_builtin("comment"))


def _quote(text: str | None) -> str:
    """Markdown quote of ``text``, every line (a bare ``>`` keeps blank lines inside the quote)."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in (text or "").strip().splitlines())


def render(
    context: CommentContext, template: str | None = None, *, secrets: Iterable[str] = (), with_marker: bool = True
) -> str:
    """The comment body: the hidden marker line (so the comment can be found and edited), then the
    rendered template. Without the marker for places that are not comments (a job summary)."""
    from .. import templates

    try:
        found = templates.find(template or "default", "comment")
        body = templates.render(found, context.variables(), filters={"quote": _quote}).strip()
    except templates.TemplateError as exc:
        raise GitHubConfigError(str(exc)) from None
    body = scrub(body, secrets)  # the agent could quote a key it saw
    return f"{marker(context.conversation_id)}\n{body}\n" if with_marker else body + "\n"
