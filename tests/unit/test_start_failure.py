"""How a failed start is described: the start task's detail, and for a server ohctl runs here the
sandbox log's error records (rich's wrapped, boxed output read whole) with the log's path."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

import ohctl
from ohctl.local.sandbox_logs import LOG_NAME, SandboxLog, sandbox_log, sandbox_logs, state_dir_for

# What the agent server 1.34 wrote when cryptography refused its key (abridged from a real log).
RICH_LOG = """\
[12/06/26 00:41:46] INFO     Starting agent server                  __main__.py:88
[12/06/26 00:41:47] ERROR    Git command failed: git clone --depth 1 utils.py:57
                             --branch main https://github.com/x/y
[12/06/26 00:41:49] ERROR    Exception in ASGI application       h11_impl.py:412
                             ╭─ Traceback (most recent call la─╮
                             │ ❱  587 │   │   return self.__py │
                             ╰─────────────────────────────────╯
                             PydanticSerializationError: Error
                             calling function
                             `_serialize_secrets`: ValueError:
                             Fernet key must be 32 url-safe
                             base64-encoded bytes.
[12/06/26 00:41:54] INFO     Shutting down                         server.py:282
"""

PLAIN_LOG = """\
INFO: started
Traceback (most recent call last):
  File "x.py", line 1, in <module>
RuntimeError: Chromium is required for browser operations
INFO: stopped
"""

REFUSAL = "Fernet key must be 32 url-safe base64-encoded bytes."


def _log(tmp_path: Path, sandbox: str, text: str) -> Path:
    path = tmp_path / "run" / "sandboxes" / sandbox / LOG_NAME
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_a_rich_record_is_read_whole_without_its_box(tmp_path: Path) -> None:
    [line] = SandboxLog("s", _log(tmp_path, "s", RICH_LOG)).error_lines()
    assert line.startswith("[12/06/26 00:41:49] ERROR    Exception in ASGI application PydanticSerializationError")
    assert line.endswith(f"`_serialize_secrets`: ValueError: {REFUSAL}")
    assert not any(mark in line for mark in "╭│╰❱") and "h11_impl.py" not in line
    # Without an exception, the error messages themselves are what there is.
    quiet = RICH_LOG.split("[12/06/26 00:41:49]")[0]
    [only] = SandboxLog("s", _log(tmp_path, "t", quiet)).error_lines()
    assert only.startswith("[12/06/26 00:41:47] ERROR    Git command failed") and only.endswith("github.com/x/y")


def test_a_plain_traceback_gives_its_exception_line(tmp_path: Path) -> None:
    lines = SandboxLog("s", _log(tmp_path, "s", PLAIN_LOG)).error_lines()
    assert lines[-1] == "RuntimeError: Chromium is required for browser operations"
    assert SandboxLog("s", tmp_path / "missing.log").error_lines() == []


def test_the_newest_sandbox_log_is_the_default(tmp_path: Path) -> None:
    import os

    old = _log(tmp_path, "old", "a")
    new = _log(tmp_path, "new", "b")
    os.utime(old, (1, 1))
    assert [log.sandbox_id for log in sandbox_logs(tmp_path)] == ["new", "old"]
    assert sandbox_log(tmp_path) == SandboxLog("new", new)
    assert sandbox_log(tmp_path, "old") == SandboxLog("old", old)
    assert sandbox_log(tmp_path, "gone") is None and sandbox_log(tmp_path / "nothing") is None


def test_a_local_server_is_found_by_its_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OHCTL_LOCAL_DIR", str(tmp_path))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "server.json").write_text(json.dumps({"port": 43210}))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "server.json").write_text("{not json")
    assert state_dir_for("http://127.0.0.1:43210") == tmp_path / "mine"
    assert state_dir_for("http://localhost:43210/") == tmp_path / "mine"
    assert state_dir_for("http://127.0.0.1:43211") is None
    assert state_dir_for("https://app.all-hands.dev") is None  # never a local log for a remote server


def test_describe_a_failed_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OHCTL_LOCAL_DIR", str(tmp_path))
    state = tmp_path / "default"
    state.mkdir()
    (state / "server.json").write_text(json.dumps({"port": 43210}))
    path = _log(state, "sbx1", RICH_LOG)
    task = SimpleNamespace(id="t1", status="ERROR", detail="500 on /api/conversations", sandbox_id="sbx1")

    local = ohctl.describe_start_failure(task, "http://127.0.0.1:43210")
    assert (local.detail, local.status, local.task_id, local.sandbox_id) == (
        "500 on /api/conversations",
        "ERROR",
        "t1",
        "sbx1",
    )
    assert local.log_path == path and REFUSAL in local.log_lines[-1]
    text = local.text()
    assert text.splitlines()[0] == "The conversation did not start: 500 on /api/conversations"
    assert f"the sandbox's log says ({path}):" in text and REFUSAL in text

    remote = ohctl.describe_start_failure(task, "https://app.all-hands.dev")
    assert remote.log_path is None and remote.text(lead="start failed") == "start failed: 500 on /api/conversations"
    nothing = ohctl.describe_start_failure(None, None)
    assert nothing.text() == "The conversation did not start: no detail from the server"
    quiet = ohctl.describe_start_failure(SimpleNamespace(detail="x", sandbox_id="sbx2"), "http://127.0.0.1:43210")
    assert quiet.log_path is None  # that sandbox left no log: nothing to quote
