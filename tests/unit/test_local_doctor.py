"""``ohctl local doctor`` offline: the order of the checks, what a failure skips, the fixes it gives
(stale lock, half-built installs, crashed servers, too little disk), the secrets round-trip in a fake
server environment, and the command's output and exit code. No server is started here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ohctl.cli.main import cli
from ohctl.local import doctor
from ohctl.local.doctor import CHECKS, GIB, UP_FIX, CheckResult, DoctorReport
from ohctl.local.install import APP_SERVER, COMPLETE, lock_digest, venv_dir


@pytest.fixture(autouse=True)
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A server cache and a state root of the test's own."""
    monkeypatch.setenv("OHCTL_SERVER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("OHCTL_LOCAL_DIR", str(tmp_path / "state"))
    return tmp_path


def dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()  # exited and reaped: nothing carries this PID any more
    return gone.pid


class FakeProbe:
    instances: list[FakeProbe] = []

    def __init__(self, server: object) -> None:
        self.calls: list[str] = []
        self.run_id: str | None = None
        self.log_fix = "read the fake log"
        FakeProbe.instances.append(self)

    def start_server(self) -> str:
        self.calls.append("server")
        self.run_id = "r" * 32
        return "up"

    def start_sandbox(self) -> str:
        self.calls.append("sandbox")
        return "READY"

    def finish_conversation(self) -> str:
        self.calls.append("conversation")
        return "finished"

    def stop(self) -> None:
        self.calls.append("stop")


def fake_checks(monkeypatch: pytest.MonkeyPatch, **failing: BaseException) -> list[str]:
    """Replace every check with one that passes, or raises the given exception; return the call log."""
    called: list[str] = []
    FakeProbe.instances.clear()

    def fake(name: str, result: str = "fine") -> object:
        def check(*args: object) -> str:
            called.append(name)
            if name in failing:
                raise failing[name]
            return result

        return check

    for name in ("_python", "_environment", "_secrets", "_leftovers", "_disk"):
        monkeypatch.setattr(doctor, name, fake(name))
    probe_fails = {k: v for k, v in failing.items() if k in ("start_server", "start_sandbox", "finish_conversation")}

    class Probe(FakeProbe):
        pass

    for method, exc in probe_fails.items():

        def raising(self: FakeProbe, exc: BaseException = exc, method: str = method) -> str:
            self.calls.append(method)
            raise exc

        setattr(Probe, method, raising)
    monkeypatch.setattr(doctor, "_Probe", Probe)
    return called


def test_checks_run_in_order_and_each_result_arrives_as_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    called = fake_checks(monkeypatch)
    seen: list[CheckResult] = []
    report = doctor.diagnose(on_result=seen.append)
    assert [r.name for r in report.results] == list(CHECKS) == [r.name for r in seen]
    assert report.ok and all(r.ok and r.seconds >= 0 for r in report.results)
    assert called == ["_python", "_environment", "_secrets", "_leftovers", "_disk"]
    probe = FakeProbe.instances[-1]
    assert probe.calls == ["server", "sandbox", "conversation", "stop"]


def test_a_failing_environment_skips_what_needs_it_and_the_report_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    failure = doctor._CheckError("openhands-ai 1.11.0 is missing: not installed yet", UP_FIX)
    called = fake_checks(monkeypatch, _environment=failure)
    report = doctor.diagnose()
    by_name = {r.name: r for r in report.results}
    assert [r.name for r in report.results] == list(CHECKS), "nothing is dropped"
    assert not report.ok
    assert by_name[doctor.ENVIRONMENT].fix == UP_FIX
    assert by_name[doctor.SECRETS].detail == "skipped: needs server environment"
    assert by_name[doctor.SERVER].detail == "skipped: needs server environment"
    assert by_name[doctor.SANDBOX].detail == "skipped: needs server starts"
    assert by_name[doctor.CONVERSATION].detail == "skipped: needs sandbox starts"
    assert all(not by_name[n].ok and by_name[n].fix for n in CHECKS[1:6])
    assert by_name[doctor.PYTHON].ok and by_name[doctor.LEFTOVERS].ok and by_name[doctor.DISK].ok
    assert "_secrets" not in called and "_leftovers" in called and "_disk" in called
    assert FakeProbe.instances[-1].calls == ["stop"], "no server was started, and stop still ran"


def test_a_broken_cipher_skips_the_sandbox_but_the_server_is_still_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_checks(monkeypatch, _secrets=doctor._CheckError("ValueError: Fernet key must be ...", "rebuild"))
    report = doctor.diagnose()
    by_name = {r.name: r for r in report.results}
    assert by_name[doctor.SERVER].ok
    assert by_name[doctor.SANDBOX].detail == "skipped: needs secrets round-trip"
    assert FakeProbe.instances[-1].calls == ["server", "stop"]


def test_an_unexpected_error_is_a_failed_check_with_the_default_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_checks(monkeypatch, start_sandbox=RuntimeError("boom"))
    report = doctor.diagnose()
    sandbox = next(r for r in report.results if r.name == doctor.SANDBOX)
    assert not sandbox.ok and sandbox.detail == "RuntimeError: boom" and sandbox.fix == "read the fake log"
    assert FakeProbe.instances[-1].calls[-1] == "stop"


def test_the_server_is_stopped_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_checks(monkeypatch, finish_conversation=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        doctor.diagnose()
    assert FakeProbe.instances[-1].calls == ["server", "sandbox", "finish_conversation", "stop"]


def test_a_missing_or_stale_environment_says_to_run_up() -> None:
    with pytest.raises(doctor._CheckError) as missing:
        doctor._environment()
    assert missing.value.fix == UP_FIX and "missing" in missing.value.detail
    target = venv_dir(*APP_SERVER)
    (target / "bin").mkdir(parents=True)
    (target / "bin" / "python").write_text("")
    (target / COMPLETE).write_text(json.dumps({"lock": "0" * 64}) + "\n")
    with pytest.raises(doctor._CheckError) as stale:
        doctor._environment()
    assert stale.value.fix == "run `ohctl local up` (it installs/rebuilds from the lock)"
    assert "stale" in stale.value.detail and "another lock" in stale.value.detail
    (target / COMPLETE).write_text(json.dumps({"lock": lock_digest(*APP_SERVER)}) + "\n")
    assert "matches its lock" in doctor._environment()


def test_half_built_installs_are_reported_unless_still_under_way(places: Path) -> None:
    cache = places / "cache"
    gone = dead_pid()
    leftovers = [cache / f"openhands-ai-1.11.0.tmp-{gone}", cache / f"openhands-agent-server-1.58.2.old-{gone}"]
    for path in [*leftovers, cache / f"openhands-ai-1.6.0.tmp-{os.getpid()}", cache / "openhands-ai-1.11.0"]:
        path.mkdir(parents=True)
    with pytest.raises(doctor._CheckError) as found:
        doctor._leftovers("doctor", None)
    for path in leftovers:
        assert f"{path} is left from an interrupted install" in found.value.detail
        assert f"`rm -rf {path}`" in found.value.fix
    assert "1.6.0" not in found.value.detail, "an install whose process lives is not a leftover"
    for path in leftovers:
        path.rmdir()
    assert "no half-built install" in doctor._leftovers("doctor", None)


def test_a_crashed_server_and_stray_processes_are_reported(places: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = places / "state" / "other"
    other.mkdir(parents=True)
    record = {
        "run_id": "a" * 32,
        "port": 1,
        "pid": dead_pid(),
        "session_key": "k",
        "model": "openai/scripted",
        "scripted": True,
        "model_pid": None,
        "started_at": 0.0,
        "version": APP_SERVER[1],
    }
    (other / "server.json").write_text(json.dumps(record))
    (places / "state" / "stopped").mkdir()  # no record: a stopped server is fine
    monkeypatch.setattr(doctor, "marked", lambda run_id: [4242] if run_id == "b" * 32 else [])
    with pytest.raises(doctor._CheckError) as found:
        doctor._leftovers("doctor", "b" * 32)
    assert "local server 'other' crashed" in found.value.detail
    assert "`ohctl local down --name other`" in found.value.fix
    assert "processes 4242" in found.value.detail and "`kill 4242`" in found.value.fix
    assert "stopped" not in found.value.detail


def test_free_disk_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    assert doctor.min_free_bytes(installed=True) == 1 * GIB
    assert doctor.min_free_bytes(installed=False) == 3 * GIB
    free = {"bytes": 2 * GIB}
    monkeypatch.setattr(doctor, "_free_bytes", lambda path: (free["bytes"], 1))
    with pytest.raises(doctor._CheckError) as short:  # not installed yet: 3 GiB are needed
        doctor._disk("doctor")
    assert "2.0 GiB free for the server cache" in short.value.detail and "the state dir" in short.value.detail
    assert "below 3 GiB" in short.value.detail and "free 1.0 GiB more" in short.value.fix

    monkeypatch.setattr(doctor, "check", lambda *a: type("Seen", (), {"current": True})())
    assert doctor._disk("doctor") == (
        f"2.0 GiB free for the server cache ({places_of('OHCTL_SERVER_CACHE')}) and the state dir "
        f"({places_of('OHCTL_LOCAL_DIR')}/doctor)"
    )
    free["bytes"] = GIB // 2
    with pytest.raises(doctor._CheckError) as installed_short:
        doctor._disk("doctor")
    assert "below 1 GiB" in installed_short.value.detail

    # Two filesystems: each is named, and only the short one gets a fix.
    sizes = {"cache": 5 * GIB, "doctor": GIB // 4}
    monkeypatch.setattr(doctor, "_free_bytes", lambda path: (sizes[path.name], hash(path.name)))
    with pytest.raises(doctor._CheckError) as one_short:
        doctor._disk("doctor")
    assert "5.0 GiB free for the server cache" in one_short.value.detail
    assert "0.2 GiB free for the state dir" in one_short.value.detail
    assert "server cache" not in one_short.value.fix and "state dir" in one_short.value.fix


def places_of(var: str) -> str:
    return os.environ[var]


def test_free_bytes_looks_at_the_nearest_existing_parent(tmp_path: Path) -> None:
    free, device = doctor._free_bytes(tmp_path / "not" / "made" / "yet")
    assert free > 0 and device == os.stat(tmp_path).st_dev


UPSTREAM_CIPHER = """
import hashlib
from base64 import b64encode, urlsafe_b64encode

from cryptography.fernet import Fernet
from pydantic import SecretStr


class Cipher:  # the agent server's key derivation (openhands/sdk/utils/cipher.py), and a fixed one
    def __init__(self, secret_key):
        self.secret_key = secret_key

    def encrypt(self, secret):
        return self._get_fernet().encrypt(secret.get_secret_value().encode()).decode()

    def decrypt(self, secret):
        try:
            return SecretStr(self._get_fernet().decrypt(secret.encode()).decode())
        except Exception:
            return None

    def _get_fernet(self):
        return Fernet({encode}(hashlib.sha256(self.secret_key.encode()).digest()))
"""


def fake_server_env(root: Path, encode: str) -> Path:
    """A "venv" whose python is this interpreter with an openhands package holding only the cipher."""
    site = root / "site"
    (site / "openhands" / "sdk" / "utils").mkdir(parents=True)
    (site / "openhands" / "__init__.py").write_text("")
    (site / "openhands" / "sdk" / "utils" / "cipher.py").write_text(UPSTREAM_CIPHER.replace("{encode}", encode))
    python = root / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nPYTHONPATH={site} exec {sys.executable} "$@"\n')
    python.chmod(0o755)
    return root


def cryptography_major() -> int:
    try:
        from importlib.metadata import version

        return int(version("cryptography").split(".")[0])
    except Exception:
        return 0


@pytest.mark.skipif(cryptography_major() < 51, reason="needs cryptography >= 51 in the dev environment")
def test_the_round_trip_fails_as_the_agent_server_does_with_cryptography_51(tmp_path: Path) -> None:
    venv = fake_server_env(tmp_path / "broken", "b64encode")
    seen = doctor.secrets_round_trip(venv)
    assert not seen.ok and seen.tried == 32 and seen.unsafe_keys == 16
    assert seen.failed == 16, "exactly the secrets whose key has '+' or '/' fail"
    assert seen.error is not None and "url-safe" in seen.error
    assert int(seen.cryptography.split(".")[0]) >= 51
    rebuild = f"rebuild the server environment from ohctl's lock: delete {venv} then `ohctl local up`"
    with pytest.raises(doctor._CheckError) as failed:
        doctor._secrets(venv, rebuild)
    assert "failed for 16 of 32 secrets" in failed.value.detail and "cryptography 5" in failed.value.detail
    assert failed.value.fix == rebuild

    fixed = doctor.secrets_round_trip(fake_server_env(tmp_path / "fixed", "urlsafe_b64encode"))
    assert fixed.ok and fixed.tried == 32 and fixed.unsafe_keys == 16 and fixed.failed == 0


def test_the_round_trip_says_when_there_is_no_server_to_check(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="could not run the check"):
        doctor.secrets_round_trip(tmp_path)
    no_openhands = fake_server_env(tmp_path / "bare", "b64encode")
    (no_openhands / "site" / "openhands" / "__init__.py").unlink()
    (no_openhands / "site" / "openhands" / "sdk" / "utils" / "cipher.py").unlink()
    seen = doctor.secrets_round_trip(no_openhands)
    assert not seen.ok and seen.tried == 0 and seen.error


def fake_diagnose(results: list[CheckResult]) -> object:
    def diagnose(name: str = "doctor", *, on_result: object = None) -> DoctorReport:
        for result in results:
            if callable(on_result):
                on_result(result)
        return DoctorReport(results, all(r.ok for r in results))

    return diagnose


def test_the_command_prints_each_result_and_exits_1_on_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    results = [
        CheckResult("python", True, "/usr/bin/python3.12 (Python 3.12)", "", 0.04),
        CheckResult("free disk", False, "0.5 GiB free for the server cache", "free 0.5 GiB more", 0.0),
    ]
    monkeypatch.setattr(doctor, "diagnose", fake_diagnose(results))
    result = CliRunner().invoke(cli, ["local", "doctor"])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        "✓ python (0.0s): /usr/bin/python3.12 (Python 3.12)",
        "✗ free disk: 0.5 GiB free for the server cache",
        "    fix: free 0.5 GiB more",
    ]
    assert "\x1b[" not in result.output, "no colour when the output is not a terminal"

    monkeypatch.setattr(doctor, "diagnose", fake_diagnose(results[:1]))
    assert CliRunner().invoke(cli, ["local", "doctor"]).exit_code == 0


def test_the_command_prints_json(monkeypatch: pytest.MonkeyPatch) -> None:
    results = [CheckResult("python", True, "ok", "", 0.5), CheckResult("free disk", False, "low", "free some", 0.0)]
    monkeypatch.setattr(doctor, "diagnose", fake_diagnose(results))
    result = CliRunner().invoke(cli, ["local", "doctor", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["results"][1] == {"name": "free disk", "ok": False, "detail": "low", "fix": "free some", "seconds": 0.0}
    assert "✓" not in result.stdout


def test_the_command_is_listed_under_local() -> None:
    result = CliRunner().invoke(cli, ["local", "--help"])
    assert result.exit_code == 0 and "doctor" in result.output


def test_a_stale_environment_still_gets_the_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Built from another lock (or before locks) is not the same as broken: the round-trip says which."""
    failure = doctor._CheckError("openhands-ai 1.11.0 is stale: it was installed before ohctl locked", UP_FIX)
    called = fake_checks(monkeypatch, _environment=failure)
    monkeypatch.setattr(doctor, "check", lambda *a: type("Seen", (), {"state": "stale", "current": False})())
    by_name = {r.name: r for r in doctor.diagnose().results}
    assert "_secrets" in called and by_name[doctor.SECRETS].ok
    assert by_name[doctor.SERVER].detail == "skipped: needs server environment", "the doctor never installs"
