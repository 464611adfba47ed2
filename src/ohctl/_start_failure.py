"""Why a conversation did not start: the start task's own ``detail``, and for a server that ohctl runs on
this machine, the lines of the sandbox's log that name the error (where the cause is) and that log's
path. One description for every place that reports a failed start: the SDK's error, ``ohctl run``,
``ohctl demo``, batches and the MCP server."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class StartFailure:
    """A failed start, described. ``text()`` is what people read."""

    detail: str
    status: str | None = None
    task_id: str | None = None
    sandbox_id: str | None = None
    log_path: Path | None = None
    log_lines: tuple[str, ...] = field(default=())

    def text(self, *, lead: str = "The conversation did not start") -> str:
        lines = [f"{lead}: {self.detail}"]
        if self.log_path is not None:
            if self.log_lines:
                lines.append(f"the sandbox's log says ({self.log_path}):")
                lines += [f"  {line}" for line in self.log_lines]
            else:
                lines.append(f"the sandbox's log: {self.log_path}")
        return "\n".join(lines)


def describe_start_failure(task: Any, server: str | None = None) -> StartFailure:
    """Describe a start task that ended in ERROR (or None: the start never answered), for the server
    at ``server`` (its base URL; a local server's sandbox log is quoted)."""
    detail = (getattr(task, "detail", None) or "").strip() or "no detail from the server"
    status = getattr(task, "status", None)
    sandbox_id = getattr(task, "sandbox_id", None)
    found = _local_log(server, sandbox_id) if server else None
    return StartFailure(
        detail=detail,
        status=None if status is None else str(status),
        task_id=None if task is None else str(getattr(task, "id", "") or "") or None,
        sandbox_id=sandbox_id,
        log_path=found[0] if found else None,
        log_lines=found[1] if found else (),
    )


def _local_log(server: str, sandbox_id: str | None) -> tuple[Path, tuple[str, ...]] | None:
    try:
        from .local.sandbox_logs import sandbox_log, state_dir_for
    except ImportError:  # an SDK-only install has no local server to look at
        return None
    state_dir = state_dir_for(server)
    if state_dir is None:
        return None
    log = sandbox_log(state_dir, sandbox_id)
    if log is None:
        return None
    return log.path, tuple(log.error_lines())
