"""Where a local server keeps its state, and its sandboxes' own logs: where a failed start's cause is.

A process sandbox is an agent server started by the app server in
``<state dir>/run/sandboxes/<sandbox id>/``, and it writes ``.openhands-agent-server.log`` there. When
a conversation fails to start, the app server's answer and its own log hold only a generic "500 ...
/api/conversations"; the exception that explains it (a missing browser, a cipher that refuses its
key, ...) is in that file. ``ohctl local logs --sandbox`` prints it, and a failed start quotes the few
lines of it that name the error.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LOG_NAME = ".openhands-agent-server.log"
# A record that names an error: an ERROR/CRITICAL record, a traceback's start, an exception's own line.
_ERROR = re.compile(r"\bERROR\b|\bCRITICAL\b|^Traceback|^\w*(?:Error|Exception)\b")
_SOURCE = re.compile(r"\s{2,}[\w.-]+\.py:\d+\s*$")  # rich's right-aligned "file.py:123"
_BOX = ("╭", "│", "╰")  # rich's traceback frame
_RAISED = re.compile(r"\b\w*(?:Error|Exception|Exit|Interrupt): ")  # an exception with its message


@dataclass(frozen=True)
class SandboxLog:
    """One sandbox's agent-server log."""

    sandbox_id: str
    path: Path

    def text(self, lines: int | None = None) -> str:
        try:
            content = self.path.read_text(errors="replace")
        except OSError:
            return ""
        return content if lines is None else "\n".join(content.splitlines()[-lines:])

    def error_lines(self, limit: int = 2) -> list[str]:
        """The last few records that name an error, each in one line, oldest first, without repeats:
        what explains a failure. Records that carry an exception ("ValueError: ...") come before mere
        error messages (a sandbox offline logs a failed `git clone` at every start, which explains
        nothing). The agent server logs through rich, which wraps a record over many indented lines
        and draws tracebacks in a box; a record is read whole, the box left out."""
        errors = [_one_line(r) for r in _records(self.text()) if _ERROR.search(r[0].lstrip("[0123456789/:] "))]
        raised = [line for line in errors if _RAISED.search(line)]
        found: list[str] = []
        for line in reversed(raised or errors):
            if line not in found:
                found.append(line)
                if len(found) == limit:
                    break
        return found[::-1]


def _records(text: str) -> list[list[str]]:
    """Log records: a line that starts in the first column begins one, indented lines continue it."""
    records: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if records and line[:1].isspace():
            records[-1].append(line)
        else:
            records.append([line])
    return records


def _one_line(record: list[str]) -> str:
    head = _SOURCE.sub("", record[0]).rstrip()
    body = [line.strip() for line in record[1:]]
    if any(line.startswith(_BOX) for line in body):  # a drawn traceback: keep what follows the frame
        last_frame = max(i for i, line in enumerate(body) if line.startswith(_BOX))
        body = body[last_frame + 1 :]
    body = [_SOURCE.sub("", line).strip() for line in body if line and not line.startswith(_BOX)]
    return " ".join([head, *body]) if body else head


def default_state_dir(name: str = "default") -> Path:
    """A local server's state directory: ``OHCTL_LOCAL_DIR/<name>``, else the user state dir's."""
    explicit = os.environ.get("OHCTL_LOCAL_DIR")
    if explicit:
        return Path(explicit) / name
    import platformdirs

    return Path(platformdirs.user_state_dir("ohctl")) / "local" / name


def sandboxes_dir(state_dir: Path) -> Path:
    """Where a local server's sandboxes run (LocalServer passes it as OH_SANDBOX_BASE_WORKING_DIR)."""
    return state_dir / "run" / "sandboxes"


def sandbox_logs(state_dir: Path) -> list[SandboxLog]:
    """Every sandbox log of the local server kept in ``state_dir``, newest first."""
    root = sandboxes_dir(state_dir)
    logs = [SandboxLog(p.parent.name, p) for p in root.glob(f"*/{LOG_NAME}")] if root.is_dir() else []
    return sorted(logs, key=lambda log: _mtime(log.path), reverse=True)


def sandbox_log(state_dir: Path, sandbox_id: str | None = None) -> SandboxLog | None:
    """One sandbox's log (the newest when no id is given); None when there is no such log."""
    logs = sandbox_logs(state_dir)
    if sandbox_id is None:
        return logs[0] if logs else None
    return next((log for log in logs if log.sandbox_id == sandbox_id), None)


def state_dir_for(base_url: str) -> Path | None:
    """The state directory of the local server answering at ``base_url``, if ohctl started one there."""
    parts = urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1") or parts.port is None:
        return None
    for record in default_state_dir().parent.glob("*/server.json"):
        try:
            if int(json.loads(record.read_text()).get("port", -1)) == parts.port:
                return record.parent
        except (OSError, ValueError, TypeError, AttributeError):
            continue
    return None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
