"""What the real-server suite's tests share besides fixtures (those are in ``peer_fixtures``): the
shared conversation's type, polling for the app server's late events, the agent server's key, and the
mark for tests that need a server of their own."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest

import ohctl
from tests.support.scripted_llm import ScriptedLLM

T = TypeVar("T")

# Development only: OHCTL_PEER_REUSE=<file written by `python -m tests.support.serve`> points the suite
# at an app server and scripted LLM that are already running (several people testing on two cores
# share one). CI never sets it: there each session starts and stops its own servers.
REUSE = os.environ.get("OHCTL_PEER_REUSE")

# For tests that count what the whole server created during the test: on a shared server, other
# people's runs would be counted too (and their sandboxes cleaned up).
needs_own_server = pytest.mark.skipif(
    bool(REUSE), reason="counts everything the server creates: needs a server of its own (not OHCTL_PEER_REUSE)"
)

# The number of steps of the shared conversation's scripted task.
LONG_STEPS = 12

AGENT_KEY = "ohctl-test-session-key"


@dataclass
class Shared:
    """A conversation run to finished by the scripted LLM, whose sandbox the suite reuses."""

    conversation: ohctl.types.AppConversation
    start_seconds: float

    @property
    def id(self) -> ohctl.ConversationId:
        return self.conversation.id

    @property
    def sandbox_id(self) -> str:
        assert self.conversation.sandbox_id
        return self.conversation.sandbox_id


def eventually(check: Callable[[], T | None], *, timeout: float = 60.0, interval: float = 1.0, what: str = "") -> T:
    """Poll ``check`` until it returns a truthy value (app-server events arrive in webhook batches)."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout}s: {what} (last: {last!r})")


def scripted_llm_settings(llm: ScriptedLLM) -> dict[str, str]:
    return {"model": "openai/scripted", "base_url": llm.base_url, "api_key": "x"}
