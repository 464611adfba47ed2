"""``LocalServer``: the real open-source OpenHands app server on 127.0.0.1, with process sandboxes.

One launcher for users (``ohctl local up``, ``ohctl demo``) and for the test suite. Its bookkeeping:

- a state directory (``OHCTL_LOCAL_DIR``, else platformdirs' user state dir ``ohctl/local/<name>``)
  holding ``server.json`` (0600: PIDs, port, the generated session key), the server's persistence
  directory, its sandboxes' working directories, its HOME and temporary files, and the logs;
- every process it starts gets its own process group and carries ``OHCTL_LOCAL_RUN=<run id>`` in its
  environment; ``down`` ends the recorded process groups, then (on Linux) any process still carrying
  the marker, such as tmux servers the sandboxes detached. A killed run is cleaned up by the next
  ``down`` or ``up``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import OhctlError
from .install import APP_SERVER, ensure_configured
from .install import install as install_server
from .processes import MARKER, alive, end_group, end_marked
from .sandbox_logs import SandboxLog, default_state_dir, sandbox_log, sandbox_logs, sandboxes_dir

if TYPE_CHECKING:
    from .._sync.client import OpenHands

log = logging.getLogger("ohctl.local")

LAUNCH = Path(__file__).resolve().parent / "launch"
SCRIPTED_MODEL = "openai/scripted"


class LocalServerError(OhctlError):
    """The local server could not be started, or is not running; the message says what to do."""


@dataclass
class LocalStatus:
    """What ``status()`` saw: ``state`` is "running", "stopped" or "crashed" (a recorded server that
    no longer answers; ``problem`` says why)."""

    state: str
    url: str | None = None
    port: int | None = None
    pid: int | None = None
    model: str | None = None
    scripted_model: bool = False
    started_at: float | None = None
    state_dir: str | None = None
    log_path: str | None = None
    problem: str | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass
class _Record:
    run_id: str
    port: int
    pid: int
    session_key: str = field(repr=False)
    model: str
    scripted: bool
    model_pid: int | None
    started_at: float
    version: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """The open-source OpenHands app server on this machine (see the module docstring).

    ``up()`` installs it once (uv, a Python >= 3.12), starts it with a generated session key, sets the
    model (the given one, else ``LLM_MODEL``/``LLM_API_KEY``/``LLM_BASE_URL``, else the offline scripted
    model) and returns its status; ``client()`` is an ``OpenHands`` client for it; ``down()`` stops it
    and everything it started.
    """

    def __init__(self, name: str = "default", *, state_dir: str | os.PathLike[str] | None = None) -> None:
        self.name = name
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir(name)

    # -- paths ------------------------------------------------------------------------------------
    @property
    def _record_path(self) -> Path:
        return self.state_dir / "server.json"

    @property
    def log_path(self) -> Path:
        return self.state_dir / "server.log"

    @property
    def model_log_path(self) -> Path:
        return self.state_dir / "model.log"

    def _record(self) -> _Record | None:
        try:
            data = json.loads(self._record_path.read_text())
            return _Record(**data)
        except (OSError, ValueError, TypeError):
            return None

    def _save(self, record: _Record) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._record_path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(asdict(record), out)
        os.replace(self._record_path.with_suffix(".tmp"), self._record_path)

    # -- what callers use ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        record = self._record()
        if record is None:
            raise LocalServerError(f"The local server {self.name!r} is not running: start it with `ohctl local up`")
        return f"http://127.0.0.1:{record.port}"

    @property
    def session_key(self) -> str:
        record = self._record()
        if record is None:
            raise LocalServerError(f"The local server {self.name!r} is not running: start it with `ohctl local up`")
        return record.session_key

    def client(self, **kwargs: Any) -> OpenHands:
        """An ``OpenHands`` client for this server (its URL and session key)."""
        from .._sync.client import OpenHands

        return OpenHands(base_url=self.url, api_key=self.session_key, auth="session-key", **kwargs)

    def status(self) -> LocalStatus:
        record = self._record()
        if record is None:
            return LocalStatus("stopped", state_dir=str(self.state_dir))
        url = f"http://127.0.0.1:{record.port}"

        def seen(state: str, problem: str | None = None) -> LocalStatus:
            return LocalStatus(
                state,
                url=url,
                port=record.port,
                pid=record.pid,
                model=record.model,
                scripted_model=record.scripted,
                started_at=record.started_at,
                state_dir=str(self.state_dir),
                log_path=str(self.log_path),
                problem=problem,
            )

        if not alive(record.pid):
            return seen("crashed", f"the server process {record.pid} is gone")
        if record.scripted and record.model_pid and not alive(record.model_pid):
            return seen("crashed", f"the scripted model process {record.model_pid} is gone")
        if not _healthy(url):
            return seen("crashed", f"{url}/health does not answer")
        return seen("running")

    def logs(self, lines: int = 200) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def sandbox_logs(self) -> list[SandboxLog]:
        """The agent-server logs of this server's sandboxes, newest first."""
        return sandbox_logs(self.state_dir)

    def sandbox_log(self, sandbox_id: str | None = None) -> SandboxLog | None:
        """One sandbox's agent-server log (the newest without an id): where a failed start's cause is."""
        return sandbox_log(self.state_dir, sandbox_id)

    def up(
        self,
        *,
        port: int | None = None,
        model: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 240.0,
        session_key: bool | str = True,
        environ: dict[str, str] | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> LocalStatus:
        """Start the server (installing it first if needed), or return the running one's status.

        ``session_key``: True (default) protects the server with a generated key (``session_key`` and
        ``client()`` use it), a string is that key, False leaves the server open to this machine.
        The model: ``model`` / ``api_key`` / ``base_url``, else ``LLM_MODEL`` / ``LLM_API_KEY`` /
        ``LLM_BASE_URL``, else the scripted model shipped with ohctl (offline, deterministic).
        ``notify`` gets the one line said when the server's environment is rebuilt from its lock."""
        ensure_configured()
        current = self.status()
        if current.running:
            return current
        if current.state == "crashed":
            log.info("cleaning up the crashed local server: %s", current.problem)
            self.down()
        env_source = os.environ if environ is None else environ
        model = model or env_source.get("LLM_MODEL") or None
        api_key = api_key or (env_source.get("LLM_API_KEY") if model else None) or None
        base_url = base_url or (env_source.get("LLM_BASE_URL") if model else None) or None
        python = str(install_server(*APP_SERVER, notify=notify))
        self.state_dir.mkdir(parents=True, exist_ok=True)
        run = self.state_dir / "run"
        for sub in ("persistence", "tmp", "home"):
            (run / sub).mkdir(parents=True, exist_ok=True)
        sandboxes_dir(self.state_dir).mkdir(parents=True, exist_ok=True)
        run_id = uuid.uuid4().hex
        # The server requires this key on every /api route (its SESSION_API_KEY mode), so nothing else
        # on the machine can use it; True generates one, a string is used as given, False: none.
        key = session_key if isinstance(session_key, str) else (secrets.token_urlsafe(32) if session_key else "")
        env = self._base_env(run, run_id)
        model_pid = None
        scripted = model is None
        if model is None:
            model_pid, model_port = self._start_model(env)
            model, base_url, api_key = SCRIPTED_MODEL, f"http://127.0.0.1:{model_port}/v1", "scripted"
        port = port or free_port()
        server_env = dict(env)
        server_env.update(
            RUNTIME="process",
            OH_PERSISTENCE_DIR=str(run / "persistence"),
            OH_WEBHOOKS_0_BASE_URL=f"http://127.0.0.1:{port}/api/v1/webhooks",
            OH_SANDBOX_KIND="ProcessSandboxServiceInjector",
            OH_SANDBOX_BASE_PORT=str(_sandbox_base_port(port)),
            OH_SANDBOX_BASE_WORKING_DIR=str(sandboxes_dir(self.state_dir)),
            OH_SANDBOX_PYTHON_EXECUTABLE=python,
            OH_SANDBOX_AGENT_SERVER_MODULE="ohctl_local_agent_server",
            OH_PRELOAD_TOOLS="false",  # no Chromium preload: no browser is needed
            PYTHONPATH=str(LAUNCH),
        )
        if key:
            server_env["SESSION_API_KEY"] = key
        with open(self.log_path, "ab") as out:
            process = subprocess.Popen(
                [python, str(LAUNCH / "app_server.py"), "--port", str(port)],
                env=server_env,
                cwd=run,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        version = APP_SERVER[1]
        record = _Record(run_id, port, process.pid, key, model, scripted, model_pid, time.time(), version)
        self._save(record)  # from here on, `down` can clean up whatever happens next
        try:
            self._wait_healthy(process, f"http://127.0.0.1:{port}", timeout)
            self._configure_model(f"http://127.0.0.1:{port}", key, model, api_key, base_url)
        except BaseException:
            self.down()
            raise
        return self.status()

    def down(self, timeout: float = 10.0) -> list[int]:
        """Stop the server, its model and every sandbox it started; return the PIDs ended."""
        record = self._record()
        ended: list[int] = []
        if record is not None:
            for pid in (record.pid, record.model_pid):
                if pid:
                    ended += end_group(pid, timeout)
            ended += end_marked(record.run_id, timeout)
            self._record_path.unlink(missing_ok=True)
        return sorted(set(ended))

    # -- internals ----------------------------------------------------------------------------------
    def _base_env(self, run: Path, run_id: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENHANDS_", "OH_", "VIRTUAL_ENV", "LLM_"))}
        env.pop("SESSION_API_KEY", None)
        env.update(
            {
                MARKER: run_id,
                "TMPDIR": str(run / "tmp"),
                "TMUX_TMPDIR": str(run / "tmp"),
                "HOME": str(run / "home"),
                "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                "OPENHANDS_SUPPRESS_BANNER": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _start_model(self, env: dict[str, str]) -> tuple[int, int]:
        port_file = self.state_dir / "model.port"
        port_file.unlink(missing_ok=True)
        with open(self.model_log_path, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "ohctl.local.scripted_model", "--port", "0", "--port-file", str(port_file)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if port_file.exists() and port_file.read_text().strip():
                return process.pid, int(port_file.read_text())
            if process.poll() is not None:
                break
            time.sleep(0.05)
        end_group(process.pid, 5)
        raise LocalServerError(f"The scripted model did not start; see {self.model_log_path}")

    def _wait_healthy(self, process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise LocalServerError(
                    f"The server exited with code {process.returncode} while starting:\n{self.logs(30)}\n"
                    f"(log: {self.log_path})"
                )
            if _healthy(url):
                return
            time.sleep(0.3)
        raise LocalServerError(f"The server did not answer {url}/health within {timeout:.0f}s; see {self.log_path}")

    def _configure_model(self, url: str, key: str, model: str, api_key: str | None, base_url: str | None) -> None:
        import httpx

        llm: dict[str, Any] = {"model": model}
        if api_key:
            llm["api_key"] = api_key
        if base_url:
            llm["base_url"] = base_url
        headers = {"X-Session-API-Key": key} if key else {}
        response = httpx.post(
            f"{url}/api/v1/settings", json={"agent_settings_diff": {"llm": llm}}, headers=headers, timeout=60
        )
        if response.status_code >= 400:
            raise LocalServerError(
                f"The server refused the model settings ({response.status_code}): {response.text[:300]}"
            )


def _sandbox_base_port(port: int) -> int:
    """Sandboxes listen from this port up: away from 8000 and from other local servers."""
    return 20000 + (port % 400) * 50


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False
