"""Batches: run many tasks at once, resumable after a crash, never starting one twice.

``Batch`` (sync) and ``AsyncBatch`` run task specs recorded in a SQLite ledger; ``parse_jsonl``
and ``parse_tasks`` check input before anything starts. The runner (and the HTTP stack) is
imported only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .ledger import Ledger, LedgerError, TaskRow, TaskTry
from .results import BatchStatus, TaskResult
from .retries import FailureKind, FailureReason, failure_reason, should_retry
from .spec import BatchInputError, InputProblem, TaskSpec, parse_jsonl, parse_tasks

if TYPE_CHECKING:
    from ..report.batch import BatchReport, LiveReport, follow, report, save_report
    from .runner import AsyncBatch, BatchEvent, BatchPausedError
    from .sync import Batch

_LAZY = {
    "AsyncBatch": ".runner",
    "BatchEvent": ".runner",
    "BatchPausedError": ".runner",
    "Batch": ".sync",
    "BatchReport": "..report.batch",
    "LiveReport": "..report.batch",
    "report": "..report.batch",
    "save_report": "..report.batch",
    "follow": "..report.batch",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'ohctl.batch' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "AsyncBatch",
    "Batch",
    "BatchEvent",
    "BatchInputError",
    "BatchPausedError",
    "BatchReport",
    "BatchStatus",
    "FailureKind",
    "FailureReason",
    "InputProblem",
    "Ledger",
    "LedgerError",
    "LiveReport",
    "TaskResult",
    "TaskRow",
    "TaskSpec",
    "TaskTry",
    "failure_reason",
    "follow",
    "parse_jsonl",
    "parse_tasks",
    "report",
    "save_report",
    "should_retry",
]
