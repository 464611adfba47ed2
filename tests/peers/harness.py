"""Starts and stops the real OpenHands servers for the peer suite.

Every process a peer starts (the server, its sandboxes, their tmux servers, which detach into their
own sessions) inherits ``OHCTL_PEER_RUN=<run id>`` in its environment; teardown finds them by that
marker in ``/proc`` and ends them by PID, so nothing is left behind and no unrelated process is
touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
LAUNCH = HERE / "launch"
REPO = HERE.parent.parent


class PeerUnavailable(RuntimeError):
    """The peer servers are not installed or did not start."""


def _peer_python(var: str, venv: str) -> str:
    explicit = os.environ.get(var)
    if explicit:
        return explicit
    cache = Path(
        os.environ.get("OHCTL_PEER_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ohctl-peers"
    )
    candidate = cache / venv / "bin" / "python"
    if candidate.exists():
        return str(candidate)
    raise PeerUnavailable(f"{var} is not set and {candidate} does not exist: run .ci/install-peers")


def app_server_python() -> str:
    return _peer_python("OHCTL_PEER_APP_PYTHON", "openhands-ai-1.11.0")


def agent_server_python() -> str:
    return _peer_python("OHCTL_PEER_AGENT_PYTHON", "openhands-agent-server-1.58.2")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pids_with_marker(run_id: str) -> list[int]:
    needle = f"OHCTL_PEER_RUN={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def kill_run(run_id: str, timeout: float = 10.0) -> list[int]:
    """End every process carrying this run's marker; SIGCONT first so paused sandboxes can die."""
    pids = _pids_with_marker(run_id)
    for sig in (signal.SIGCONT, signal.SIGTERM):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pids_with_marker(run_id):
        time.sleep(0.2)
    for pid in _pids_with_marker(run_id):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids


@dataclass
class Peer:
    """One server process tree with its own temporary directory and run marker."""

    name: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ohctl-peer-")))
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENHANDS_", "OH_", "VIRTUAL_ENV"))}
        tmp = self.workdir / "tmp"
        tmp.mkdir(exist_ok=True)
        env.update(
            OHCTL_PEER_RUN=self.run_id,
            TMPDIR=str(tmp),
            TMUX_TMPDIR=str(tmp),
            HOME=str(self.workdir / "home"),
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            OPENHANDS_SUPPRESS_BANNER="1",
            PYTHONUNBUFFERED="1",
        )
        (self.workdir / "home").mkdir(exist_ok=True)
        return env

    def spawn(self, argv: list[str], env: dict[str, str]) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            argv,
            env=env,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def wait_ready(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PeerUnavailable(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.base_url + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise PeerUnavailable(f"{self.name} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, keep_dir: bool = False) -> list[int]:
        killed = kill_run(self.run_id)
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if not keep_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return killed


def start_app_server(llm_base_url: str, session_api_key: str | None = None, timeout: float = 180.0) -> Peer:
    peer = Peer("app-server")
    peer.port = free_port()
    python = app_server_python()
    env = peer.base_env()
    env.update(
        RUNTIME="process",
        OH_PERSISTENCE_DIR=str(peer.workdir / "persistence"),
        OH_WEBHOOKS_0_BASE_URL=f"{peer.base_url}/api/v1/webhooks",
        OH_SANDBOX_KIND="ProcessSandboxServiceInjector",
        OH_SANDBOX_BASE_PORT=str(20000 + (os.getpid() % 200) * 50),
        OH_SANDBOX_BASE_WORKING_DIR=str(peer.workdir / "sandboxes"),
        OH_SANDBOX_PYTHON_EXECUTABLE=python,
        OH_SANDBOX_AGENT_SERVER_MODULE="ohctl_peer_agent_server",
        OH_PRELOAD_TOOLS="false",  # no Chromium preload (the suite runs without a browser)
        PYTHONPATH=str(LAUNCH),
    )
    if session_api_key:
        env["SESSION_API_KEY"] = session_api_key
    peer.spawn([python, str(LAUNCH / "app_server.py"), "--port", str(peer.port)], env)
    try:
        peer.wait_ready("/health", timeout)
        headers = {"X-Session-API-Key": session_api_key} if session_api_key else {}
        settings = {
            "agent_settings_diff": {"llm": {"model": "openai/scripted", "base_url": llm_base_url, "api_key": "x"}}
        }
        r = httpx.post(f"{peer.base_url}/api/v1/settings", json=settings, headers=headers, timeout=30)
        r.raise_for_status()
    except BaseException:
        print(peer.log_tail())
        peer.stop(keep_dir=True)
        raise
    return peer


def start_agent_server(session_api_key: str, timeout: float = 120.0) -> Peer:
    peer = Peer("agent-server")
    peer.port = free_port()
    python = agent_server_python()
    env = peer.base_env()
    env.update(SESSION_API_KEY=session_api_key, OH_SECRET_KEY=uuid.uuid4().hex)
    peer.spawn([python, "-m", "openhands.agent_server", "--host", "127.0.0.1", "--port", str(peer.port)], env)
    try:
        peer.wait_ready("/alive", timeout)
    except BaseException:
        peer.stop(keep_dir=True)
        raise
    return peer
