"""Hooks: a command run when a conversation ends (``run --on-done``, ``watch --on-done``, ``batch run
--on-task-done``), with what ended in its environment. One implementation for the CLI, the batch
command and Python callers: ``ohctl.run_hook(command, result)``.

The command is split with ``shlex.split`` and run without a shell (write ``sh -c '...'`` to get one),
so a conversation's title or id can never be read as shell syntax. Its failure is reported in the
returned ``HookRun``, never raised: a broken notification must not end a wait or a batch.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import InvalidArgumentError
from ._web import conversation_web_url

log = logging.getLogger("ohctl.hooks")

__all__ = ["HOOK_VARIABLES", "HookRun", "hook_env", "run_hook"]

# The variables a hook reads (documented in docs/stop-and-hooks.md).
HOOK_VARIABLES = ("OHCTL_CONVERSATION_ID", "OHCTL_OUTCOME", "OHCTL_COST", "OHCTL_URL", "OHCTL_PR_NUMBERS")


@dataclass(frozen=True)
class HookRun:
    """How one hook run went: ``returncode`` (None when it could not run or timed out) and, when it
    did not succeed, ``error``, one line saying why."""

    command: tuple[str, ...]
    conversation_id: str
    returncode: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _words(command: str | Sequence[str]) -> list[str]:
    words = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    if not words:
        raise InvalidArgumentError("The hook command is empty: give a program to run, e.g. 'notify-send done'")
    return words


def _field(result: Any, name: str) -> Any:
    """``name`` from the result itself, else from its conversation (a ``WaitResult`` carries one)."""
    value = getattr(result, name, None)
    if value is None:
        value = getattr(getattr(result, "conversation", None), name, None)
    return value


def hook_env(result: Any, *, base_url: str | None = None) -> dict[str, str]:
    """The hook's variables for an ended conversation: a ``WaitResult`` (``wait(...,
    raise_on_outcome=False)``, ``poll``, ``wait_many``), a batch ``TaskResult``, or anything with
    ``conversation_id`` and ``outcome``. ``OHCTL_OUTCOME`` is ``finished``, ``failed``,
    ``needs_input`` (a batch also says ``timed_out``, ``error``, ``cancelled``), or ``pending`` when a
    deadline passed first; ``OHCTL_COST`` is in dollars (empty when unknown); ``OHCTL_URL`` the
    conversation's web page (from ``base_url`` when the result has none); ``OHCTL_PR_NUMBERS`` the
    pull request numbers separated by spaces (empty when none)."""
    cid = _field(result, "conversation_id") or _field(result, "id")
    if not cid:
        raise InvalidArgumentError("The result has no conversation id: a hook runs for a conversation that ended")
    outcome = getattr(result, "outcome", None)
    conversation = getattr(result, "conversation", None)
    cost: Any = getattr(result, "cost", None)
    if cost is None and conversation is not None:
        metrics = getattr(conversation, "metrics", None)
        cost = getattr(metrics, "accumulated_cost", None) if metrics is not None else None
    url = getattr(result, "url", None) or (conversation_web_url(base_url, str(cid)) if base_url else "")
    prs = getattr(result, "prs", None)
    if prs is None:
        prs = _field(result, "pr_number") or []
    return {
        "OHCTL_CONVERSATION_ID": str(cid),
        "OHCTL_OUTCOME": "pending" if outcome is None else str(outcome),
        "OHCTL_COST": "" if cost is None else f"{float(cost):.4f}",
        "OHCTL_URL": str(url),
        "OHCTL_PR_NUMBERS": " ".join(str(n) for n in prs),
    }


def run_hook(
    command: str | Sequence[str],
    result: Any,
    *,
    base_url: str | None = None,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> HookRun:
    """Run ``command`` (a string split with ``shlex.split``, or a list of words; no shell) once for an
    ended conversation, with this process's environment (or ``env``) plus the variables of
    ``hook_env(result, base_url=...)``; its output goes to this process's. Waits for it (up to
    ``timeout`` seconds) and never raises for its failure: the ``HookRun`` says how it went."""
    words = _words(command)
    variables = hook_env(result, base_url=base_url)
    cid = variables["OHCTL_CONVERSATION_ID"]
    full_env = {**(os.environ if env is None else env), **variables}
    try:
        done = subprocess.run(words, env=full_env, timeout=timeout, check=False)  # noqa: S603  # the user's own command
    except FileNotFoundError:
        return HookRun(tuple(words), cid, None, f"hook command not found: {words[0]}")
    except PermissionError:
        return HookRun(tuple(words), cid, None, f"hook command is not executable: {words[0]}")
    except subprocess.TimeoutExpired:
        return HookRun(tuple(words), cid, None, f"hook command still running after {timeout:g}s: stopped")
    except OSError as exc:
        return HookRun(tuple(words), cid, None, f"hook command could not run: {exc.strerror or exc}")
    if done.returncode != 0:
        log.debug("hook %s for %s exited with %d", words[0], cid, done.returncode)
        return HookRun(tuple(words), cid, done.returncode, f"hook command exited with status {done.returncode}")
    return HookRun(tuple(words), cid, 0)
