"""What each MCP tool does, over one ``AsyncOpenHands`` client, with no MCP types: the server module
only declares the tools and turns errors into tool errors. Every result goes through the scrubber."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

import anyio

from .._start_failure import describe_start_failure
from .._wait_logic import STALL_AFTER
from .._web import conversation_web_url as web_url
from .views import QUIET_KINDS, Scrubber, conversation_row, event_view, oldest_first, pending_view, summary_view

if TYPE_CHECKING:
    import ohctl

log = logging.getLogger("ohctl.mcp")

# progress(done, total, message): MCP progress, a no-op when the client asked for none.
Report = Callable[[float, "float | None", "str | None"], Awaitable[None]]

# Seconds between progress notifications during a wait: often at first, then every 10 s (each one
# is a cheap batch get; some clients also restart their request timeout on progress).
PROGRESS_FIRST = 3.0
PROGRESS_MOST = 10.0
EVENT_SCAN = 500  # most events read to find the last N that are not bookkeeping


class ToolFailureError(Exception):
    """An anticipated failure with a message for the model that called the tool."""


@contextlib.contextmanager
def _deadline(seconds: float, what: str) -> Iterator[None]:
    try:
        with anyio.fail_after(seconds):
            yield
    except TimeoutError:
        raise ToolFailureError(f"{what} within {seconds:.0f}s: try again with a longer timeout.") from None


async def no_report(done: float, total: float | None, message: str | None) -> None:
    return None


class Progress:
    """MCP progress must increase with every notification: seconds elapsed, nudged when equal."""

    def __init__(self, report: Report, total: float | None) -> None:
        self._report = report
        self._total = total
        self._began = time.monotonic()
        self._last = -1.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._began

    async def __call__(self, message: str) -> None:
        done = max(round(self.elapsed, 1), self._last + 0.1)
        if self._total is not None:
            done = min(done, self._total)
            if done <= self._last:
                return
        self._last = done
        await self._report(done, self._total, message)


class OpenHandsTools:
    """The tools' behaviour. ``client`` is used for every call; its key and every session key seen are
    scrubbed from results."""

    def __init__(self, client: ohctl.AsyncOpenHands) -> None:
        self.client = client
        self.scrub = Scrubber([client.config.api_key])
        # The output schema each conversation was started with here: its wait returns the document.
        self.schemas: dict[str, dict[str, Any]] = {}

    @property
    def base_url(self) -> str:
        return self.client.config.base_url

    def _seen(self, *conversations: Any) -> None:
        for conv in conversations:
            self.scrub.add(getattr(conv, "session_api_key", None))

    # -- starting -------------------------------------------------------------------------
    async def start_task(
        self,
        message: str,
        *,
        repository: str | None = None,
        branch: str | None = None,
        git_provider: str | None = None,
        title: str | None = None,
        confirm: str | None = None,
        wait: bool = False,
        timeout: float = 1800.0,
        output_schema: dict[str, Any] | None = None,
        report: Report = no_report,
    ) -> dict[str, Any]:
        if not message.strip():
            raise ToolFailureError("The task message is empty: say what the agent should do.")
        schema = self._schema(output_schema)
        if repository is not None and (repository.count("/") < 1 or repository.strip() != repository):
            raise ToolFailureError(f"repository {repository!r} is not owner/name (e.g. octo/parser).")
        progress = Progress(report, timeout)
        last = None
        with _deadline(timeout, "The conversation did not start"):
            async for task in self.client.conversations.stream_start(
                message,
                repository=repository,
                branch=branch,
                git_provider=(git_provider or "github") if repository else None,
                confirmation_policy=confirm,
                output_schema=schema,
            ):
                if last is None or task.status != last.status:
                    await progress(f"starting: {task.status}")
                last = task
        if last is None or last.app_conversation_id is None:
            raise ToolFailureError(describe_start_failure(last, self.base_url).text())
        cid = str(last.app_conversation_id)
        if schema is not None:
            self.schemas[cid] = schema
        started = {
            "conversation_id": cid,
            "url": web_url(self.base_url, cid),
            "started_in_seconds": round(progress.elapsed, 1),
        }
        if not wait:
            if title:
                conv = await self.client.conversations.update(cid, title=title)
            else:
                conv = await self.client.conversations.retrieve(cid)
            self._seen(conv)
            return self.scrub({**conversation_row(conv, self.base_url), **started})
        left = max(1.0, timeout - progress.elapsed)

        async def wait_once() -> Any:
            if schema is not None:
                return await self.client.conversations.result(cid, schema, timeout=left)
            return await self.client.conversations.wait(cid, timeout=left)

        async with anyio.create_task_group() as group:
            if title:  # beside the wait: on a busy server it takes seconds, while the agent already runs
                group.start_soon(self._set_title, cid, title)
            outcome = await self._until_done(cid, wait_once, progress)
        await self._keep_title(outcome, title)
        return self.scrub({**outcome, "started_in_seconds": started["started_in_seconds"]})

    # -- reading --------------------------------------------------------------------------
    async def summary(self, conversation_id: str) -> dict[str, Any]:
        cid = self._id(conversation_id)
        found = await self.client.conversations.summary(cid)
        await self._remember_keys(cid)
        return self.scrub(summary_view(found, self.base_url))

    async def list_conversations(self, *, limit: int = 20, title_contains: str | None = None) -> dict[str, Any]:
        rows = []
        async for conv in self.client.conversations.search(title_contains=title_contains or None, limit=limit):
            self._seen(conv)
            rows.append(conversation_row(conv, self.base_url))
        return self.scrub({"conversations": rows, "count": len(rows)})

    async def recent_events(self, conversation_id: str, *, limit: int = 20, everything: bool = False) -> dict[str, Any]:
        """The last ``limit`` events, oldest first: from the agent server while the sandbox runs (the
        app server's copy trails it by up to ~30 s), else from the app server's store."""
        import ohctl

        cid = self._id(conversation_id)
        found: list[dict[str, Any]] | None = None
        source = "agent server"
        try:
            agent = await self.client.conversations.agent(cid)
        except ohctl.SandboxNotRunningError:
            agent = None
        if agent is not None:
            try:
                found = await self._newest(agent.events, cid, limit, everything)
            except (ohctl.APIConnectionError, ohctl.APIStatusError) as exc:
                log.info("events of %s from the agent server failed (%s); reading the app server's", cid, exc)
            finally:
                await agent.close()
        if found is None:
            source = "app server (may trail the agent by up to 30 s)"
            found = await self._newest(self.client.events, cid, limit, everything)
        await self._remember_keys(cid)
        events = oldest_first(found[::-1])
        return self.scrub({"conversation_id": cid, "events": events, "count": len(found), "source": source})

    @staticmethod
    async def _newest(events: Any, cid: str, limit: int, everything: bool) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        async for event in events.search(cid, sort_order="TIMESTAMP_DESC", limit=EVENT_SCAN):
            if everything or event.kind not in QUIET_KINDS:
                out.append(event_view(event))
                if len(out) >= limit:
                    break
        return out

    async def diff(
        self, conversation_id: str, *, path: str | None = None, stat: bool = False, max_chars: int = 20000
    ) -> dict[str, Any]:
        import ohctl

        from .diff import diff_view

        cid = self._id(conversation_id)
        try:
            found = await self.client.conversations.workspace_diff(cid, path=path, stat=stat)
        except ohctl.WorkspaceDiffError as exc:
            raise ToolFailureError(str(exc)) from None
        result = diff_view(found, max_chars)
        await self._remember_keys(cid)
        return self.scrub(result)

    async def patch(self, conversation_id: str, *, path: str | None = None, max_chars: int = 20000) -> dict[str, Any]:
        from .diff import patch_view

        cid = self._id(conversation_id)
        found = await self.client.conversations.patch(cid, path=path)
        result = patch_view(found, max_chars)
        await self._remember_keys(cid)
        return self.scrub(result)

    # -- acting ---------------------------------------------------------------------------
    async def send_message(
        self,
        conversation_id: str,
        message: str,
        *,
        wait: bool = False,
        timeout: float = 1800.0,
        report: Report = no_report,
    ) -> dict[str, Any]:
        if not message.strip():
            raise ToolFailureError("The message is empty.")
        cid = self._id(conversation_id)
        progress = Progress(report, timeout)
        # A paused sandbox refuses messages (409): resume it and wait until its agent server answers.
        with _deadline(timeout, "The sandbox did not resume"):
            await progress("resuming the sandbox if it is paused")
            await (await self.client.conversations.ensure_running(cid, timeout=min(timeout, 300.0))).close()
        if not wait:
            await self.client.conversations.send_message(cid, message)
            conv = await self.client.conversations.retrieve(cid)
            self._seen(conv)
            return self.scrub({**conversation_row(conv, self.base_url), "sent": True})
        left = max(1.0, timeout - progress.elapsed)

        async def send_and_wait() -> Any:
            return await self.client.conversations.send_message(cid, message, wait=True, timeout=left)

        return self.scrub({**await self._until_done(cid, send_and_wait, progress), "sent": True})

    async def wait(
        self,
        conversation_id: str,
        *,
        timeout: float = 600.0,
        stall_after: float | None = STALL_AFTER,
        output_schema: dict[str, Any] | None = None,
        report: Report = no_report,
    ) -> dict[str, Any]:
        cid = self._id(conversation_id)
        schema = self._schema(output_schema) or self.schemas.get(cid)

        async def wait_once() -> Any:
            if schema is not None:
                return await self.client.conversations.result(cid, schema, timeout=timeout, stall_after=stall_after)
            return await self.client.conversations.wait(cid, timeout=timeout, stall_after=stall_after)

        return self.scrub(await self._until_done(cid, wait_once, Progress(report, timeout)))

    # -- answering the agent (confirmation mode) ------------------------------------------
    async def pending_actions(self, conversation_id: str) -> dict[str, Any]:
        cid = self._id(conversation_id)
        actions = await self.client.conversations.pending(cid)
        await self._remember_keys(cid)
        views = [pending_view(action) for action in actions]
        note = (
            "Answer with approve_actions or reject_actions (with the reason)."
            if views
            else "Nothing waits for confirmation: the agent is not in waiting_for_confirmation."
        )
        return self.scrub({"conversation_id": cid, "pending": views, "count": len(views), "note": note})

    async def answer_actions(
        self,
        conversation_id: str,
        *,
        accept: bool,
        reason: str | None = None,
        wait: bool = False,
        timeout: float = 1800.0,
        report: Report = no_report,
    ) -> dict[str, Any]:
        import ohctl

        cid = self._id(conversation_id)
        if not accept and not (reason or "").strip():
            raise ToolFailureError("Give the reason: the agent reads it and decides what to do instead.")
        progress = Progress(report, timeout)
        with _deadline(timeout, "The sandbox did not resume"):
            try:
                if accept:
                    actions = await self.client.conversations.approve(cid, timeout=min(timeout, 300.0))
                else:
                    actions = await self.client.conversations.reject(
                        cid, reason=reason or "", timeout=min(timeout, 300.0)
                    )
            except ohctl.NothingPendingError as exc:
                raise ToolFailureError(str(exc)) from None
        answered = {"answered": [pending_view(a) for a in actions], "accepted": accept}
        if not wait:
            conv = await self.client.conversations.retrieve(cid)
            self._seen(conv)
            return self.scrub({**conversation_row(conv, self.base_url), **answered})
        left = max(1.0, timeout - progress.elapsed)

        async def wait_once() -> Any:
            return await self.client.conversations.wait(cid, timeout=left, fresh=True)

        return self.scrub({**await self._until_done(cid, wait_once, progress), **answered})

    async def _set_title(self, cid: str, title: str) -> None:
        import ohctl

        try:
            self._seen(await self.client.conversations.update(cid, title=title))
        except ohctl.OhctlError as exc:  # not worth failing the task for: _keep_title tries again
            log.info("could not set the title of %s yet: %s", cid, exc)

    async def _keep_title(self, result: dict[str, Any], title: str | None) -> None:
        if title and result.get("title") != title:
            # The server's auto-title (from the first message) can land after the first rename.
            await self.client.conversations.update(result["conversation_id"], title=title)
            result["title"] = title

    async def _until_done(self, cid: str, waiting: Callable[[], Awaitable[Any]], progress: Progress) -> dict[str, Any]:
        """Run the library's wait, with progress every few seconds; the outcome, never an exception
        for a run that ended badly (failed, needs input) or a deadline that passed first."""
        import ohctl

        began = time.monotonic()
        outcome, stall, structured = "finished", None, None
        async with anyio.create_task_group() as group:
            group.start_soon(self._tick, cid, progress)
            try:
                waited = await waiting()
                structured = waited if isinstance(waited, ohctl.StructuredResult) else None
            except ohctl.InvalidOutputError as exc:
                outcome, structured = "invalid_output", exc.result
            except ohctl.ConversationFailedError:
                outcome = "failed"
            except ohctl.NeedsInputError:
                outcome = "needs_input"
            except ohctl.StalledError as exc:
                outcome, stall = "stalled", exc.stall
            except ohctl.WaitTimeoutError:
                outcome = "timed_out"
            except anyio.get_cancelled_exc_class():
                log.info("the wait on %s was cancelled by the MCP client; the agent goes on", cid)
                raise
            finally:
                group.cancel_scope.cancel()
        found = await self.client.conversations.summary(cid)
        await self._remember_keys(cid)
        result = {**summary_view(found, self.base_url), "outcome": outcome}
        result["waited_seconds"] = round(time.monotonic() - began, 1)
        if structured is not None:
            result["document"] = structured.document if structured.ok else None
            result["schema_attempts"] = structured.attempts
            result["schema_errors"] = structured.errors
        if outcome == "invalid_output":
            result["note"] = (
                "The agent's final message did not match the output schema after the follow-ups: schema_errors "
                "lists each attempt's problems; send_message can ask again."
            )
        elif outcome == "timed_out":
            result["note"] = "The agent is still working: call wait_for_conversation again to go on waiting."
        elif outcome == "stalled":
            silence = stall.describe() if stall is not None else "running with no event"
            result["note"] = (
                f"The agent is {silence}: see what it did last with recent_events; it may still be in a "
                "long step (call wait_for_conversation again, with a longer stall_after_seconds)."
            )
        elif outcome == "needs_input":
            result["note"] = (
                "The agent waits for confirmation (confirmation mode): see what with pending_actions, "
                "then answer with approve_actions or reject_actions."
            )
        return result

    async def _tick(self, cid: str, progress: Progress) -> None:
        """Progress with the agent's status now and then; a failed look is skipped, not fatal."""
        import ohctl

        from ..types.conversations import status_word

        await progress("waiting for the agent")
        began = time.monotonic()
        while True:
            await anyio.sleep(min(PROGRESS_MOST, PROGRESS_FIRST + (time.monotonic() - began) / 10))
            try:
                [result] = (await self.client.conversations.poll([cid], stall_after=None)).values()
            except ohctl.OhctlError as exc:
                log.debug("progress look at %s failed: %s", cid, exc)
                continue
            conv = result.conversation
            word = status_word(conv.execution_status, conv.sandbox_status) if conv is not None else "not found"
            await progress(f"{word} after {progress.elapsed:.0f}s")

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _schema(value: dict[str, Any] | None) -> dict[str, Any] | None:
        """An output schema given to a tool, checked (a JSON Schema object), or None."""
        import ohctl

        if value is None:
            return None
        try:
            return ohctl.load_output_schema(value)
        except ohctl.OutputSchemaError as exc:
            raise ToolFailureError(str(exc)) from None

    @staticmethod
    def _id(value: str) -> str:
        import ohctl

        return str(ohctl.ConversationId(value))

    async def _remember_keys(self, cid: str) -> None:
        """Learn the conversation's session key (to scrub it) without showing it anywhere."""
        [conv] = await self.client.conversations.get([cid])
        self._seen(conv)
