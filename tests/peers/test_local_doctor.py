"""``ohctl local doctor`` for real: every check passes against the installed server, the throw-away
server it starts leaves nothing running, and the secrets round-trip runs in the server's own Python."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ohctl.local import LocalServer
from ohctl.local.doctor import CHECKS, SERVER, CheckResult, diagnose, secrets_round_trip
from ohctl.local.install import APP_SERVER, lock_path, venv_dir
from ohctl.local.processes import marked
from tests.support.harness import app_server_python


@pytest.fixture
def state_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    app_server_python()  # installed by setup (fails with the hint otherwise)
    root = tmp_path / "state"
    monkeypatch.setenv("OHCTL_LOCAL_DIR", str(root))
    for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    yield root
    LocalServer("doctor", state_dir=root / "doctor").down()  # only does something if the doctor did not


def test_every_check_passes_and_nothing_is_left_running(state_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A real model in the environment must not be used: the doctor runs the scripted one.
    monkeypatch.setenv("LLM_MODEL", "openai/not-a-model-the-doctor-may-use")
    run_ids: list[str] = []

    def seen(result: CheckResult) -> None:
        if result.name == SERVER:  # the server still runs now: note its run id to check the cleanup
            record = LocalServer("doctor")._record()
            if record is not None:
                run_ids.append(record.run_id)

    report = diagnose(on_result=seen)
    text = "\n".join(
        f"{'ok ' if r.ok else 'BAD'} {r.name} ({r.seconds:.1f}s): {r.detail}" + ("" if r.ok else f"\n    fix: {r.fix}")
        for r in report.results
    )
    print(f"\n{text}")
    assert [r.name for r in report.results] == list(CHECKS)
    assert report.ok, text
    assert "scripted model" in next(r.detail for r in report.results if r.name == SERVER)
    assert run_ids, "the doctor's server recorded its run"
    assert not marked(run_ids[0]), "no process carries the doctor run's marker"
    assert LocalServer("doctor").status().state == "stopped"
    assert (state_root / "doctor" / "server.log").exists(), "the log stays for reading after a failure"


def test_the_secrets_round_trip_passes_in_the_server_environment() -> None:
    if os.environ.get("OHCTL_SKIP_PEERS") == "1":
        pytest.skip("OHCTL_SKIP_PEERS=1: real-server tests were skipped on request")
    app_server_python()
    seen = secrets_round_trip(venv_dir(*APP_SERVER))
    assert seen.ok, seen
    assert seen.tried == 32 and seen.failed == 0
    assert seen.unsafe_keys == 16, "half the secrets have '+' or '/' in the key cryptography >= 51 refuses"
    pinned = re.search(r"^cryptography==(\S+)", lock_path(*APP_SERVER).read_text(), re.M)
    assert pinned is not None and seen.cryptography == pinned.group(1), "the version read is the installed one"
    assert int(seen.cryptography.split(".")[0]) < 51, "ohctl's lock keeps the agent server's cipher working"
