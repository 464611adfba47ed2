"""Follow a conversation's events with a deadline and a prompt Ctrl-C: the SDK's live stream runs in
a worker thread, the command's thread reads what it delivers (a blocking socket read can then never
hold the deadline or the interrupt back)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ohctl
    from ohctl.types import Event

TICK = 0.25
RECHECK = 60.0  # seconds between stall checks of a stream that stays silent
BUDGET_LOOK = 10.0  # seconds between two looks at the metrics of a follow with spending limits


class FollowTimeoutError(Exception):
    """The deadline passed while the conversation was still going."""


class FollowStalledError(Exception):
    """The agent runs but has produced no event for the stall time (``stall``: since when, and what)."""

    def __init__(self, stall: ohctl.Stall) -> None:
        super().__init__(stall.describe())
        self.stall = stall


class FollowOverBudgetError(Exception):
    """The agent reached a spending limit and was paused (``result``: the library's WaitResult)."""

    def __init__(self, result: ohctl.WaitResult) -> None:
        super().__init__(result.budget.describe() if result.budget is not None else "over budget")
        self.result = result


_DONE = object()


def follow_events(
    client: ohctl.OpenHands,
    conversation: str,
    *,
    timeout: float | None,
    until_done: bool = True,
    stall_after: float | None = None,
    limits: ohctl.Budget | None = None,
) -> Iterator[Event]:
    """Every event of the conversation once, in order, live; ends when the agent's run ends (with
    ``until_done``). Raises FollowTimeoutError after ``timeout`` seconds; the stream's errors are raised here.

    ``stall_after``: once the stream has been silent that long, the library's stall check looks at the
    conversation (its status, then its newest event: one or two calls), and again every minute of
    further silence; FollowStalledError when it finds the agent running without an event for that long.
    ``limits``: every ``BUDGET_LOOK`` seconds the library's poll reads the conversation's metrics;
    FollowOverBudgetError once it paused the agent at a limit."""
    items: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for event in client.events.stream(conversation, until_done=until_done):
                if stop.is_set():
                    return
                items.put(event)
            items.put(_DONE)
        except BaseException as exc:  # handed to the reading thread, which raises it
            items.put(exc)

    threading.Thread(target=work, name="ohctl-follow", daemon=True).start()
    end = None if timeout is None else time.monotonic() + timeout
    look_at = None if stall_after is None else time.monotonic() + stall_after  # the next stall check
    budget_at = (
        time.monotonic() + BUDGET_LOOK if limits is not None and limits.active else None
    )  # the next look at the metrics
    try:
        while True:
            if limits is not None and budget_at is not None and time.monotonic() >= budget_at:
                [seen] = client.conversations.poll(
                    [conversation], stall_after=None, max_cost=limits.max_cost, max_tokens=limits.max_tokens
                ).values()
                if seen.budget is not None:
                    raise FollowOverBudgetError(seen)
                budget_at = time.monotonic() + BUDGET_LOOK
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                raise FollowTimeoutError(f"still running after {timeout:.0f}s")
            try:
                item = items.get(timeout=TICK if left is None else min(TICK, left))
            except queue.Empty:
                if stall_after is not None and look_at is not None and time.monotonic() >= look_at:
                    [result] = client.conversations.poll([conversation], stall_after=stall_after).values()
                    if result.stall is not None:
                        raise FollowStalledError(result.stall) from None
                    look_at = time.monotonic() + min(stall_after, RECHECK)
                continue
            if stall_after is not None:
                look_at = time.monotonic() + stall_after
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
