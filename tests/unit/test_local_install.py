"""The local server's installer: a clear error without a suitable Python, and installs that never
step on each other."""

from __future__ import annotations

import threading
import time
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
    monkeypatch.setenv("OHCTL_SERVER_CACHE", str(tmp_path))
    order: list[str] = []

    def hold(name: str) -> None:
        with installer._locked("pkg-1"):
            order.append(f"{name} in")
            time.sleep(0.3)
            order.append(f"{name} out")

    threads = [threading.Thread(target=hold, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


def test_a_completed_install_is_not_redone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OHCTL_SERVER_CACHE", str(tmp_path))
    venv = installer.venv_dir("pkg", "1.0")
    venv.mkdir(parents=True)
    (venv / installer.COMPLETE).write_text("pkg==1.0\n")
    monkeypatch.setattr(installer, "_uv", lambda: pytest.fail("uv must not run for an installed server"))
    assert installer.install("pkg", "1.0") == venv / "bin" / "python"
    assert installer.is_installed("pkg", "1.0") and not installer.is_installed("pkg", "2.0")
