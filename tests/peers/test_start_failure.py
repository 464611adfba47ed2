"""A failed start says why, for real: a local server whose sandboxes' Fernet refuses its key (what
cryptography 51 did to 74% of sandboxes) fails every start. The SDK's error, `ohctl run` and a batch
quote the start task's detail and the sandbox log's error lines with the log's path, and
`ohctl local logs --sandbox` prints that log."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import ohctl
from ohctl.cli.main import cli
from ohctl.local import LocalServer
from ohctl.local.install import COMPLETE
from tests.support.broken_env import REFUSAL, linked_copy, refuse_fernet_keys
from tests.support.harness import app_server_python


def _cache_whose_sandboxes_refuse_their_keys(cache: Path) -> None:
    """The current environment, with a Fernet that refuses every key in agent-server processes only
    (so the app server itself starts)."""
    env = linked_copy(cache)
    refuse_fernet_keys(env, "'agent_server' in sys.argv[0]")
    assert json.loads((env / COMPLETE).read_text())["lock"]  # still current: nothing is rebuilt


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    app_server_python()
    root = tmp_path_factory.mktemp("start-failure")
    _cache_whose_sandboxes_refuse_their_keys(root / "cache")
    saved = {k: os.environ.get(k) for k in ("OHCTL_SERVER_CACHE", "OHCTL_LOCAL_DIR", "OHCTL_CONFIG_DIR")}
    os.environ.update(
        OHCTL_SERVER_CACHE=str(root / "cache"), OHCTL_LOCAL_DIR=str(root / "state"), OHCTL_CONFIG_DIR=str(root / "cfg")
    )
    server = LocalServer("failing")
    try:
        server.up(environ={})
        yield server
    finally:
        server.down()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_sdk_error_quotes_the_detail_and_the_sandbox_log(failing: LocalServer) -> None:
    with failing.client() as client, pytest.raises(ohctl.StartTaskFailedError) as caught:
        client.conversations.start("Hello [ohctl:default]", wait="ready", timeout=240)
    failure = caught.value.failure
    assert isinstance(failure, ohctl.StartFailure)
    assert failure.detail == caught.value.task.detail and failure.detail != "no detail from the server"
    assert failure.log_path is not None and failure.log_path.name == ".openhands-agent-server.log"
    assert failure.sandbox_id == caught.value.task.sandbox_id == failure.log_path.parent.name
    assert any(REFUSAL in line for line in failure.log_lines), failure.log_lines
    message = str(caught.value)
    assert failure.detail in message and REFUSAL in message and str(failure.log_path) in message


def test_ohctl_run_and_local_logs_say_why(failing: LocalServer) -> None:
    from ohctl.cli.commands.local import register

    register(failing, make_default=True)
    result = CliRunner().invoke(cli, ["run", "--no-repo", "Hello [ohctl:default]"], catch_exceptions=False)
    assert result.exit_code != 0
    err = result.stderr
    assert "the conversation did not start" in err and REFUSAL in err and ".openhands-agent-server.log" in err, err

    shown = CliRunner().invoke(cli, ["local", "logs", "--name", "failing", "--sandbox"], catch_exceptions=False)
    assert shown.exit_code == 0 and "Fernet key must be 32" in shown.stdout  # as the log has it: wrapped
    newest = failing.sandbox_log()
    assert newest is not None and str(newest.path) in shown.stderr
    by_id = CliRunner().invoke(cli, ["local", "logs", "--name", "failing", "--sandbox", newest.sandbox_id])
    assert by_id.exit_code == 0 and "Fernet key must be 32" in by_id.stdout
    unknown = CliRunner().invoke(cli, ["local", "logs", "--name", "failing", "--sandbox", "nope"])
    assert (
        unknown.exit_code == 1 and "no log for sandbox nope" in unknown.stderr and newest.sandbox_id in unknown.stderr
    )


def test_a_batch_records_why_a_start_failed(failing: LocalServer, tmp_path: Path) -> None:
    with failing.client() as client:
        batch = ohctl.Batch(tmp_path / "b.db", [{"key": "one", "message": "Hello [ohctl:default]"}], client=client)
        [result] = list(batch.run())
    assert result.outcome == "failed" and result.error is not None
    assert result.error.startswith("start failed: ") and REFUSAL in result.error, result.error
