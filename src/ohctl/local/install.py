"""Installing the pinned open-source servers once, into a per-user cache, from locks shipped with ohctl.

Each server gets its own virtual environment under ``server_cache()`` (``OHCTL_SERVER_CACHE``, else
platformdirs' user cache dir), named by package and version, and installed with uv from the lock in
``locks/`` beside this module: exact versions and hashes of every package, so nothing is resolved at
install time and an upstream release cannot change what a new machine gets (``scripts/lock-servers``
regenerates the locks, deliberately).

The environment's marker records the digest of the lock it was built from. An environment built from
another lock (an older ohctl, or any cache made before the locks existed) is rebuilt under the current
one the next time it is needed, with one line saying why. An install runs under a file lock and into a
temporary directory that is renamed into place when complete, so two concurrent installs (two
``ohctl local up``, or a test run beside a user's server) never see or destroy each other's half-built
environment.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .._errors import ConfigurationError, OhctlError
from .._extras import install_hint
from .._require import MissingExtraError, require

log = logging.getLogger("ohctl.local")

APP_SERVER = ("openhands-ai", "1.11.0")  # its sandboxes run openhands-agent-server 1.34.0
AGENT_SERVER = ("openhands-agent-server", "1.58.2")
V0_SERVER = ("openhands-ai", "1.6.0")  # the last release that serves the legacy V0 routes
PEERS = {"app": APP_SERVER, "agent": AGENT_SERVER, "v0": V0_SERVER}
COMPLETE = ".ohctl-complete"
LOCKS = Path(__file__).resolve().parent / "locks"


class InstallError(OhctlError):
    """The server could not be installed; the message says what is missing."""


@dataclass(frozen=True)
class InstallCheck:
    """What is in the cache for one server: ``state`` is "current" (built from the shipped lock),
    "stale" (built from another lock, or before locks existed: rebuilt on next use) or "missing";
    ``reason`` says why it is not current."""

    package: str
    version: str
    state: str
    path: Path
    reason: str = ""

    @property
    def current(self) -> bool:
        return self.state == "current"


def server_cache() -> Path:
    explicit = os.environ.get("OHCTL_SERVER_CACHE")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir("ohctl")) / "servers"


def venv_dir(package: str, version: str) -> Path:
    return server_cache() / f"{package}-{version}"


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def lock_path(package: str, version: str) -> Path:
    """The lock for ``package==version``: every package it installs, exact and hashed. The shipped one,
    unless ``OHCTL_SERVER_LOCKS`` names another directory of locks (``scripts/check-latest`` uses it to
    try today's releases in a throw-away cache)."""
    return Path(os.environ.get("OHCTL_SERVER_LOCKS") or LOCKS) / f"{package}-{version}.txt"


def lock_digest(package: str, version: str) -> str:
    path = lock_path(package, version)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise InstallError(
            f"No lock for {package} {version} in {path.parent}: this ohctl cannot install it (a lock is made with "
            "`scripts/lock-servers` in ohctl's source tree)"
        ) from None


def check(package: str, version: str) -> InstallCheck:
    """Whether the cached environment for ``package==version`` exists and matches its lock."""
    target = venv_dir(package, version)
    marker = target / COMPLETE
    try:
        text = marker.read_text()
    except FileNotFoundError:
        return InstallCheck(package, version, "missing", target, "not installed yet")
    except OSError as exc:
        return InstallCheck(package, version, "stale", target, f"its install marker cannot be read ({exc})")
    try:
        recorded = json.loads(text).get("lock")
    except (ValueError, AttributeError):
        recorded = None
    if not recorded:
        return InstallCheck(package, version, "stale", target, "it was installed before ohctl locked its servers")
    if recorded != lock_digest(package, version):
        return InstallCheck(package, version, "stale", target, "it was built from another lock than this ohctl's")
    if not python_of(target).exists():
        return InstallCheck(package, version, "stale", target, f"its interpreter {python_of(target)} is gone")
    return InstallCheck(package, version, "current", target)


def is_installed(package: str, version: str) -> bool:
    """True when the environment exists and was built from the lock this ohctl ships."""
    return check(package, version).current


def find_python(minimum: tuple[int, int] = (3, 12)) -> str:
    """A Python >= ``minimum`` for the servers: ``OHCTL_SERVER_PYTHON``, then ``python3.12`` /
    ``python3.13`` on PATH, then pyenv's versions, then this interpreter if recent enough."""
    candidates: list[str] = []
    if os.environ.get("OHCTL_SERVER_PYTHON"):
        candidates.append(os.environ["OHCTL_SERVER_PYTHON"])
    for name in ("python3.12", "python3.13", "python3.14"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    pyenv_root = os.environ.get("PYENV_ROOT") or _pyenv_root() or str(Path.home() / ".pyenv")
    versions = Path(pyenv_root) / "versions"
    if versions.is_dir():
        candidates += [str(v / "bin" / "python") for v in sorted(versions.iterdir()) if v.name[:4] in ("3.12", "3.13")]
    candidates.append(sys.executable)
    for candidate in candidates:
        if _version_of(candidate) >= minimum:
            return candidate
    raise InstallError(
        f"The OpenHands server needs Python {minimum[0]}.{minimum[1]} or newer, and none was found (looked at "
        "OHCTL_SERVER_PYTHON, python3.12/python3.13 on PATH, pyenv, and this interpreter). Install one "
        "(e.g. `pyenv install 3.12` or `uv python install 3.12`) or set OHCTL_SERVER_PYTHON to its path."
    )


def _pyenv_root() -> str | None:
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    try:
        return subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=20).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _version_of(python: str) -> tuple[int, int]:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, timeout=20
        )
        major, minor = out.stdout.split()
        return int(major), int(minor)
    except (OSError, ValueError, subprocess.SubprocessError):
        return (0, 0)


def _uv() -> list[str]:
    """The uv to install with: the one on PATH, else the ``uv`` package beside ohctl (its [local] extra)."""
    found = shutil.which("uv")
    if found:
        return [found]
    try:
        uv = require("uv", extra="local", purpose="Installing the OpenHands server")
        return [str(uv.find_uv_bin())]
    except MissingExtraError as exc:
        raise InstallError(f"{exc}; or put uv on PATH") from None
    except FileNotFoundError:
        raise InstallError(f"The uv package has no uv binary: reinstall it ({install_hint('local')})") from None


@contextmanager
def _locked(name: str) -> Iterator[None]:
    cache = server_cache()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".lock-{name}", "w") as handle:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started > 1800:
                    raise InstallError(f"Another install of {name} has held its lock for 30 minutes") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install(
    package: str,
    version: str,
    *,
    python: str | None = None,
    quiet: bool = True,
    notify: Callable[[str], None] | None = None,
) -> Path:
    """Install ``package==version`` from its lock into its cache venv (once) and return the venv's Python.

    An environment built from another lock is rebuilt; ``notify`` (default: a warning on the
    ``ohctl.local`` logger) gets the one line that says so."""
    state = check(package, version)
    if state.current:
        return python_of(state.path)
    with _locked(f"{package}-{version}"):
        state = check(package, version)  # installed by whoever held the lock before us?
        if state.current:
            return python_of(state.path)
        uv = _uv()  # first: without uv nothing installs, and its message says which extra brings it
        if state.state == "stale":
            line = f"rebuilding the {package} {version} server environment: {state.reason} ({state.path})"
            (notify or log.warning)(line)
        _build(package, version, state.path, python or find_python(), quiet, uv)
        return python_of(state.path)


def _build(package: str, version: str, target: Path, interpreter: str, quiet: bool, uv: list[str]) -> None:
    lock = lock_path(package, version)
    digest = lock_digest(package, version)
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    retired = target.with_name(f"{target.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    log.info("installing %s==%s from %s into %s (Python %s)", package, version, lock.name, target, interpreter)
    quiet_flag = ["-q"] if quiet else []
    try:
        # Built aside and renamed into place: --relocatable keeps the venv working under its new name.
        _run([*uv, "venv", *quiet_flag, "--relocatable", "-p", interpreter, str(staging)])
        # sync: exactly the lock, nothing resolved; --require-hashes: every file checked against it;
        # --compile-bytecode: machines that set PYTHONDONTWRITEBYTECODE would recompile at each start.
        _run(
            [*uv, "pip", "sync", *quiet_flag, "--python", str(python_of(staging)), "--require-hashes",
             "--compile-bytecode", str(lock)]
        )  # fmt: skip
        marker = {"package": package, "version": version, "lock": digest, "python": _version_text(staging)}
        (staging / COMPLETE).write_text(json.dumps(marker) + "\n")
        if target.exists():  # an earlier install from another lock, or one that never completed
            os.replace(target, retired)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)


def _version_text(venv: Path) -> str:
    major, minor = _version_of(str(python_of(venv)))
    return f"{major}.{minor}"


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise InstallError(f"`{' '.join(argv[:3])} ...` failed ({result.returncode}):\n{tail}")


def ensure_configured() -> None:
    """Refuse early on a platform the launcher cannot serve (process sandboxes need POSIX)."""
    if os.name != "posix":
        raise ConfigurationError("ohctl local runs the server with process sandboxes, which need Linux or macOS")


def main(argv: list[str] | None = None) -> None:
    """``python -m ohctl.local install [app] [agent] [v0]``: install the pinned servers (app and agent by
    default; ``v0`` is the legacy server, only for the V0 test suite)."""
    import argparse

    parser = argparse.ArgumentParser(description="Install the pinned OpenHands servers into ohctl's server cache.")
    parser.add_argument(
        "which", nargs="*", choices=sorted(PEERS), help="app: openhands-ai; agent: agent server; v0: legacy V0 server"
    )
    args = parser.parse_args(argv)
    wanted = args.which or ["app", "agent"]
    for which in wanted:
        package, version = PEERS[which]
        started = time.monotonic()
        done = is_installed(package, version)
        python = install(package, version, notify=lambda line: print(line, file=sys.stderr))
        note = "already installed" if done else f"installed from its lock in {time.monotonic() - started:.0f}s"
        print(f"{package} {version}: {note} ({python})", file=sys.stderr)
