"""Adding conversations up into fleet statistics (pure: the caller reads the server and gives the
time). Every total is the sum of its parts: each conversation falls in exactly one outcome, one
repository, one model and one day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from .._wait_logic import as_utc, classify_execution
from ..types.conversations import AppConversation, ExecutionStatus, status_word
from ..types.sandboxes import SandboxStatus

__all__ = [
    "CSV_COLUMNS",
    "NO_MODEL",
    "NO_REPOSITORY",
    "OUTCOMES",
    "ConversationStat",
    "FleetStats",
    "StatsGroup",
    "aggregate",
    "fold_sub_conversations",
    "matches_repository",
    "outcome_of",
]

# The outcomes a conversation is counted under, in the order they are shown. The first three are the
# waits' outcomes (``ohctl.Outcome``); the others say why there is none yet.
OUTCOMES = ("finished", "failed", "needs_input", "running", "idle", "paused", "unknown")
NO_REPOSITORY = "(no repository)"
NO_MODEL = "(unknown model)"
NO_DAY = "(unknown day)"

_STILL_GOING = {
    ExecutionStatus.RUNNING.value: "running",
    ExecutionStatus.IDLE.value: "idle",
    ExecutionStatus.PAUSED.value: "paused",
}
_BY_SANDBOX = {
    SandboxStatus.ERROR.value: "failed",  # as the waits read it: a sandbox in ERROR ends the agent
    SandboxStatus.STARTING.value: "running",
    SandboxStatus.PAUSED.value: "paused",
}


def outcome_of(conv: AppConversation) -> str:
    """One of ``OUTCOMES``. The agent's status is known only while its sandbox runs: a paused
    sandbox is ``paused``; a sandbox that is gone (MISSING) took the status with it: ``unknown`` (the
    waits call MISSING failed because the agent they waited on can no longer finish; a conversation
    finished long ago whose sandbox was since cleaned up is not a failure)."""
    found = classify_execution(conv.execution_status)
    if found is not None:
        return found.value
    execution = str(conv.execution_status) if conv.execution_status is not None else None
    if execution in _STILL_GOING:
        return _STILL_GOING[execution]
    sandbox = str(conv.sandbox_status) if conv.sandbox_status is not None else None
    return _BY_SANDBOX.get(sandbox or "", "unknown")


def matches_repository(conv: AppConversation, repository: str) -> bool:
    """On ``repository`` (owner/name), in any case, as the bulk commands' ``--repo`` matches."""
    return (conv.selected_repository or "").lower() == repository.strip().lower()


@dataclass(frozen=True, slots=True)
class ConversationStat:
    """One conversation as the statistics see it. ``duration`` is seconds from its creation to its
    last update (None without both times); cost and tokens include its sub-conversations'."""

    id: str
    title: str | None
    repository: str | None
    model: str | None
    outcome: str
    status: str  # the agent's status while its sandbox runs, else the sandbox's (``status_word``)
    created_at: datetime | None
    updated_at: datetime | None
    duration: float | None
    cost: float
    prompt_tokens: int
    completion_tokens: int
    sub_conversations: int = 0
    pr_numbers: tuple[int, ...] = ()

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class StatsGroup:
    """The conversations sharing one ``key`` (an outcome, a repository, a model, a day): how many,
    their cost and tokens, and how many ended in each outcome."""

    key: str
    conversations: int = 0
    cost: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _group(key: str, rows: Iterable[ConversationStat]) -> StatsGroup:
    outcomes: dict[str, int] = {}
    count = prompt = completion = 0
    cost = 0.0
    for row in rows:
        count += 1
        cost += row.cost
        prompt += row.prompt_tokens
        completion += row.completion_tokens
        outcomes[row.outcome] = outcomes.get(row.outcome, 0) + 1
    ordered = {name: outcomes[name] for name in _outcome_order(outcomes)}
    return StatsGroup(key, count, cost, prompt, completion, ordered)


def _outcome_order(names: Iterable[str]) -> list[str]:
    known = set(names)
    return [o for o in OUTCOMES if o in known] + sorted(known - set(OUTCOMES))


@dataclass(frozen=True)
class FleetStats:
    """What the server's conversations did over a period: created from ``since`` (inclusive) to
    ``until`` (exclusive; None: now), on ``repository`` when one was asked for.

    ``total`` adds up every conversation; ``by_outcome``, ``by_repository``, ``by_model`` and
    ``by_day`` split the same conversations (each adds up to ``total``: ``by_day`` has every day of
    the period, empty ones included, by the UTC day each conversation was created); ``slowest`` and
    ``most_expensive`` are the top ``top`` conversations; ``conversations`` all of them, newest first.
    ``pages_read`` is how many search pages reading the server took."""

    since: datetime | None
    until: datetime | None
    repository: str | None
    generated_at: datetime
    total: StatsGroup
    by_outcome: dict[str, int]
    by_repository: tuple[StatsGroup, ...]
    by_model: tuple[StatsGroup, ...]
    by_day: tuple[StatsGroup, ...]
    slowest: tuple[ConversationStat, ...]
    most_expensive: tuple[ConversationStat, ...]
    conversations: tuple[ConversationStat, ...]
    pages_read: int = 0

    def csv(self) -> str:
        """Every conversation as CSV (``CSV_COLUMNS``, a header row first), for spreadsheets."""
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in self.conversations:
            writer.writerow(
                [
                    row.id,
                    row.title or "",
                    row.repository or "",
                    row.model or "",
                    row.outcome,
                    row.status,
                    row.created_at.isoformat() if row.created_at else "",
                    row.updated_at.isoformat() if row.updated_at else "",
                    "" if row.duration is None else f"{row.duration:.0f}",
                    f"{row.cost:.6f}",
                    row.prompt_tokens,
                    row.completion_tokens,
                    row.sub_conversations,
                    " ".join(str(n) for n in row.pr_numbers),
                ]
            )
        return buffer.getvalue()


CSV_COLUMNS = (
    "id",
    "title",
    "repository",
    "model",
    "outcome",
    "status",
    "created_at",
    "updated_at",
    "duration_s",
    "cost",
    "prompt_tokens",
    "completion_tokens",
    "sub_conversations",
    "pr_numbers",
)


def _usage(conv: AppConversation) -> tuple[float, int, int]:
    usage = conv.metrics.accumulated_token_usage if conv.metrics is not None else None
    if usage is None:
        return conv.cost, 0, 0
    return conv.cost, usage.prompt_tokens, usage.completion_tokens


def stat_of(conv: AppConversation, subs: Sequence[AppConversation] = ()) -> ConversationStat:
    """``conv``'s row; the cost and tokens of ``subs`` (its sub-conversations) are added to its own."""
    cost, prompt, completion = _usage(conv)
    for sub in subs:
        more = _usage(sub)
        cost, prompt, completion = cost + more[0], prompt + more[1], completion + more[2]
    created, updated = as_utc(conv.created_at), as_utc(conv.updated_at)
    duration = max(0.0, (updated - created).total_seconds()) if created and updated else None
    model = conv.llm_model or (conv.metrics.model_name if conv.metrics is not None else None)
    return ConversationStat(
        id=str(conv.id),
        title=conv.title,
        repository=conv.selected_repository,
        model=model,
        outcome=outcome_of(conv),
        status=status_word(conv.execution_status, conv.sandbox_status),
        created_at=created,
        updated_at=updated,
        duration=duration,
        cost=cost,
        prompt_tokens=prompt,
        completion_tokens=completion,
        sub_conversations=len(subs),
        pr_numbers=tuple(conv.pr_number),
    )


def fold_sub_conversations(
    conversations: Iterable[AppConversation],
) -> list[tuple[AppConversation, list[AppConversation]]]:
    """Each top conversation with the sub-conversations under it (at any depth) among
    ``conversations``. A sub-conversation whose parent is not among them (created before the period)
    stands as a conversation of its own."""
    convs = list(conversations)
    by_id = {str(c.id): c for c in convs}

    def top(conv: AppConversation) -> AppConversation:
        head, seen = conv, {str(conv.id)}
        while head.parent_conversation_id is not None and str(head.parent_conversation_id) in by_id:
            head = by_id[str(head.parent_conversation_id)]
            if str(head.id) in seen:  # a loop, which the server should never send: each stands alone
                return conv
            seen.add(str(head.id))
        return head

    under: dict[str, list[AppConversation]] = {}
    tops: list[AppConversation] = []
    for conv in convs:
        head = top(conv)
        if head is conv:
            tops.append(conv)
        else:
            under.setdefault(str(head.id), []).append(conv)
    return [(conv, under.get(str(conv.id), [])) for conv in tops]


def _split(rows: Sequence[ConversationStat], key_of: dict[str, list[ConversationStat]]) -> tuple[StatsGroup, ...]:
    groups = [_group(key, members) for key, members in key_of.items()]
    return tuple(sorted(groups, key=lambda g: (-g.cost, -g.conversations, g.key)))


def _days(rows: Sequence[ConversationStat], since: datetime | None, until: datetime) -> tuple[StatsGroup, ...]:
    by_day: dict[str, list[ConversationStat]] = {}
    undated: list[ConversationStat] = []
    for row in rows:
        if row.created_at is None:
            undated.append(row)
        else:
            by_day.setdefault(row.created_at.date().isoformat(), []).append(row)
    days = [date.fromisoformat(d) for d in by_day]
    first = min([*days, *([since.date()] if since is not None else [])], default=None)
    last = max([*days, until.date()]) if days or since is not None else None
    groups: list[StatsGroup] = []
    if first is not None and last is not None:
        day = first
        while day <= last:  # every day of the period, the empty ones too: a chart's gaps are real
            key = day.isoformat()
            groups.append(_group(key, by_day.get(key, ())))
            day += timedelta(days=1)
    if undated:
        groups.append(_group(NO_DAY, undated))
    return tuple(groups)


def aggregate(
    conversations: Iterable[AppConversation],
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    repository: str | None = None,
    top: int = 10,
    pages_read: int = 0,
) -> FleetStats:
    """The statistics of ``conversations`` (with their sub-conversations, if any: each is added into
    its parent's cost and tokens; see ``fold_sub_conversations``). Those not on ``repository``, when
    given, are left out (a sub-conversation goes with its parent)."""
    folded = fold_sub_conversations(conversations)
    rows = [stat_of(c, subs) for c, subs in folded if repository is None or matches_repository(c, repository)]
    rows.sort(key=lambda r: r.created_at or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
    now = as_utc(now) or now
    since, until = as_utc(since), as_utc(until)
    by_outcome_rows: dict[str, list[ConversationStat]] = {}
    by_repo: dict[str, list[ConversationStat]] = {}
    by_model: dict[str, list[ConversationStat]] = {}
    for row in rows:
        by_outcome_rows.setdefault(row.outcome, []).append(row)
        by_repo.setdefault(row.repository or NO_REPOSITORY, []).append(row)
        by_model.setdefault(row.model or NO_MODEL, []).append(row)
    timed = [r for r in rows if r.duration is not None]
    return FleetStats(
        since=since,
        until=until,
        repository=repository,
        generated_at=now,
        total=_group("all", rows),
        by_outcome={o: len(by_outcome_rows[o]) for o in _outcome_order(by_outcome_rows)},
        by_repository=_split(rows, by_repo),
        by_model=_split(rows, by_model),
        by_day=_days(rows, since, until or now),
        slowest=tuple(sorted(timed, key=lambda r: (-(r.duration or 0.0), r.id))[: max(top, 0)]),
        most_expensive=tuple(sorted(rows, key=lambda r: (-r.cost, -r.tokens, r.id))[: max(top, 0)]),
        conversations=tuple(rows),
        pages_read=pages_read,
    )
