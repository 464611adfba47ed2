"""Starts and stops the real OpenHands servers for the peer suite, through ``ohctl.local``: the same
launcher users get with ``ohctl local up``.

The app server is a ``LocalServer`` in a temporary state directory, with the suite's in-process
scripted model. The standalone agent server (the newest, for the agent-client tests) is started here
the same way: its own process group and the ``OHCTL_LOCAL_RUN`` marker, ended by PID on ``stop``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from ohctl.local import AGENT_SERVER, APP_SERVER, LocalServer, LocalServerError
from ohctl.local.install import is_installed, python_of, venv_dir
from ohctl.local.processes import MARKER
from ohctl.local.processes import end_group as _end_group
from ohctl.local.processes import end_marked as _end_marked
from ohctl.local.server import free_port
from tests.support.selection import require_peer

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


# Every peer's directory lives here, with an ``owner`` file naming the test process that started it:
# a session that was killed leaves its servers behind, and the next session ends them (see reap).
RUNS = Path(tempfile.gettempdir()) / "ohctl-peer-runs"


def _new_dir() -> Path:
    RUNS.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="run-", dir=RUNS))
    (root / "owner").write_text(str(os.getpid()))
    return root


def _owner_alive(root: Path) -> bool:
    try:
        owner = int((root / "owner").read_text())
    except (OSError, ValueError):
        return False
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap() -> list[int]:
    """End what killed test sessions left running (their owner process is gone); return the PIDs."""
    ended: list[int] = []
    if not RUNS.is_dir():
        return ended
    for root in RUNS.iterdir():
        if not root.is_dir() or _owner_alive(root):
            continue
        if (root / "local" / "server.json").exists():
            ended += LocalServer("peer", state_dir=root / "local").down()
        marker = root / "run_id"
        if marker.exists():
            ended += _end_marked(marker.read_text().strip(), 10)
        shutil.rmtree(root, ignore_errors=True)
    return ended


class PeerUnavailable(RuntimeError):
    """The peer servers are not installed or did not start."""


def _installed_python(package: str, version: str) -> str:
    if not is_installed(package, version):
        raise PeerUnavailable(
            f"{package} {version} is not installed in {venv_dir(package, version)}: run `bash scripts/setup`"
        )
    return str(python_of(venv_dir(package, version)))


def app_server_python() -> str:
    return _installed_python(*APP_SERVER)


def agent_server_python() -> str:
    return _installed_python(*AGENT_SERVER)


@dataclass
class Peer:
    """One running server: its URL, working directory (HOME is ``workdir / "home"``) and how to stop it."""

    name: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    workdir: Path = field(default_factory=_new_dir)
    port: int = 0
    local: LocalServer | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.local.log_path if self.local is not None else self.workdir / f"{self.name}.log"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, keep_dir: bool = False) -> list[int]:
        if self.local is not None:
            ended = self.local.down()
            root = self.local.state_dir.parent
        else:
            ended = _end_group(self.process.pid, 10) if self.process is not None else []
            ended += _end_marked(self.run_id, 10)
            if self.process is not None:
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            root = self.workdir
        if not keep_dir:
            shutil.rmtree(root, ignore_errors=True)
        return ended


def start_app_server(llm_base_url: str, session_api_key: str | None = None, timeout: float = 180.0) -> Peer:
    """The real app server (``ohctl.local``), with the suite's scripted model at ``llm_base_url``."""
    app_server_python()  # fail with the setup hint, not with an install in the middle of a test run
    reap()
    root = _new_dir()
    local = LocalServer("peer", state_dir=root / "local")
    try:
        status = local.up(
            model="openai/scripted",
            base_url=llm_base_url,
            api_key="x",
            session_key=session_api_key or False,
            timeout=timeout,
        )
    except LocalServerError as exc:
        raise PeerUnavailable(str(exc)) from exc
    assert status.port is not None
    record = local._record()
    return Peer(
        "app-server",
        run_id=record.run_id if record else "",
        workdir=root / "local" / "run",
        port=status.port,
        local=local,
    )


P = TypeVar("P", bound=Peer)


def isolated_env(peer: Peer, extra: dict[str, str], *, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment of a server the suite starts: the run's marker (so every process it starts can
    be found and ended), HOME and TMPDIR (tmux's too) inside the run's directory, no OPENHANDS_/OH_/
    VIRTUAL_ENV variables of the caller (nor any ``drop`` prefix), then ``extra``."""
    (peer.workdir / "run_id").write_text(peer.run_id)
    for sub in ("tmp", "home"):
        (peer.workdir / sub).mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENHANDS_", "OH_", "VIRTUAL_ENV", *drop))}
    env.update(
        {
            MARKER: peer.run_id,
            "PYTHONUNBUFFERED": "1",
            "HOME": str(peer.workdir / "home"),
            "TMPDIR": str(peer.workdir / "tmp"),
            "TMUX_TMPDIR": str(peer.workdir / "tmp"),
        }
    )
    env.update(extra)
    return env


def launch(peer: P, argv: list[str], env: dict[str, str], *, ready: str, timeout: float, interval: float = 0.5) -> P:
    """Start ``argv`` for ``peer`` in its own session (output to the peer's log) and wait until GET
    ``ready`` answers 200; a server that exits or is not ready in time is stopped and raises
    PeerUnavailable with the end of its log."""
    require_peer(peer.name)
    with peer.log_path.open("ab") as log:
        peer.process = subprocess.Popen(
            argv,
            env=env,
            cwd=peer.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if peer.process.poll() is not None:
                raise PeerUnavailable(f"{peer.name} exited with {peer.process.returncode}:\n{peer.log_tail()}")
            try:
                if httpx.get(peer.base_url + ready, timeout=2).status_code == 200:
                    return peer
            except httpx.HTTPError:
                pass
            time.sleep(interval)
        raise PeerUnavailable(f"{peer.name} not ready after {timeout:.0f}s:\n{peer.log_tail()}")
    except BaseException:
        peer.stop(keep_dir=True)
        raise


def start_agent_server(session_api_key: str, timeout: float = 120.0) -> Peer:
    """The newest standalone agent server, bound to 127.0.0.1."""
    python = agent_server_python()
    reap()
    peer = Peer("agent-server", port=free_port())
    env = isolated_env(
        peer,
        {
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "OPENHANDS_SUPPRESS_BANNER": "1",
            "SESSION_API_KEY": session_api_key,
            "OH_SECRET_KEY": uuid.uuid4().hex,
        },
    )
    argv = [python, "-m", "openhands.agent_server", "--host", "127.0.0.1", "--port", str(peer.port)]
    return launch(peer, argv, env, ready="/alive", timeout=timeout)
