"""`pytest -m "not peer" tests` is exactly the offline suite: every real-server test is marked peer
(tests/peers, and a test elsewhere that uses the peer suite's fixtures), and the harness refuses to
start a server for a test that is not marked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import selection

ROOT = Path(__file__).resolve().parents[2]


def collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_not_peer_selects_the_offline_cli_tests_and_no_server_test() -> None:
    offline = collected("-m", "not peer", "tests/cli", "tests/peers")
    files = {node.split("::")[0] for node in offline}
    assert "tests/cli/test_offline.py" in files and "tests/cli/test_cloud_commands.py" in files
    assert not [node for node in offline if node.startswith("tests/peers/")]
    # tests/cli's real-server tests (they use the peer suite's fixtures) are all on the other side
    server = collected("-m", "peer", "tests/cli")
    assert "tests/cli/test_live_tmux.py" in {node.split("::")[0] for node in server}
    assert not set(offline) & set(server)


def test_a_test_not_marked_peer_cannot_start_a_server() -> None:
    with pytest.raises(AssertionError, match="is not marked peer"):
        selection.require_peer("the app server")
