# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Shell commands in the sandbox: run and wait, or start and follow the output as it comes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import httpx

from ..._errors import InvalidArgumentError, WaitTimeoutError
from ..._event_filters import event_time
from ..._parse import flag, int_field, nullable_list
from ..._routes import route
from ..._wait_logic import Poll
from ...types.agent import BashCommand, BashOutput, BashResult, parse_bash_event
from .._pagination import Pager
from ._base import AgentResource


def _body(command: str, cwd: str | None, timeout: int) -> dict[str, Any]:
    if not command.strip():
        raise InvalidArgumentError("command is empty")
    body: dict[str, Any] = {"command": command, "timeout": int(timeout)}
    if cwd is not None:
        body["cwd"] = cwd
    return body


def join_outputs(command_id: str, outputs: Iterable[BashOutput]) -> BashResult:
    chunks = sorted(outputs, key=lambda o: o.order)
    exit_code = next((o.exit_code for o in reversed(chunks) if o.exit_code is not None), None)
    return BashResult(
        command_id=command_id,
        exit_code=exit_code,
        stdout="".join(o.stdout or "" for o in chunks),
        stderr="".join(o.stderr or "" for o in chunks),
        chunks=len(chunks),
    )


class Bash(AgentResource):
    """Commands never retry once sent (running a command twice is not harmless)."""

    def execute(self, command: str, *, cwd: str | None = None, timeout: int = 300) -> BashResult:
        """Run ``command`` and return its whole output once it exits (``timeout`` in seconds, on the
        server). Output larger than one chunk (1 MiB) is joined from every chunk: agent server 1.34
        returns only the last one itself."""
        last = self._http.request(
            "POST",
            "/api/bash/execute_bash_command",
            json=_body(command, cwd, timeout),
            idempotent=False,
            timeout=httpx.Timeout(timeout + 30.0, connect=10.0),
            parse=BashOutput.model_validate,
            unsure="The command may have run: check its effects (or agent.bash.events()) before running it again.",
        )
        if last.order == 0:
            return join_outputs(last.command_id, [last])
        chunks = [o for o in self._outputs(last.command_id, after_order=None)]
        return join_outputs(last.command_id, chunks or [last])

    def start(self, command: str, *, cwd: str | None = None, timeout: int = 300) -> BashCommand:
        """Start ``command`` in the background; follow it with ``follow(command.id)``."""
        return self._http.request(
            "POST",
            "/api/bash/start_bash_command",
            json=_body(command, cwd, timeout),
            idempotent=False,
            parse=BashCommand.model_validate,
            unsure="The command may have started: check agent.bash.events() before starting it again.",
        )

    def _outputs(self, command_id: str, *, after_order: int | None) -> Iterator[BashOutput]:
        params = {
            "command_id__eq": command_id,
            "kind__eq": "BashOutput",
            "order__gt": after_order,
            "sort_order": "TIMESTAMP",
        }
        for item in Pager(self._http, "/api/bash/bash_events/search", params, BashOutput.model_validate):
            yield item

    def follow(
        self, command: BashCommand | str, *, timeout: float | None = None, poll_interval: float = 0.25
    ) -> Iterator[BashOutput]:
        """Each output chunk of a started command, in order, as the server records it; ends with the
        chunk that carries the exit code. ``timeout`` bounds the whole follow (WaitTimeoutError)."""
        command_id = command.id if isinstance(command, BashCommand) else command
        poll = Poll(timeout, initial=poll_interval, maximum=2.0)
        last_order = -1
        while True:
            fresh = sorted([o for o in self._outputs(command_id, after_order=last_order)], key=lambda o: o.order)
            for output in fresh:
                if output.order <= last_order:
                    continue
                last_order = output.order
                yield output
                if output.exit_code is not None:
                    return
            if fresh:
                poll.reset()
            if poll.expired():
                raise WaitTimeoutError(f"Command {command_id} still running after {poll.elapsed:.0f}s", last=None)
            self._http.sleep(poll.next_delay())

    def stream(
        self, command: str, *, cwd: str | None = None, timeout: int = 300, poll_interval: float = 0.25
    ) -> Iterator[BashOutput]:
        """Start ``command`` and yield its output chunks as they come (the last one has the exit code)."""
        started = self.start(command, cwd=cwd, timeout=timeout)
        for output in self.follow(started, timeout=timeout + 30.0, poll_interval=poll_interval):
            yield output

    def stop(self, command: BashCommand | str) -> bool:
        """Stop a running command (agent server 1.35 and later; older ones answer 404)."""
        command_id = command.id if isinstance(command, BashCommand) else command
        return self._http.request(
            "POST",
            route("/api/bash/bash_commands/{command_id}/stop", command_id=command_id),
            idempotent=True,
            parse=flag("success", default=True),
        )

    def events(
        self,
        *,
        command_id: str | None = None,
        kind: str | None = None,
        after_order: int | None = None,
        since: datetime | str | None = None,
        before: datetime | str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[BashCommand | BashOutput | Any]:
        """Bash events (``kind`` is ``BashCommand`` or ``BashOutput``), lazily paged."""
        params = {
            "command_id__eq": command_id,
            "kind__eq": kind,
            "order__gt": after_order,
            "timestamp__gte": event_time(since),
            "timestamp__lt": event_time(before),
            "sort_order": sort_order,
        }
        return Pager(
            self._http, "/api/bash/bash_events/search", params, parse_bash_event, page_size=page_size, limit=limit
        )

    def get_events(self, ids: Iterable[str]) -> list[BashCommand | BashOutput | Any | None]:
        """Batch get by id (the ids travel as a JSON body on the GET, as the server requires)."""
        wanted = list(ids)
        if not wanted:
            return []
        return self._http.request(
            "GET", "/api/bash/bash_events/", json=wanted, parse=nullable_list(parse_bash_event, len(wanted))
        )

    def clear_events(self) -> int:
        """Delete the stored bash events; returns how many were removed."""
        return self._http.request("DELETE", "/api/bash/bash_events", parse=int_field("cleared_count"))
