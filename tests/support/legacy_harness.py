"""Starts and stops the real legacy V0 server (openhands-ai 1.6.0, ``ohctl.local``'s V0 launcher) for
the legacy suite: one server on 127.0.0.1, its own process group and the ``OHCTL_LOCAL_RUN`` marker
(its local runtimes and tmux server carry it too), HOME and TMPDIR inside the run's directory. ``stop``
ends everything by PID, then the run's tmux server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ohctl.local.install import V0_SERVER
from ohctl.local.server import LAUNCH, free_port
from tests.support.harness import Peer, PeerUnavailable, _installed_python, _new_dir, isolated_env, launch, reap

V0_KEY = "ohctl-legacy-session-key"


def v0_server_python() -> str:
    try:
        return _installed_python(*V0_SERVER)
    except PeerUnavailable as exc:
        raise PeerUnavailable(f"{exc} (or only it: `.venv/bin/python -m ohctl.local install v0`)") from None


class V0Peer(Peer):
    """The V0 server; ``stop`` also ends the tmux server its runtimes started (it leaves the group)."""

    def stop(self, keep_dir: bool = False) -> list[int]:
        ended = super().stop(keep_dir=True)
        tmux = shutil.which("tmux")
        if tmux:
            env = {**os.environ, "TMUX_TMPDIR": str(self.workdir / "tmp")}
            subprocess.run([tmux, "kill-server"], env=env, capture_output=True, timeout=10, check=False)
        if not keep_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return ended


def start_v0_server(*, session_api_key: str | None = V0_KEY, timeout: float = 120.0) -> V0Peer:
    """The V0 server with short sandbox close delay and room for the suite's conversations."""
    python = v0_server_python()
    reap()
    peer = V0Peer("v0-server", workdir=_new_dir(), port=free_port())
    extra = {
        "SANDBOX_CLOSE_DELAY": "30",  # finished conversations stay up for the file tests
        "MAX_CONCURRENT_CONVERSATIONS": "12",
    }
    if session_api_key:
        extra["SESSION_API_KEY"] = session_api_key
    env = isolated_env(peer, extra, drop=("LLM_",))
    argv = [python, str(LAUNCH / "v0_server.py"), "--port", str(peer.port), "--state-dir", str(peer.workdir)]
    return launch(peer, argv, env, ready="/health", timeout=timeout, interval=0.3)


def leftover_processes(peer: Peer) -> list[int]:
    """PIDs that still carry the run's marker (none after ``stop``)."""
    from ohctl.local.processes import marked

    return list(marked(peer.run_id))


def workspace(peer: Peer) -> Path:
    return peer.workdir / "workspace"
