"""The command line's tests: in-process runs (``run``, from tests/support/cli_runner.py) against the
REAL app server of the peer suite, each test with a config dir and no keyring of its own."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated(isolated: Path) -> Path:
    """An empty config dir, no keyring, and none of the user's OPENHANDS_* / LLM_* variables."""
    return isolated
