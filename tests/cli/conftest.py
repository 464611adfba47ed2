"""The command line's tests: in-process runs (``run``, from tests/support/cli_runner.py) against the
REAL app server of the peer suite, each test with a config dir and no keyring of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

import ohctl
from tests.support.cli_runner import Oh, Result, Run, secret
from tests.support.peer_suite import Shared


@pytest.fixture(autouse=True)
def _isolated(isolated: Path) -> Path:
    """An empty config dir, no keyring, and none of the user's OPENHANDS_* / LLM_* variables."""
    return isolated


@pytest.fixture
def oh(run: Run, base_url: str, client: ohctl.OpenHands, shared: Shared) -> Oh:
    """``oh("list", ...)``: the command line against the suite's server, with its session keys
    registered for the secret scan."""
    for conv in client.conversations.search(sandbox_id=shared.sandbox_id, limit=100):
        if conv.session_api_key:
            secret(conv.session_api_key)

    def invoke(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> Result:
        return run(*args, env={"OPENHANDS_BASE_URL": base_url, **(env or {})}, **kwargs)

    return invoke
