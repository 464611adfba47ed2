"""The real-server suite: its fixtures live in ``tests/peers/fixtures.py`` (a plugin loaded by
tests/conftest.py, shared with tests/cli); what tests import by name is re-exported here."""

from __future__ import annotations

from tests.peers.fixtures import (
    AGENT_KEY,
    LONG_STEPS,
    REUSE,
    Shared,
    eventually,
    needs_own_server,
    scripted_llm_settings,
)

# Names only: importing the fixture functions here would register a second copy of each.
__all__ = ["AGENT_KEY", "LONG_STEPS", "REUSE", "Shared", "eventually", "needs_own_server", "scripted_llm_settings"]
