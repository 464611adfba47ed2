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


class FollowTimeoutError(Exception):
    """The deadline passed while the conversation was still going."""


_DONE = object()


def follow_events(
    client: ohctl.OpenHands, conversation: str, *, timeout: float | None, until_done: bool = True
) -> Iterator[Event]:
    """Every event of the conversation once, in order, live; ends when the agent's run ends (with
    ``until_done``). Raises FollowTimeoutError after ``timeout`` seconds; the stream's errors are raised here."""
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
    try:
        while True:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                raise FollowTimeoutError(f"still running after {timeout:.0f}s")
            try:
                item = items.get(timeout=TICK if left is None else min(TICK, left))
            except queue.Empty:
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
