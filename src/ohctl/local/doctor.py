"""``diagnose()``: whether ``ohctl local`` works on this machine, one check at a time, each with its fix.

The checks run in order and each gives one ``CheckResult``. A check that needs an earlier one which
failed is reported as failed ("skipped: needs ..."), never dropped, so a report always has every
check. The cheap checks come first; the real ones start a throw-away server under its own name
(``doctor``: a user's running server is untouched), run one conversation with the scripted model,
and stop it again whatever happens. Nothing is installed or deleted: a fix says what to run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .install import APP_SERVER, check, find_python, python_of, server_cache, venv_dir
from .processes import alive, marked
from .sandbox_logs import default_state_dir
from .server import LocalServer

if TYPE_CHECKING:
    from .._sync.client import OpenHands

PYTHON = "python"
ENVIRONMENT = "server environment"
SECRETS = "secrets round-trip"
SERVER = "server starts"
SANDBOX = "sandbox starts"
CONVERSATION = "conversation finishes"
LEFTOVERS = "no leftovers"
DISK = "free disk"
CHECKS = (PYTHON, ENVIRONMENT, SECRETS, SERVER, SANDBOX, CONVERSATION, LEFTOVERS, DISK)

GIB = 1024**3
SERVER_TIMEOUT = 240.0
START_TIMEOUT = 180.0
CONVERSATION_TIMEOUT = 120.0
SNIPPET_TIMEOUT = 120.0
UP_FIX = "run `ohctl local up` (it installs/rebuilds from the lock)"
RESULT_PREFIX = "ohctl-doctor-result "

# Runs in the server's own Python (see its docstring).
ROUND_TRIP = Path(__file__).resolve().parent / "launch" / "cipher_check.py"


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    seconds: float = 0.0


@dataclass
class DoctorReport:
    results: list[CheckResult]
    ok: bool


@dataclass
class RoundTrip:
    """What the secrets round-trip saw in a server environment."""

    cryptography: str
    tried: int
    unsafe_keys: int  # secrets whose standard-base64 key has '+' or '/' (the ones cryptography 51 refuses)
    failed: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None and self.failed == 0 and self.tried > 0


class _CheckError(Exception):
    def __init__(self, detail: str, fix: str) -> None:
        super().__init__(detail)
        self.detail, self.fix = detail, fix


def diagnose(name: str = "doctor", *, on_result: Callable[[CheckResult], None] | None = None) -> DoctorReport:
    """Run every check in order (see the module docstring); ``on_result`` gets each result as it ends.

    ``name`` is the throw-away local server's name (its state dir is ``default_state_dir(name)``)."""
    results: list[CheckResult] = []

    def run(check_name: str, body: Callable[[], str], fix: str, needs: tuple[str, ...] = ()) -> bool:
        failed = [n for n in needs if not any(r.name == n and r.ok for r in results)]
        started = time.monotonic()
        if failed:
            result = CheckResult(check_name, False, f"skipped: needs {failed[0]}", f"fix the `{failed[0]}` check first")
        else:
            try:
                result = CheckResult(check_name, True, body())
            except _CheckError as exc:
                result = CheckResult(check_name, False, exc.detail, exc.fix)
            except Exception as exc:  # a check that breaks is a failed check, not a crashed doctor
                result = CheckResult(check_name, False, f"{type(exc).__name__}: {exc}", fix)
        result.seconds = time.monotonic() - started
        results.append(result)
        if on_result is not None:
            on_result(result)
        return result.ok

    venv = venv_dir(*APP_SERVER)
    rebuild = f"rebuild the server environment from ohctl's lock: delete {venv} then `ohctl local up`"
    run(PYTHON, _python, "install Python 3.12 (`uv python install 3.12`) or set OHCTL_SERVER_PYTHON")
    run(ENVIRONMENT, _environment, UP_FIX)
    # A stale environment still runs the round-trip: it says whether that environment is the broken kind.
    built = check(*APP_SERVER).state != "missing"
    run(SECRETS, lambda: _secrets(venv, rebuild), rebuild, needs=() if built else (ENVIRONMENT,))
    probe = _Probe(LocalServer(name))
    try:
        run(SERVER, probe.start_server, probe.log_fix, needs=(ENVIRONMENT,))
        run(SANDBOX, probe.start_sandbox, probe.log_fix, needs=(SERVER, SECRETS))
        run(CONVERSATION, probe.finish_conversation, probe.log_fix, needs=(SANDBOX,))
    finally:
        probe.stop()
    unreadable = f"make {default_state_dir(name).parent} and {server_cache()} readable by this user"
    run(LEFTOVERS, lambda: _leftovers(name, probe.run_id), unreadable)
    run(DISK, lambda: _disk(name), "free some disk space, or set OHCTL_SERVER_CACHE / OHCTL_LOCAL_DIR elsewhere")
    return DoctorReport(results, all(r.ok for r in results))


def _python() -> str:
    from .install import _version_of

    python = find_python()
    major, minor = _version_of(python)
    return f"{python} (Python {major}.{minor})"


def _environment() -> str:
    state = check(*APP_SERVER)
    if not state.current:
        raise _CheckError(f"{state.package} {state.version} is {state.state}: {state.reason} ({state.path})", UP_FIX)
    return f"{state.package} {state.version} at {state.path} matches its lock"


def secrets_round_trip(venv: Path, timeout: float = SNIPPET_TIMEOUT) -> RoundTrip:
    """Encrypt then decrypt with the agent server's own cipher, in ``venv``'s Python, with 32 random
    secrets (half of them with '+' or '/' in the cipher's key). Raises RuntimeError if it cannot run."""
    python = python_of(venv)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(LITELLM_LOCAL_MODEL_COST_MAP="True", OPENHANDS_SUPPRESS_BANNER="1")  # if a failure imports the sdk
    try:
        done = subprocess.run(
            [str(python), str(ROUND_TRIP)], capture_output=True, text=True, timeout=timeout, cwd=venv, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"{python} could not run the check: {exc}") from None
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise RuntimeError(f"{python} could not run the check (exit {done.returncode}): {tail}")
    data: dict[str, Any] = json.loads(lines[-1][len(RESULT_PREFIX) :])
    return RoundTrip(str(data["cryptography"]), data["tried"], data["unsafe_keys"], data["failed"], data["error"])


def _secrets(venv: Path, fix: str) -> str:
    seen = secrets_round_trip(venv)
    if not seen.ok:
        counts = f"failed for {seen.failed} of {seen.tried} secrets; " if seen.tried else ""
        raise _CheckError(f"{seen.error} ({counts}cryptography {seen.cryptography})", fix)
    return f"{seen.tried} secrets ({seen.unsafe_keys} with '+' or '/' in the key), cryptography {seen.cryptography}"


class _Probe:
    """The throw-away server, its client and its conversation, shared by the checks that use them."""

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self.client: OpenHands | None = None
        self.run_id: str | None = None
        self.conversation: str | None = None

    @property
    def log_fix(self) -> str:
        return f"read the server's log: `ohctl local logs --name {self.server.name}` ({self.server.log_path})"

    def start_server(self) -> str:
        import httpx

        from .server import LocalServerError

        try:
            # environ={}: the scripted model, whatever LLM_MODEL says (the doctor spends no tokens)
            status = self.server.up(timeout=SERVER_TIMEOUT, environ={})
        except LocalServerError as exc:
            raise _CheckError(str(exc), self.log_fix) from None
        record = self.server._record()
        self.run_id = record.run_id if record is not None else None
        url = status.url or self.server.url
        answer = httpx.get(f"{url}/health", timeout=10)
        if answer.status_code != 200:
            raise _CheckError(f"{url}/health answered {answer.status_code}", self.log_fix)
        self.client = self.server.client()
        return f"{url} answers /health ({'scripted model' if status.scripted_model else status.model})"

    def start_sandbox(self) -> str:
        from .._errors import StartTaskFailedError
        from .scripted_model import command_marker

        assert self.client is not None
        started = self.client.conversations.start(f"ohctl doctor {command_marker('echo doctor')}", wait=None)
        try:
            ready = self.client.start_tasks.wait(started, timeout=START_TIMEOUT)
        except StartTaskFailedError as exc:
            sandbox = getattr(exc.task, "sandbox_id", None) or ""
            command = f"ohctl local logs --name {self.server.name} --sandbox {sandbox}".rstrip()
            raise _CheckError(str(exc), f"read the sandbox's log: `{command}`") from None
        self.conversation = str(ready.app_conversation_id)
        return f"start task READY, sandbox {ready.sandbox_id}"

    def finish_conversation(self) -> str:
        from .._errors import WaitError

        assert self.client is not None and self.conversation is not None
        try:
            done = self.client.conversations.wait(self.conversation, timeout=CONVERSATION_TIMEOUT)
        except WaitError as exc:
            raise _CheckError(str(exc), self.log_fix) from None
        return f"conversation {done.id}: {done.execution_status}"

    def stop(self) -> None:
        record = self.server._record()
        if record is not None:
            self.run_id = record.run_id
        try:
            if self.client is not None:
                self.client.close()
        finally:
            self.server.down()


def _leftovers(name: str, run_id: str | None) -> str:
    problems: list[tuple[str, str]] = []
    pids = marked(run_id) if run_id else []
    if pids:
        listed = " ".join(str(p) for p in sorted(pids))
        problems.append((f"processes {listed} of the doctor's server still run", f"end them: `kill {listed}`"))
    root = default_state_dir(name).parent
    for state_dir in sorted(root.iterdir()) if root.is_dir() else []:
        if (state_dir / "server.json").exists():
            seen, other = LocalServer(state_dir.name, state_dir=state_dir).status(), state_dir.name
            if seen.state == "crashed":
                problems.append(
                    (f"local server {other!r} crashed ({seen.problem})", f"`ohctl local down --name {other}`")
                )
    cache = server_cache()
    for path in sorted(cache.iterdir()) if cache.is_dir() else []:
        found = re.fullmatch(r".+\.(?:tmp|old)-(\d+)", path.name)
        if found and path.is_dir() and not alive(int(found.group(1))):  # a live PID: an install under way
            problems.append((f"{path} is left from an interrupted install", f"`rm -rf {shlex.quote(str(path))}`"))
    if problems:
        raise _CheckError("; ".join(d for d, _ in problems), "; ".join(f for _, f in problems))
    return f"no stray processes, no crashed local server under {root}, no half-built install in {cache}"


def min_free_bytes(installed: bool) -> int:
    """Free space the local server needs: a first install takes about 1.5 GB, then logs and sandboxes."""
    return 1 * GIB if installed else 3 * GIB


def _free_bytes(path: Path) -> tuple[int, int]:
    """(free bytes, device) of the filesystem that holds ``path`` or its nearest existing parent."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free, os.stat(path).st_dev


def _disk(name: str) -> str:
    need = min_free_bytes(check(*APP_SERVER).current)
    places = {"the server cache": server_cache(), "the state dir": default_state_dir(name)}
    seen: dict[int, tuple[int, list[str]]] = {}
    for label, path in places.items():
        free, device = _free_bytes(path)
        seen.setdefault(device, (free, []))[1].append(f"{label} ({path})")
    parts = [f"{free / GIB:.1f} GiB free for {' and '.join(labels)}" for free, labels in seen.values()]
    short = [(free, labels) for free, labels in seen.values() if free < need]
    if short:
        fix = "; ".join(f"free {(need - free) / GIB:.1f} GiB more for {' and '.join(labels)}" for free, labels in short)
        raise _CheckError(
            f"{'; '.join(parts)}: below {need / GIB:.0f} GiB",
            fix + " (or move them: OHCTL_SERVER_CACHE, OHCTL_LOCAL_DIR)",
        )
    return "; ".join(parts)
