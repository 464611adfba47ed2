"""The processes a local server starts, and how they are ended: each gets its own process group and
carries ``OHCTL_LOCAL_RUN=<run id>`` in its environment, so that ``down`` (and the test harness) can end
the recorded groups, then any process still carrying the run's marker, such as tmux servers that the
sandboxes detached. Paused sandboxes (SIGSTOP) get SIGCONT first, so that they can die."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

MARKER = "OHCTL_LOCAL_RUN"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (ended but not reaped) is not alive
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def end_group(pid: int, timeout: float) -> list[int]:
    """End the process group led by ``pid`` (SIGCONT first: a paused sandbox must be able to die)."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return []
    if pgid != pid:  # not a group we started: end the process alone
        return end_pids([pid], timeout)
    for sig in (signal.SIGCONT, signal.SIGTERM):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return [pid]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return [pid]
        reap(pid)
        time.sleep(0.1)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    reap(pid)
    return [pid]


def reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def marked(run_id: str) -> list[int]:
    """Processes carrying this run's marker (Linux: /proc; elsewhere the process groups suffice)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    needle = f"{MARKER}={run_id}".encode()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def end_marked(run_id: str, timeout: float) -> list[int]:
    return end_pids(marked(run_id), timeout, rescan=lambda: marked(run_id))


def end_pids(pids: list[int], timeout: float, rescan: Any = None) -> list[int]:
    for sig in (signal.SIGCONT, signal.SIGTERM):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    left = list(pids)
    while left and time.monotonic() < deadline:
        for pid in pids:
            reap(pid)
        left = rescan() if rescan is not None else [p for p in pids if alive(p)]
        time.sleep(0.1)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids
