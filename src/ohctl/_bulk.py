"""Bulk actions as plans: which conversations or sandboxes a bulk stop, delete or prune would touch,
and why, decided before anything changes (pure; the flows that read the server and carry a plan out
are in ``_async/lib/bulk.py``). A plan is shown as a dry run, confirmed, then executed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ._errors import InvalidArgumentError
from ._format import duration
from ._wait_logic import classify
from .types.conversations import AppConversation, ExecutionStatus
from .types.sandboxes import Sandbox, SandboxStatus

__all__ = [
    "BulkPlan",
    "BulkResult",
    "PlannedAction",
    "StopResult",
    "conversation_has_status",
    "idle_sandboxes",
    "parse_duration",
    "select_conversations",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str | float | timedelta) -> timedelta:
    """``90s``, ``15m``, ``1h``, ``7d``, ``2w`` (or a number of seconds, or a timedelta) as a timedelta."""
    if isinstance(text, timedelta):
        return text
    if isinstance(text, (int, float)):
        seconds = float(text)
    else:
        found = _DURATION.match(text)
        if found is None:
            raise InvalidArgumentError(
                f"{text!r} is not a duration: write a number and a unit, as 90s, 15m, 1h, 7d or 2w"
            )
        seconds = float(found.group(1)) * _UNITS[found.group(2)]
    if seconds <= 0:
        raise InvalidArgumentError(f"{text!r} is not a positive duration")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class PlannedAction:
    """One thing a plan would do: ``action`` (``stop``, ``delete``, ``pause``) on ``kind``
    (``conversation`` or ``sandbox``) ``id``, with what it is (``label``) and why it was chosen."""

    action: str
    kind: str
    id: str
    label: str
    reason: str

    def line(self) -> str:
        label = f" {self.label!r}" if self.label else ""
        return f"{self.action} {self.kind} {self.id}{label}: {self.reason}"


@dataclass(frozen=True)
class BulkPlan:
    """What a bulk action would do, decided and nothing done yet: show it (``lines()``, a dry run),
    then carry it out with ``client.conversations.execute(plan)`` (or ``client.sandboxes.execute``).
    ``sandbox``: a stop also pauses each conversation's sandbox."""

    name: str  # "stop", "delete" or "prune"
    actions: tuple[PlannedAction, ...]
    sandbox: bool = False

    def __len__(self) -> int:
        return len(self.actions)

    def __iter__(self) -> Iterator[PlannedAction]:
        return iter(self.actions)

    def __bool__(self) -> bool:
        return bool(self.actions)

    def lines(self) -> list[str]:
        return [action.line() for action in self.actions]


@dataclass
class BulkResult:
    """What executing a plan did: the ids done, and for each failure its one-line reason."""

    plan: BulkPlan
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class StopResult:
    """What ``conversations.stop`` did: ``agent_paused`` (the agent server paused the run),
    ``pausing`` (the agent server has the pause and carries it out when the step in flight ends: a
    long command or model call still runs), ``sandbox_paused`` (with ``sandbox=True``), and ``note``
    when there was nothing to pause or the pause is under way."""

    conversation_id: str
    agent_paused: bool
    sandbox_paused: bool
    note: str | None = None
    pausing: bool = False


def _when(conv: AppConversation) -> datetime | None:
    moment = conv.updated_at or conv.created_at
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def is_running(conv: AppConversation) -> bool:
    """The agent is at work: its sandbox runs and its execution status is ``running``."""
    sandbox = conv.sandbox_status
    return str(conv.execution_status) == ExecutionStatus.RUNNING.value and (
        sandbox is None or str(sandbox) == SandboxStatus.RUNNING.value
    )


def conversation_has_status(conv: AppConversation, status: str) -> bool:
    """``status`` is an outcome (``finished``, ``failed``, ``needs_input``), an execution status
    (``running``, ``idle``, ``paused``, ``error``, ``stuck``, ...) or a sandbox status (``PAUSED``,
    ``MISSING``, ...), matched without regard to case."""
    wanted = status.strip().lower()
    outcome = classify(conv)
    found = {
        str(outcome) if outcome is not None else "",
        str(conv.execution_status or "").lower(),
        str(conv.sandbox_status or "").lower(),
    }
    return wanted in found


def select_conversations(
    conversations: Iterable[AppConversation],
    *,
    now: datetime,
    older_than: timedelta | None = None,
    status: str | None = None,
    repo: str | None = None,
    title_contains: str | None = None,
    running: bool = False,
) -> list[tuple[AppConversation, str]]:
    """The conversations a bulk action picks, each with why: not updated for ``older_than``, with
    ``status``, on ``repo`` (owner/name, any case), with ``title_contains`` in the title (any case);
    ``running`` picks only agents at work. Without ``running``, an agent at work is never picked."""
    picked: list[tuple[AppConversation, str]] = []
    for conv in conversations:
        reasons: list[str] = []
        if running != is_running(conv):
            continue
        if running:
            reasons.append("the agent is running")
        if older_than is not None:
            moment = _when(conv)
            if moment is None or now - moment < older_than:
                continue
            reasons.append(f"last updated {duration((now - moment).total_seconds())} ago")
        if status is not None:
            if not conversation_has_status(conv, status):
                continue
            reasons.append(f"status {status}")
        if repo is not None:
            if (conv.selected_repository or "").lower() != repo.strip().lower():
                continue
            reasons.append(f"repository {conv.selected_repository}")
        if title_contains is not None:
            if title_contains.lower() not in (conv.title or "").lower():
                continue
            reasons.append(f"title contains {title_contains!r}")
        picked.append((conv, ", ".join(reasons) or "every conversation"))
    return picked


def idle_sandboxes(
    sandboxes: Iterable[Sandbox],
    conversations: Mapping[str, Sequence[AppConversation]],
    *,
    now: datetime,
    idle: timedelta,
    statuses: Sequence[str] = (SandboxStatus.RUNNING.value,),
) -> list[tuple[Sandbox, str]]:
    """The sandboxes in one of ``statuses`` where nothing happened for ``idle``: no agent at work in
    them, and their conversations (``conversations`` by sandbox id) last updated at least ``idle``
    ago (a sandbox without any: created that long ago), each with why."""
    picked: list[tuple[Sandbox, str]] = []
    for sandbox in sandboxes:
        if str(sandbox.status) not in statuses:
            continue
        convs = conversations.get(sandbox.id, ())
        if any(is_running(conv) for conv in convs):
            continue
        moments = [m for m in (_when(conv) for conv in convs) if m is not None]
        created = sandbox.created_at
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)
        last = max(moments) if moments else created
        if last is None or now - last < idle:
            continue
        what = "last conversation update" if moments else "created"
        picked.append((sandbox, f"{str(sandbox.status).lower()}, {what} {duration((now - last).total_seconds())} ago"))
    return picked
