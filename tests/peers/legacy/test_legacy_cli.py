"""The command line with ``--legacy`` against the REAL V0 server (click's runner around
``ohctl.cli.main.main``, so exit codes are the real ones), with a config dir of its own holding one
profile for the V0 server (its session key)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import ohctl
from tests.support.harness import Peer
from tests.support.legacy_harness import V0_KEY
from tests.support.legacy_suite import Finished
from tests.support.scripted_llm import FINISH_MESSAGE, command_marker

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(v0_server: Peer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    for var in ("OPENHANDS_API_KEY", "OPENHANDS_BASE_URL", "OHCTL_PROFILE", "OHCTL_LEGACY", "OH_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    ohctl.save_profile("v0", base_url=v0_server.base_url, api_key=V0_KEY, auth="session-key", make_default=True)

    def invoke(*args: str, env: dict[str, str] | None = None, tty: bool = False) -> tuple[int, str, str]:
        import sys

        from ohctl.cli.main import main

        runner = CliRunner()
        code = 0
        wide = {"COLUMNS": "200", "NO_COLOR": "1"} if tty else {}
        with runner.isolation(env={"OHCTL_LOG": "debug", **wide, **(env or {})}) as (out, err, _):
            if tty:
                sys.stdout.isatty = lambda: True  # type: ignore[method-assign]
            try:
                returned = main(list(args))
                code = returned if isinstance(returned, int) else 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        assert V0_KEY not in stdout + stderr, f"`ohctl {' '.join(args)}` printed the session key"
        return code, stdout, stderr

    return invoke


def test_list_and_show(run: Run, finished: Finished) -> None:
    code, out, err = run("--legacy", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)  # --json: one JSON array
    assert finished.id in {r["conversation_id"] for r in rows}
    assert all("session_api_key" not in r for r in rows)
    code, out, _ = run("--legacy", "list", "--limit", "1", "--json", "conversation_id")
    assert code == 0 and len(json.loads(out)) == 1
    code, out, _ = run("list", "--title", "no title has this", "--json", env={"OHCTL_LEGACY": "1"})
    assert code == 0 and json.loads(out) == []

    code, out, err = run("--legacy", "list", tty=True)  # a terminal: the table
    assert code == 0, err
    assert finished.id in out and "status" in out.splitlines()[0].lower() and V0_KEY not in out

    code, out, err = run("--legacy", "show", finished.id, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["outcome"] == "finished" and summary["last_agent_message"] == FINISH_MESSAGE
    code, out, _ = run("--legacy", "show", finished.id)
    assert code == 0 and "finished" in out and FINISH_MESSAGE in out
    code, _, err = run("--legacy", "show", "0" * 32)
    assert code == 5 and "0" * 32 in err  # not found: V0's 200 null, as exit code 5


def test_run_wait_send_and_download(run: Run, tmp_path: Path) -> None:
    code, out, err = run("--legacy", "run", "--no-repo", f"CLI task {command_marker('echo from the cli')}")
    assert code == 0, err
    cid = out.strip()
    assert len(cid) == 32
    from ohctl.legacy import LegacyOpenHands

    with LegacyOpenHands(profile="v0") as oh:  # let the first turn end (a message mid-turn joins it)
        assert oh.conversations.wait(cid, timeout=120, poll_interval=0.5).outcome == "finished"

    code, out, err = run("--legacy", "send", cid, f"More {command_marker('echo more')}", "--wait", "--timeout", "120")
    assert code == 0, err
    assert "finished" in err

    code, out, err = run("--legacy", "download", cid, "-o", str(tmp_path) + "/", "--json")
    assert code == 0, err
    saved = json.loads(out)
    trajectory = json.loads(Path(saved["path"]).read_text())["trajectory"]
    assert saved["bytes"] > 0
    said = [e["args"].get("content", "") for e in trajectory if e.get("action") == "message" and e["source"] == "user"]
    assert any(text.startswith("More") for text in said)
    assert sum(1 for e in trajectory if e.get("action") == "finish") == 2  # both turns ran to the end
    assert not zipfile.is_zipfile(saved["path"])  # V0's trajectory is JSON, not V1's zip

    code, out, err = run("--legacy", "run", "--no-repo", "--wait", f"Waited {command_marker('echo w')}", "--json")
    assert code == 0, err
    assert json.loads(out)["outcome"] == "finished"
    with LegacyOpenHands(profile="v0") as oh:
        for conversation in (cid, json.loads(out)["id"]):
            assert oh.conversations.delete(conversation)


def test_a_v1_server_with_legacy_names_the_replacement(run: Run, base_url: str) -> None:
    code, _, err = run("--legacy", "list", env={"OPENHANDS_BASE_URL": base_url})
    assert code == 5, err
    assert "GET /api/v1/app-conversations/search" in err and "does not serve the legacy V0 API" in err


def test_without_legacy_a_v0_server_gets_a_hint(run: Run) -> None:
    """A V1 command against a V0-only server: not found (exit 5), and the hint names --legacy."""
    code, _, err = run("list")
    assert code == 5, err
    assert "--legacy" in err
