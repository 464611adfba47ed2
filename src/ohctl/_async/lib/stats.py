"""Fleet statistics from the server: the conversations created in a period, sub-conversations
included, read through the search (100 a page: one request per 100 conversations, never one per
conversation); then added up by ``ohctl.stats.aggregate`` (pure).

The search is what has every conversation of a period with its status and metrics. It does not fill
``sub_conversation_ids`` (only the batch get does), so the sub-conversations are asked for in the
same search (``include_sub_conversations``) and matched to their parents by ``parent_conversation_id``:
no batch get is needed at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from ..._bulk import parse_duration
from ..._errors import InvalidArgumentError
from ..._ids import MAX_PAGE_SIZE
from ...stats.aggregate import FleetStats, aggregate, matches_repository
from ...types.conversations import AppConversation

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

# Called after each search page with (pages read, conversations seen so far).
PageCallback = Callable[[int, int], object]


def moment(value: datetime | timedelta | str | None, now: datetime, what: str) -> datetime | None:
    """A point in time: a datetime or an ISO date or date-time (naive is UTC), or a span back from
    ``now`` (a timedelta, or a duration such as ``7d``)."""
    if isinstance(value, str):
        try:
            return now - parse_duration(value)
        except InvalidArgumentError as exc:
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise InvalidArgumentError(f"{what}: {exc}, or an ISO date such as 2026-11-30") from None
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, timedelta):
        return now - value
    raise InvalidArgumentError(f"{what} is a datetime, a timedelta or a duration such as 7d, not {value!r}")


async def fleet_stats(
    client: AsyncOpenHands,
    *,
    since: datetime | timedelta | str | None = "7d",
    until: datetime | timedelta | str | None = None,
    repo: str | None = None,
    top: int = 10,
    on_page: PageCallback | None = None,
) -> FleetStats:
    now = datetime.now(timezone.utc)
    start, end = moment(since, now, "since"), moment(until, now, "until")
    if start is not None and end is not None and start >= end:
        raise InvalidArgumentError(f"since ({start.isoformat()}) must be before until ({end.isoformat()})")
    if top < 0:
        raise InvalidArgumentError(f"top must not be negative, not {top}")
    pager = client.conversations.search(
        created_after=start, created_before=end, include_sub_conversations=True, page_size=MAX_PAGE_SIZE
    )
    found: list[AppConversation] = []
    async for page in pager.pages():
        # The server has no repository filter: the pages are narrowed here as they come (keeping the
        # sub-conversations, whose parent decides), so memory holds only what is counted.
        found.extend(c for c in page.items if repo is None or c.parent_conversation_id or matches_repository(c, repo))
        if on_page is not None:
            on_page(pager.pages_fetched, len(found))
    return aggregate(found, now=now, since=start, until=end, repository=repo, top=top, pages_read=pager.pages_fetched)
