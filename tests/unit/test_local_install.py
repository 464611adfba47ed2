"""The local server's installer: a clear error without a suitable Python, and installs that never
step on each other."""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from ohctl.local import install as installer


def test_no_suitable_python_names_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no python3.12 / pyenv on PATH
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.delenv("OHCTL_SERVER_PYTHON", raising=False)
    with pytest.raises(installer.InstallError, match=r"Python 9\.9 or newer.*OHCTL_SERVER_PYTHON"):
        installer.find_python(minimum=(9, 9))


def test_the_explicit_python_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setenv("OHCTL_SERVER_PYTHON", sys.executable)
    assert installer.find_python(minimum=(3, 0)) == sys.executable


def test_installs_wait_for_each_other(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """b is refused the lock while a holds it (b's retry pause is where we learn it), and gets it once
    a lets go: no fixed sleep, each step waits on the event that says it happened."""
    monkeypatch.setenv("OHCTL_SERVER_CACHE", str(tmp_path))
    order: list[str] = []
    a_in, release_a, a_out, b_refused = (threading.Event() for _ in range(4))

    def pause(seconds: float) -> None:  # the lock's retry pause, in b only
        b_refused.set()
        a_out.wait(30)

    monkeypatch.setattr(installer, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=pause))

    def hold_a() -> None:
        with installer._locked("pkg-1"):
            order.append("a in")
            a_in.set()
            release_a.wait(30)
            order.append("a out")
        a_out.set()

    def hold_b() -> None:
        with installer._locked("pkg-1"):
            order.append("b in")
        order.append("b out")

    a = threading.Thread(target=hold_a)
    a.start()
    assert a_in.wait(30)
    b = threading.Thread(target=hold_b)
    b.start()
    refused = b_refused.wait(30)
    release_a.set()
    a.join(30)
    b.join(30)
    assert refused, "b got the lock while a held it"
    assert order == ["a in", "a out", "b in", "b out"]


def _fake_lock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str = "pkg==1.0 --hash=sha256:00\n") -> Path:
    locks = tmp_path / "locks"
    locks.mkdir(exist_ok=True)
    (locks / "pkg-1.0.txt").write_text(text)
    monkeypatch.setattr(installer, "LOCKS", locks)
    monkeypatch.setenv("OHCTL_SERVER_CACHE", str(tmp_path / "cache"))
    return locks / "pkg-1.0.txt"


def _marker(lock: Path) -> str:
    return json.dumps({"package": "pkg", "version": "1.0", "lock": hashlib.sha256(lock.read_bytes()).hexdigest()})


class FakeUv:
    """Stands in for uv: ``venv`` makes an interpreter, ``pip sync`` records what it was asked."""

    def __init__(self, fail_sync: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail_sync = fail_sync

    def __call__(self, argv: list[str]) -> None:
        self.calls.append(argv)
        if argv[1] == "venv":
            venv = Path(argv[-1])
            (venv / "bin").mkdir(parents=True)
            (venv / "bin" / "python").symlink_to(sys.executable)
        elif self.fail_sync:
            raise installer.InstallError("`uv pip sync ...` failed (1): a hash did not match")


def _use(monkeypatch: pytest.MonkeyPatch, uv: FakeUv) -> None:
    monkeypatch.setattr(installer, "_uv", lambda: ["uv"])
    monkeypatch.setattr(installer, "_run", uv)


def test_a_current_install_is_not_redone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lock = _fake_lock(monkeypatch, tmp_path)
    venv = installer.venv_dir("pkg", "1.0")
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / installer.COMPLETE).write_text(_marker(lock))
    monkeypatch.setattr(installer, "_uv", lambda: pytest.fail("uv must not run for an installed server"))
    assert installer.install("pkg", "1.0") == venv / "bin" / "python"
    assert installer.is_installed("pkg", "1.0")
    assert installer.check("pkg", "1.0").state == "current"


def test_a_fresh_install_syncs_exactly_the_lock_with_hashes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lock = _fake_lock(monkeypatch, tmp_path)
    uv = FakeUv()
    _use(monkeypatch, uv)
    said: list[str] = []
    assert installer.check("pkg", "1.0").state == "missing"
    python = installer.install("pkg", "1.0", python=sys.executable, notify=said.append)
    assert said == []  # nothing to explain on a first install
    sync = uv.calls[1]
    assert sync[1:3] == ["pip", "sync"] and "--require-hashes" in sync and sync[-1] == str(lock)
    assert "install" not in sync and "--override" not in sync  # nothing is resolved at install time
    marker = json.loads((python.parent.parent / installer.COMPLETE).read_text())
    assert marker["lock"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert installer.is_installed("pkg", "1.0")
    assert not list(installer.server_cache().glob("*.tmp-*")) and not list(installer.server_cache().glob("*.old-*"))


@pytest.mark.parametrize(
    ("marker", "reason"),
    [
        ("pkg==1.0\n", "installed before ohctl locked its servers"),  # every cache made before the locks
        (json.dumps({"lock": "0" * 64}), "built from another lock"),
    ],
)
def test_an_install_from_another_lock_is_rebuilt_with_one_line_saying_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, marker: str, reason: str
) -> None:
    _fake_lock(monkeypatch, tmp_path)
    venv = installer.venv_dir("pkg", "1.0")
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / "broken-package.txt").write_text("cryptography 51")
    (venv / installer.COMPLETE).write_text(marker)
    assert installer.check("pkg", "1.0").state == "stale" and reason in installer.check("pkg", "1.0").reason
    uv = FakeUv()
    _use(monkeypatch, uv)
    said: list[str] = []
    installer.install("pkg", "1.0", python=sys.executable, notify=said.append)
    assert len(said) == 1 and reason in said[0] and str(venv) in said[0]
    assert not (venv / "broken-package.txt").exists()  # the old environment is gone, not patched
    assert installer.is_installed("pkg", "1.0")
    assert not list(installer.server_cache().glob("pkg-1.0.*"))  # no staging or retired copy left


def test_a_changed_lock_makes_the_install_stale(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lock = _fake_lock(monkeypatch, tmp_path)
    _use(monkeypatch, FakeUv())
    installer.install("pkg", "1.0", python=sys.executable)
    assert installer.is_installed("pkg", "1.0")
    lock.write_text("pkg==1.0 --hash=sha256:11\n")  # a relock
    assert installer.check("pkg", "1.0").state == "stale"


def test_a_failed_rebuild_leaves_the_previous_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_lock(monkeypatch, tmp_path)
    venv = installer.venv_dir("pkg", "1.0")
    venv.mkdir(parents=True)
    (venv / installer.COMPLETE).write_text("pkg==1.0\n")
    _use(monkeypatch, FakeUv(fail_sync=True))
    with pytest.raises(installer.InstallError, match="hash did not match"):
        installer.install("pkg", "1.0", python=sys.executable, notify=lambda line: None)
    assert (venv / installer.COMPLETE).read_text() == "pkg==1.0\n"
    assert not list(installer.server_cache().glob("pkg-1.0.*"))


def test_a_server_without_a_lock_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_lock(monkeypatch, tmp_path)
    with pytest.raises(installer.InstallError, match=r"No lock for pkg 2\.0.*scripts/lock-servers"):
        installer.install("pkg", "2.0", python=sys.executable)
