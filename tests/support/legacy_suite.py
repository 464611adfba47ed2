"""What the legacy suite's tests import by name (its fixtures are in tests/peers/legacy/conftest.py):
a client of the V0 server, and the conversation the suite runs to ``finished`` once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ohctl.legacy import LegacyOpenHands
from tests.support.harness import Peer
from tests.support.legacy_harness import V0_KEY

NOTE = "legacy-note.txt"
NOTE_TEXT = "written by the V0 agent"


def legacy_client(peer: Peer, **kwargs: Any) -> LegacyOpenHands:
    return LegacyOpenHands(base_url=peer.base_url, api_key=V0_KEY, auth="session-key", max_retries=4, **kwargs)


@dataclass
class Finished:
    """A V0 conversation the scripted agent ran to ``finished`` (it wrote NOTE in the workspace)."""

    id: str
    task: str
