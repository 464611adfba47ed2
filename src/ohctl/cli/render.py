"""How conversations and their events read on a terminal: one line per event, a summary line at
the end of a run, the ``show`` page. Colour only when the output is a terminal and NO_COLOR is unset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import ohctl
    from ohctl.types import AppConversation, ConversationSummary, Event

OUTPUT_LINES = 3  # lines of a tool's output shown live
WIDTH = 160  # longest line of text shown for one event


@dataclass(frozen=True)
class Paint:
    color: bool

    def __call__(self, text: str, **style: Any) -> str:
        return click.style(text, **style) if self.color else text


def one_line(text: str | None, width: int = WIDTH) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def event_lines(event: Event, paint: Paint) -> list[str]:
    """The lines an event shows live (none for bookkeeping events such as the system prompt)."""
    import ohctl

    t = ohctl.types

    stamp = paint((event.timestamp or "")[11:19].ljust(8), dim=True)

    def line(label: str, text: str, **style: Any) -> str:
        return f"{stamp} {paint(label.ljust(7), **style)} {text}"

    if isinstance(event, t.MessageEvent):
        who = "user" if event.source == "user" else "agent"
        return [line(who, one_line(event.text), bold=True, fg="cyan" if who == "agent" else None)]
    if isinstance(event, t.ActionEvent):
        out = []
        if event.text.strip():
            out.append(line("agent", paint(one_line(event.text), italic=True)))
        out.append(line("action", one_line(event.brief), fg="yellow"))
        return out
    if isinstance(event, t.ObservationEvent):
        if event.tool_name == "finish":
            return []
        rows = [r for r in event.text.splitlines() if r.strip()] or ["(no output)"]
        shown = [line("output", paint(one_line(r), dim=True)) for r in rows[:OUTPUT_LINES]]
        if len(rows) > OUTPUT_LINES:
            shown.append(line("", paint(f"… {len(rows) - OUTPUT_LINES} more lines", dim=True)))
        return shown
    if isinstance(event, t.ErrorEvent):
        return [line("error", one_line(event.text or event.kind), fg="red", bold=True)]
    if isinstance(event, t.UserRejectObservation):
        return [line("reject", one_line(event.text), fg="red")]
    if isinstance(event, t.StateUpdateEvent) and event.key == "execution_status":
        return [line("status", str(event.value), fg="magenta")]
    if isinstance(event, t.PauseEvent):
        return [line("status", "paused by the user", fg="magenta")]
    if isinstance(event, (t.Condensation, t.CondensationSummaryEvent)):
        return [line("memory", "the history was condensed", dim=True)]
    return []


def status_word(conv: AppConversation | ConversationSummary | None) -> str:
    """One word: the agent's status while its sandbox runs, else the sandbox's."""
    from ohctl.types.conversations import status_word as word

    return "not found" if conv is None else word(conv.execution_status, conv.sandbox_status)


def duration(seconds: float) -> str:
    """How a length of time reads (``ohctl.format_duration``: one format for the CLI and comments)."""
    import ohctl

    return ohctl.format_duration(seconds)


def age(moment: datetime | None) -> str:
    """``5m 03s ago``; a time without a zone (V0 servers send those) is read as UTC."""
    if moment is None:
        return ""
    when = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return duration(max(0.0, (datetime.now(timezone.utc) - when).total_seconds())) + " ago"


def summary_line(summary: ConversationSummary, paint: Paint, elapsed: float | None = None) -> str:
    """``finished in 42s · 12 events · $0.04 · 1,540 tokens · PR #7 — the agent's last words``."""
    outcome = summary.outcome or status_word(summary)
    colour = {"finished": "green", "failed": "red", "needs_input": "yellow", "stalled": "magenta"}.get(outcome)
    parts = [paint(outcome.replace("_", " "), fg=colour, bold=True) + (f" in {duration(elapsed)}" if elapsed else "")]
    parts.append(f"{summary.event_count} events")
    parts.append(f"${summary.cost:.2f}")
    parts.append(f"{summary.total_tokens:,} tokens")
    if summary.pr_numbers:
        parts.append("PR " + ", ".join(f"#{n}" for n in summary.pr_numbers))
    text = " · ".join(parts)
    if summary.last_agent_message:
        text += " — " + one_line(summary.last_agent_message, 100)
    return text


def show_summary(summary: ConversationSummary, paint: Paint, url: str | None) -> None:
    """The human page of ``ohctl show``."""
    rows: list[tuple[str, str]] = [
        ("title", summary.title or ""),
        ("id", str(summary.id)),
        ("status", f"{status_word(summary)} (sandbox {summary.sandbox_status}, agent {summary.execution_status})"),
    ]
    if summary.outcome:
        rows.append(("outcome", summary.outcome))
    if summary.repository:
        rows.append(("repository", f"{summary.repository} ({summary.branch or 'default branch'})"))
    if summary.pr_numbers:
        rows.append(("PRs", ", ".join(f"#{n}" for n in summary.pr_numbers)))
    rows += [
        ("model", summary.model or ""),
        ("cost", f"${summary.cost:.4f}"),
        ("tokens", f"{summary.prompt_tokens:,} in, {summary.completion_tokens:,} out"),
        ("events", str(summary.event_count)),
        ("created", summary.created_at.isoformat(timespec="seconds") if summary.created_at else ""),
        ("updated", summary.updated_at.isoformat(timespec="seconds") if summary.updated_at else ""),
        ("sandbox", summary.sandbox_id or ""),
    ]
    if url:
        rows.append(("web", url))
    for label, value in rows:
        click.echo(f"{paint(label.ljust(11), bold=True)} {value}")
    for label, text in (("task", summary.first_user_message), ("last agent message", summary.last_agent_message)):
        if text:
            click.echo(f"\n{paint(label, bold=True)}\n{text.strip()}")


def web_url(client: ohctl.OpenHands, conversation_id: str) -> str:
    """The conversation's page in the web app (the Cloud's and a self-hosted server's alike)."""
    import ohctl

    return ohctl.conversation_web_url(client.config.base_url, conversation_id)


def is_cloud(client: ohctl.OpenHands) -> bool:
    import ohctl

    return client.config.base_url.rstrip("/") == ohctl.CLOUD_URL.rstrip("/")


def without_keys(conv: AppConversation) -> AppConversation:
    """The conversation with its session key blanked: no output ever shows a key."""
    return conv.model_copy(update={"session_api_key": None})


def event_text(event: Event) -> str:
    """One line for an event in a table: its text, else what the action does or the state it sets."""
    import ohctl

    t = ohctl.types

    if isinstance(event, t.ActionEvent):
        said = event.text.strip()
        done = event.brief
        return one_line(f"{done} — {said}" if said else done)
    if isinstance(event, t.StateUpdateEvent) and isinstance(event.value, (str, int, float, bool)):
        return f"{event.key}: {event.value}"
    return one_line(event.text)
