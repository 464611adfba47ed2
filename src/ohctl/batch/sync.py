"""``Batch``: the synchronous face of ``AsyncBatch`` (it drives the async runner on its own event
loop, so there is one implementation)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .._hooks import HookRun, run_hook
from .._wait_logic import STALL_AFTER
from .ledger import Ledger
from .results import BatchStatus, TaskResult, results, status

if TYPE_CHECKING:
    from .._async.client import AsyncOpenHands
    from .._sync.client import OpenHands
    from ..templates import Template
    from .runner import AsyncBatch, BatchEvent


class Batch:
    """Run many tasks, resumable after a crash (see ``AsyncBatch`` for the arguments).

    ``client`` is an ``ohctl.OpenHands`` (its server and key are used); without one, the usual
    environment / profile settings apply. ``run()`` yields each task's result as it ends; the batch
    advances while you iterate::

        batch = Batch("fixes.db", [{"message": "Fix the flaky test", "repository": "me/app"}], concurrency=8)
        for result in batch.run():
            print(result.key, result.state, result.cost)

    ``on_task_done``: a command (``ohctl.run_hook``: no shell) run once per task whose conversation
    ended, as ``run()`` yields it, with ``OHCTL_CONVERSATION_ID``, ``OHCTL_OUTCOME`` and the rest in
    its environment; each run's ``HookRun`` is appended to ``hook_runs`` (a failure never stops the batch).
    """

    def __init__(
        self,
        ledger: str | os.PathLike[str],
        tasks: Iterable[Any] | None = None,
        *,
        client: OpenHands | None = None,
        template: Template | str | None = None,
        concurrency: int | None = None,
        timeout: float | None = None,
        poll_interval: float = 3.0,
        start_interval: float = 0.0,
        max_starting: int | None = None,
        start_timeout: float | None = 600.0,
        on_event: Callable[[BatchEvent], None] | None = None,
        stall_after: float | None = STALL_AFTER,
        on_stall: str = "wait",
        retries: int | None = None,
        max_cost: float | None = None,
        max_tokens: int | None = None,
        max_cost_per_task: float | None = None,
        max_tokens_per_task: int | None = None,
        on_task_done: str | Sequence[str] | None = None,
        **client_options: Any,
    ) -> None:
        self.path = os.fspath(ledger)
        self.on_task_done = on_task_done
        self.hook_runs: list[HookRun] = []
        self._tasks = list(tasks) if tasks is not None else None
        self._client = client
        self._client_options = client_options
        self._options: dict[str, Any] = {
            "template": template,
            "concurrency": concurrency,
            "timeout": timeout,
            "poll_interval": poll_interval,
            "start_interval": start_interval,
            "max_starting": max_starting,
            "start_timeout": start_timeout,
            "on_event": on_event,
            "stall_after": stall_after,
            "on_stall": on_stall,
            "retries": retries,
            "max_cost": max_cost,
            "max_tokens": max_tokens,
            "max_cost_per_task": max_cost_per_task,
            "max_tokens_per_task": max_tokens_per_task,
        }
        if self._tasks is not None:
            # Check the input (and write the ledger) now, so that bad input fails here, not mid-run.
            self._make_async(_offline_client(client, client_options)).close()
            self._tasks = None

    def _async_client(self) -> AsyncOpenHands:
        from .._async.client import AsyncOpenHands

        if self._client is not None:
            # The client given, whole: its server, key, organization, timeout, retries, headers and params.
            config, options = self._client.config, self._client.options
            twin = AsyncOpenHands(
                api_key=config.api_key,
                base_url=config.base_url,
                auth=config.auth,
                allow_insecure=config.allow_insecure,
                org=config.org,
                timeout=options.timeout,
                max_retries=options.max_retries,
            )
            twin._http.options = options
            return twin
        return AsyncOpenHands(**self._client_options)

    def _make_async(self, client: AsyncOpenHands) -> AsyncBatch:
        from .runner import AsyncBatch

        return AsyncBatch(client, self.path, self._tasks, **self._options)

    def run(self) -> Iterator[TaskResult]:
        """Run (or resume) the batch, yielding results as tasks end; raises BatchPausedError at the
        end when the daily sandbox limit stopped it."""
        loop = asyncio.new_event_loop()
        client = self._async_client()
        batch: AsyncBatch | None = None
        try:
            batch = self._make_async(client)
            stream = batch.run()
            try:
                while True:
                    try:
                        result = loop.run_until_complete(stream.__anext__())
                    except StopAsyncIteration:
                        return
                    self._hook(result)
                    yield result
            finally:
                _finish(loop, stream.aclose())
        finally:
            _finish(loop, client.close())
            if batch is not None:
                batch.close()
            loop.close()

    def _hook(self, result: TaskResult) -> None:
        if self.on_task_done is not None and result.outcome is not None and result.conversation_id:
            self.hook_runs.append(run_hook(self.on_task_done, result))

    def cancel(self) -> BatchStatus:
        """Cancel what has not ended (pauses running sandboxes); see ``AsyncBatch.cancel``."""

        async def go() -> BatchStatus:
            async with self._async_client() as client:
                batch = self._make_async(client)
                try:
                    return await batch.cancel()
                finally:
                    batch.close()

        return asyncio.run(go())

    def status(self) -> BatchStatus:
        ledger = Ledger(self.path)
        try:
            return status(ledger)
        finally:
            ledger.close()

    def results(self) -> list[TaskResult]:
        ledger = Ledger(self.path)
        try:
            return results(ledger)
        finally:
            ledger.close()


def _finish(loop: asyncio.AbstractEventLoop, awaitable: Any) -> None:
    """Run a clean-up coroutine, after cancelling what an interruption left running on the loop."""
    for task in asyncio.all_tasks(loop):
        task.cancel()
    try:
        loop.run_until_complete(awaitable)
    except (Exception, asyncio.CancelledError):  # noqa: S110 - clean-up after an error already raised
        pass


def _offline_client(client: OpenHands | None, options: dict[str, Any]) -> Any:
    """What ``AsyncBatch`` reads from a client when it only writes the ledger: the base URL."""
    from types import SimpleNamespace

    if client is not None:
        return SimpleNamespace(base_url=client.config.base_url)
    from .._config import resolve

    allowed = {k: options[k] for k in ("auth", "allow_insecure", "profile") if k in options}
    config = resolve(api_key=options.get("api_key"), base_url=options.get("base_url"), **allowed)
    return SimpleNamespace(base_url=config.base_url)
