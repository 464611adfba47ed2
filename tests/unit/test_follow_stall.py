"""``run --follow``'s stall check (ohctl.cli.follow): a silent stream asks the library's stall check,
which ends the follow as stalled, or lets it go on while the agent is busy without events."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import pytest

import ohctl
from ohctl.cli import follow
from ohctl.cli.follow import FollowStalledError, FollowTimeoutError, follow_events

STALL = ohctl.Stall(
    last_event_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    last_event_kind="ActionEvent (terminal)",
    silent_for=9.0,
)


class SilentClient:
    """A stream that yields ``events`` then stays silent; each stall check answers the next verdict."""

    def __init__(self, events: list[Any], verdicts: list[ohctl.Stall | None]) -> None:
        self.hold = threading.Event()
        self.looks: list[float | None] = []
        self.events = SimpleNamespace(stream=self._stream)
        self.conversations = SimpleNamespace(poll=self._poll)
        self._events, self._verdicts = events, verdicts

    def _stream(self, conversation: str, *, until_done: bool) -> Iterator[Any]:
        yield from self._events
        self.hold.wait(30)  # silence (released at the end of the test)

    def _poll(self, ids: list[str], *, stall_after: float | None) -> dict[str, Any]:
        self.looks.append(stall_after)
        verdict = self._verdicts.pop(0) if self._verdicts else None
        return {ids[0]: SimpleNamespace(stall=verdict)}


def test_a_silent_stream_ends_as_stalled_with_the_stall(monkeypatch: pytest.MonkeyPatch) -> None:
    client = SilentClient(["e1", "e2"], [STALL])
    seen: list[Any] = []
    began = time.monotonic()
    with pytest.raises(FollowStalledError) as caught:
        for event in follow_events(client, "c1", timeout=20, stall_after=0.5):  # type: ignore[arg-type]
            seen.append(event)
    client.hold.set()
    assert seen == ["e1", "e2"]
    assert caught.value.stall is STALL and "ActionEvent (terminal) at 2026-01-02 03:04:05 UTC" in str(caught.value)
    assert client.looks == [0.5]  # one look, with the follow's stall time
    assert time.monotonic() - began < 10


def test_a_busy_agent_is_looked_at_again_after_the_recheck(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow, "RECHECK", 0.3)
    client = SilentClient([], [None, None, STALL])  # not stalled twice (say, model calls), then stalled
    with pytest.raises(FollowStalledError):
        list(follow_events(client, "c1", timeout=20, stall_after=0.5))  # type: ignore[arg-type]
    client.hold.set()
    assert client.looks == [0.5, 0.5, 0.5]


def test_without_stall_after_the_stream_is_never_judged() -> None:
    client = SilentClient(["e1"], [STALL])
    with pytest.raises(FollowTimeoutError):
        list(follow_events(client, "c1", timeout=1.2))  # type: ignore[arg-type]
    client.hold.set()
    assert client.looks == []
