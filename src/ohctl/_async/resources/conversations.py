from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import IO, Any, Literal, TypeVar, overload

from pydantic import BaseModel

from ..._backend import async_gather_parts
from ..._budget import Budget
from ..._bulk import BulkPlan, BulkResult, StopResult
from ..._config import LONG_TIMEOUT
from ..._errors import OhctlError, ResourceNotFoundError
from ..._ids import MAX_CONVERSATION_IDS, ConversationId, ConversationRef, StartTaskId, chunked, conversation_id, many
from ..._parse import count, field_list, flag, list_of, nullable_models, text
from ..._patch import Patch
from ..._routes import route
from ..._structured import SCHEMA_RETRIES, StructuredResult
from ..._wait_logic import FRESH_GRACE, STALL_AFTER, StallClock, WaitResult
from ...stats.aggregate import FleetStats
from ...types.agent import TrajectoryResult
from ...types.conversations import (
    AppConversation,
    Content,
    GitChange,
    GitDiff,
    HookEvent,
    PendingMessage,
    SendMessageResponse,
    Skill,
    StartTask,
    UpdateRequest,
    UserMessage,
)
from ...types.files import Download
from ...types.git import WorkspaceDiff
from ...types.pending import PendingAction
from ...types.summary import ConversationSummary
from .._download import save_response
from .._pagination import AsyncPager
from ..agent.client import AsyncAgentServer
from ..lib.bulk import execute_plan, plan_delete, plan_stop, stop_conversation
from ..lib.handoff import agent_from_conversation, conversation_agent, ensure_conversation_running
from ..lib.id_checks import explain_not_found, reject_start_task_ids
from ..lib.patch import conversation_patch
from ..lib.pending import answer_pending, list_pending, set_policy
from ..lib.stats import PageCallback, fleet_stats
from ..lib.structured import structured_result
from ..lib.summary import conversation_summary
from ..lib.trajectory import save_trajectory
from ..lib.waiting import pause_over_budget, poll_conversations, raise_for_outcome, wait_conversations
from ..lib.workspace_diff import workspace_diff
from .starting import AsyncConversationStarts

log = logging.getLogger("ohctl.conversations")
M = TypeVar("M", bound=BaseModel)


def filters(
    title_contains: str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    updated_after: datetime | None,
    updated_before: datetime | None,
    sandbox_id: str | None,
) -> dict[str, object]:
    """The filters search and count share, as the server's query parameters."""
    return {
        "title__contains": title_contains,
        "created_at__gte": created_after,
        "created_at__lt": created_before,
        "updated_at__gte": updated_after,
        "updated_at__lt": updated_before,
        "sandbox_id__eq": sandbox_id,
    }


class AsyncConversations(AsyncConversationStarts):
    """App conversations: start, read, search, message, wait, download, hand-off to the agent server."""

    # -- reading --------------------------------------------------------------------------
    async def get(self, ids: Iterable[ConversationRef]) -> list[AppConversation | None]:
        """Batch get, in the order asked, with None for unknown ids; any number of ids (99 per call)."""
        wanted = [conversation_id(i) for i in many(ids, "conversation id")]

        async def fetch(part: Sequence[ConversationId]) -> list[AppConversation | None]:
            return await self._http.request(
                "GET",
                "/api/v1/app-conversations",
                params={"ids": list(part)},
                parse_raw=nullable_models(AppConversation, len(part)),
            )

        out = await async_gather_parts(list(chunked(wanted, MAX_CONVERSATION_IDS)), fetch)
        await reject_start_task_ids(self._client, [cid for cid, conv in zip(wanted, out, strict=True) if conv is None])
        return out

    async def retrieve(self, conversation: ConversationRef) -> AppConversation:
        """One conversation (there is no single GET on the server: this is a batch get of one)."""
        cid = conversation_id(conversation)
        [found] = await self.get([cid])
        if found is not None:
            return found
        raise ResourceNotFoundError(
            f"Conversation {cid} not found",
            resource="conversation",
            id=cid,
            url=self._http.lookup_url("/api/v1/app-conversations", ids=cid),
        )

    def search(
        self,
        *,
        title_contains: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        sandbox_id: str | None = None,
        include_sub_conversations: bool | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> AsyncPager[AppConversation]:
        """Newest first (the server has no other order). ``*_after`` is inclusive, ``*_before`` exclusive."""
        params = {
            **filters(title_contains, created_after, created_before, updated_after, updated_before, sandbox_id),
            "include_sub_conversations": include_sub_conversations,
        }
        return AsyncPager(
            self._http,
            "/api/v1/app-conversations/search",
            params,
            AppConversation.model_validate,
            page_size=page_size,
            limit=limit,
        )

    async def count(
        self,
        *,
        title_contains: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        sandbox_id: str | None = None,
    ) -> int:
        """How many conversations match, sub-conversations included (the server's count has no
        ``include_sub_conversations``: it is ``search(..., include_sub_conversations=True)``'s length)."""
        params = filters(title_contains, created_after, created_before, updated_after, updated_before, sandbox_id)
        return await self._http.request("GET", "/api/v1/app-conversations/count", params=params, parse=count)

    async def stats(
        self,
        *,
        since: datetime | timedelta | str | None = "7d",
        until: datetime | timedelta | str | None = None,
        repo: str | None = None,
        top: int = 10,
        on_page: PageCallback | None = None,
    ) -> FleetStats:
        """Statistics of the conversations created from ``since`` (a datetime or an ISO date, or a
        span back from now: ``"7d"``, a timedelta; None: all) to ``until`` (the same; None: now), on
        ``repo`` (owner/name) when given: counts by outcome, repository, model and day, cost and
        tokens, the ``top`` slowest and most expensive. A sub-conversation's cost and tokens count in
        its parent's. Reads the search (one request per 100 conversations, sub-conversations
        included), never one request per conversation; ``on_page(pages_read, conversations_so_far)``
        is called after each search page (progress)."""
        return await fleet_stats(self._client, since=since, until=until, repo=repo, top=top, on_page=on_page)

    # -- changing -------------------------------------------------------------------------
    async def update(
        self,
        conversation: ConversationRef,
        *,
        title: str | None = None,
        public: bool | None = None,
        selected_repository: str | None = None,
        selected_branch: str | None = None,
        git_provider: str | None = None,
    ) -> AppConversation:
        body = UpdateRequest(
            title=title,
            public=public,
            selected_repository=selected_repository,
            selected_branch=selected_branch,
            git_provider=git_provider,
        ).model_dump(mode="json", exclude_none=True)
        cid = conversation_id(conversation)
        async with explain_not_found(self._client, cid):
            updated = await self._http.request(
                "PATCH",
                route("/api/v1/app-conversations/{conversation_id}", conversation_id=cid),
                json=body,
                idempotent=True,
                parse=AppConversation.model_validate,
            )
        if title is not None:
            # The agent server holds a title PATCH while a step runs (20 s and more): set it there in
            # the background, so this returns as soon as the app server has the title. Closing the
            # client lets it land (``JOB_GRACE``).
            await self._http.spawn(lambda: self._title_on_agent_server(updated, title))
        return updated

    async def _title_on_agent_server(self, conversation: AppConversation, title: str) -> None:
        """Give the running agent server the same title. The app server copies the agent server's
        title when the first messages arrive (its auto-title); with ours there, ours is what it copies,
        so the title survives the run. Best effort: a sandbox that is not running has no title job."""
        agent = agent_from_conversation(self._client, conversation)
        if agent is None:
            return
        try:
            await agent.conversations.update(conversation.id, title=title)
        except OhctlError as exc:
            log.debug("could not set the title on the agent server of %s: %s", conversation.id, exc)
        finally:
            await agent.close()

    async def delete(self, conversation: ConversationRef) -> bool:
        cid = conversation_id(conversation)
        async with explain_not_found(self._client, cid):
            return await self._http.request(
                "DELETE",
                route("/api/v1/app-conversations/{conversation_id}", conversation_id=cid),
                parse=flag("success", default=False),
            )

    # -- stopping, and bulk actions (planned first, then executed) --------------------------
    async def stop(self, conversation: ConversationRef, *, sandbox: bool = False) -> StopResult:
        """Pause the agent (its agent server's pause: the run ends after the step in flight); the
        conversation and its sandbox stay, and ``send_message`` (or the agent server's ``run``)
        continues it. ``sandbox=True`` also pauses the sandbox (``send``/``ensure_running`` resume it).
        A conversation whose sandbox is not running has no agent to pause: ``note`` says so."""
        return await stop_conversation(self._client, conversation, sandbox=sandbox)

    async def plan_stop(self, *, sandbox: bool = False) -> BulkPlan:
        """A plan to stop every conversation whose agent is running now (nothing is stopped yet:
        show ``plan.lines()``, then ``execute(plan)``)."""
        return await plan_stop(self._client, sandbox=sandbox)

    async def plan_delete(
        self,
        *,
        older_than: str | float | timedelta,
        status: str | None = None,
        repo: str | None = None,
        title_contains: str | None = None,
    ) -> BulkPlan:
        """A plan to delete the conversations not updated for ``older_than`` (``"7d"``, seconds or
        a timedelta), narrowed by ``status`` (an outcome such as ``finished``, or an execution or
        sandbox status), ``repo`` and ``title_contains``. Running agents are never in it."""
        return await plan_delete(
            self._client, older_than=older_than, status=status, repo=repo, title_contains=title_contains
        )

    async def execute(self, plan: BulkPlan) -> BulkResult:
        """Carry out a plan (``plan_stop``, ``plan_delete``, ``sandboxes.plan_prune``); a failed
        action is recorded in ``result.failed`` and the others go on."""
        return await execute_plan(self._client, plan)

    async def send_message(
        self,
        conversation: ConversationRef,
        message: str | UserMessage | list[Content],
        *,
        run: bool = True,
        wait: bool = False,
        timeout: float | None = 600.0,
    ) -> SendMessageResponse:
        """Send a follow-up (the sandbox must be RUNNING: 409 means resume it first). Not retried
        once it may have reached the server, so a message is never sent twice. With ``wait=True``,
        returns after the agent finished this run (raising as ``wait`` does)."""
        cid = conversation_id(conversation)
        body = UserMessage.of(message).model_copy(update={"run": run}).model_dump(mode="json")
        async with explain_not_found(self._client, cid):
            response = await self._http.request(
                "POST",
                route("/api/v1/app-conversations/{conversation_id}/send-message", conversation_id=cid),
                json=body,
                idempotent=False,
                parse=SendMessageResponse.model_validate,
                unsure=(
                    f"The message may have been delivered: check the conversation's latest user message "
                    f"(client.events.search({str(cid)!r}, kind='MessageEvent', sort_order='TIMESTAMP_DESC', limit=5)) "
                    "before sending it again."
                ),
            )
        if wait and run:
            await self.wait(cid, timeout=timeout, fresh=True)
        return response

    async def queue_message(
        self, conversation: ConversationRef | StartTaskId, message: str | UserMessage | list[Content]
    ) -> PendingMessage:
        """Queue a message (up to 10), delivered when the conversation is ready; works before READY
        when given the start task."""
        if isinstance(conversation, StartTask) and conversation.app_conversation_id is None:
            target = f"task-{conversation.id}"
        elif isinstance(conversation, StartTaskId):
            target = f"task-{conversation}"
        else:
            target = conversation_id(conversation)
        body = UserMessage.of(message).model_dump(mode="json", exclude={"run"})
        async with explain_not_found(self._client, ConversationId(target.removeprefix("task-"))):
            return await self._http.request(
                "POST",
                route("/api/v1/conversations/{conversation_id}/pending-messages", conversation_id=target),
                json=body,
                idempotent=False,
                parse=PendingMessage.model_validate,
            )

    # -- waiting --------------------------------------------------------------------------
    @overload
    async def wait(
        self,
        conversation: ConversationRef,
        *,
        timeout: float | None = ...,
        poll_interval: float = ...,
        max_interval: float = ...,
        live: bool = ...,
        fresh: bool = ...,
        stall_after: float | None = ...,
        max_cost: float | None = ...,
        max_tokens: int | None = ...,
        raise_on_outcome: Literal[True] = ...,
    ) -> AppConversation: ...

    @overload
    async def wait(
        self,
        conversation: ConversationRef,
        *,
        timeout: float | None = ...,
        poll_interval: float = ...,
        max_interval: float = ...,
        live: bool = ...,
        fresh: bool = ...,
        stall_after: float | None = ...,
        max_cost: float | None = ...,
        max_tokens: int | None = ...,
        raise_on_outcome: Literal[False],
    ) -> WaitResult: ...

    async def wait(
        self,
        conversation: ConversationRef,
        *,
        timeout: float | None = 600.0,
        poll_interval: float = 1.0,
        max_interval: float = 10.0,
        live: bool = True,
        fresh: bool = False,
        stall_after: float | None = STALL_AFTER,
        max_cost: float | None = None,
        max_tokens: int | None = None,
        raise_on_outcome: bool = True,
    ) -> AppConversation | WaitResult:
        """Wait for the agent to finish and return the conversation.

        Raises ConversationFailedError (agent error or stuck, sandbox ERROR or MISSING),
        NeedsInputError (waiting for confirmation), StalledError (running, but no event for
        ``stall_after`` seconds, 15 minutes by default; None never calls it stalled),
        OverBudgetError (its cost reached ``max_cost`` USD or its tokens ``max_tokens``: the agent
        was paused, nothing deleted; the limits are read from the polls' metrics, which trail the
        agent by up to about 30 s) or WaitTimeoutError (with the last state seen).
        With ``raise_on_outcome=False`` it raises none of those: it returns the ``WaitResult``
        (``outcome`` finished / failed / needs_input / stalled / over_budget (``budget`` says which
        limit), or None when the deadline passed first;
        ``ohctl.exit_code_for(result.outcome)`` is the command line's exit code for it).
        ``fresh``: a run was just requested (a follow-up), so a terminal status left by the
        previous run is not taken for this one's until the agent is seen running (or 10 s pass).
        A PAUSED sandbox is not an outcome: the wait goes on. With ``live`` (default), the agent
        server's socket wakes the wait as soon as the status changes (within about a second of the
        agent finishing); polling stays the source of truth and takes over if the socket fails."""
        cid = conversation_id(conversation)
        budget = Budget.of(max_cost, max_tokens)
        results = await wait_conversations(
            self._client,
            [cid],
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            fresh_grace=FRESH_GRACE if fresh else None,
            live=live,
            stall_after=stall_after,
            budget=budget,
        )
        if not raise_on_outcome:
            return results[cid]
        return raise_for_outcome(results[cid], timeout)

    @overload
    async def result(
        self,
        conversation: ConversationRef,
        output_schema: type[M],
        *,
        retries: int = ...,
        timeout: float | None = ...,
        stall_after: float | None = ...,
        max_cost: float | None = ...,
        max_tokens: int | None = ...,
        fresh: bool = ...,
        raise_on_outcome: bool = ...,
    ) -> StructuredResult[M]: ...

    @overload
    async def result(
        self,
        conversation: ConversationRef,
        output_schema: Mapping[str, Any],
        *,
        retries: int = ...,
        timeout: float | None = ...,
        stall_after: float | None = ...,
        max_cost: float | None = ...,
        max_tokens: int | None = ...,
        fresh: bool = ...,
        raise_on_outcome: bool = ...,
    ) -> StructuredResult[Any]: ...

    async def result(
        self,
        conversation: ConversationRef,
        output_schema: type[BaseModel] | Mapping[str, Any],
        *,
        retries: int = SCHEMA_RETRIES,
        timeout: float | None = 600.0,
        stall_after: float | None = STALL_AFTER,
        max_cost: float | None = None,
        max_tokens: int | None = None,
        fresh: bool = False,
        raise_on_outcome: bool = True,
    ) -> StructuredResult[Any]:
        """Wait for the agent to finish and return its final document, checked against
        ``output_schema`` (the one given to ``start(..., output_schema=...)``): a pydantic model class
        (``result.value`` is the model) or a JSON Schema dict (``result.value`` is the document;
        needs ``jsonschema``, the ``schema`` extra).

        The document is read from the agent's final message (its ``finish`` message: the whole
        message, a ```json fenced block, or JSON written in prose; of several, the last that matches).
        When it does not match, a follow-up message quotes the problems and asks for a corrected
        document, up to ``retries`` times (each follow-up runs the agent again; ``timeout`` covers
        all of it). ``fresh``: a run was just requested (as for ``wait``); ``stall_after``,
        ``max_cost`` and ``max_tokens`` act as they do in ``wait``.

        Raises InvalidOutputError (its ``result`` holds every attempt's problems) when the document
        still does not match after the retries, and what ``wait`` raises when the agent does not
        finish. With ``raise_on_outcome=False`` it raises none of those and returns the result:
        ``result.outcome`` is finished, invalid_output, or the wait's own outcome."""
        return await structured_result(
            self._client,
            conversation,
            output_schema,
            retries=retries,
            timeout=timeout,
            stall_after=stall_after,
            max_cost=max_cost,
            max_tokens=max_tokens,
            fresh=fresh,
            raise_on_outcome=raise_on_outcome,
        )

    async def wait_many(
        self,
        conversations: Iterable[ConversationRef],
        *,
        timeout: float | None = 600.0,
        poll_interval: float = 2.0,
        max_interval: float = 15.0,
        stall_after: float | None = STALL_AFTER,
        max_cost: float | None = None,
        max_tokens: int | None = None,
    ) -> dict[ConversationId, WaitResult]:
        """Wait for many conversations with one batch get per 99 ids each round; never raises per
        conversation: each result has an ``outcome`` (None if the deadline passed first; stalled
        when running without an event for ``stall_after`` seconds; over_budget when its own cost
        reached ``max_cost`` USD or its tokens ``max_tokens``: that agent is paused)."""
        ids = [conversation_id(c) for c in many(conversations, "conversation")]
        budget = Budget.of(max_cost, max_tokens)
        return await wait_conversations(
            self._client,
            ids,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            stall_after=stall_after,
            budget=budget,
        )

    async def poll(
        self,
        conversations: Iterable[ConversationRef],
        *,
        stall_after: float | None = STALL_AFTER,
        max_cost: float | None = None,
        max_tokens: int | None = None,
    ) -> dict[ConversationId, WaitResult]:
        """Look once at many conversations, without waiting: one batch get per 99 ids, each result
        classified (``outcome`` finished / failed / needs_input / stalled, or None while still going;
        a running conversation whose ``updated_at`` is ``stall_after`` seconds old costs one look at
        its newest event). With ``max_cost`` (USD) or ``max_tokens``, one still going whose metrics
        reached a limit is paused and is over_budget. This is the step ``wait_many`` repeats; a
        monitor can call it on its own schedule."""
        ids = [conversation_id(c) for c in many(conversations, "conversation")]
        stall = StallClock(stall_after) if stall_after is not None else None
        results = await poll_conversations(self._client, ids, stall, Budget.of(max_cost, max_tokens))
        await pause_over_budget(self._client, results)
        return results

    # -- per-conversation reads -----------------------------------------------------------
    async def summary(self, conversation: ConversationRef) -> ConversationSummary:
        """The conversation at a glance in one call: sandbox and agent status (and the outcome),
        repository and branch, PRs, cost and tokens, model, event count, the first user message and
        the agent's last message (its last message or its ``finish`` message)."""
        return await conversation_summary(self._client, conversation)

    async def download(
        self, conversation: ConversationRef, destination: str | os.PathLike[str] | IO[bytes]
    ) -> Download:
        """Stream the trajectory zip to a path (a directory gets the server's file name) or a binary
        file object, in constant memory. A partial file is removed if the transfer fails."""
        cid = conversation_id(conversation)
        async with (
            explain_not_found(self._client, cid),
            self._http.stream(
                "GET",
                route("/api/v1/app-conversations/{conversation_id}/download", conversation_id=cid),
                timeout=LONG_TIMEOUT,
            ) as response,
        ):
            return await save_response(response, destination, f"conversation_{cid}.zip")

    async def read_file(self, conversation: ConversationRef, path: str = "/workspace/project/PLAN.md") -> str:
        """A file from the sandbox. The server answers "" for every failure (missing file, paused
        sandbox), so "" does not prove the file is empty."""
        cid = conversation_id(conversation)
        async with explain_not_found(self._client, cid):
            content = await self._http.request(
                "GET",
                route("/api/v1/app-conversations/{conversation_id}/file", conversation_id=cid),
                params={"file_path": path},
                parse=text,
            )
        if not content:
            await reject_start_task_ids(self._client, [cid])
        return content

    async def git_changes(self, conversation: ConversationRef, path: str, *, ref: str | None = None) -> list[GitChange]:
        """Changed files of the repository at ``path`` (e.g. ``/workspace/project``) in a running sandbox."""
        cid = conversation_id(conversation)
        async with explain_not_found(self._client, cid):
            return await self._http.request(
                "GET",
                route("/api/v1/app-conversations/{conversation_id}/git/changes", conversation_id=cid),
                params={"path": path, "ref": ref},
                parse=list_of(GitChange.model_validate),
            )

    async def git_diff(self, conversation: ConversationRef, path: str, *, ref: str | None = None) -> GitDiff:
        """The original and modified text of one file (``path`` is the file's absolute path)."""
        cid = conversation_id(conversation)
        async with explain_not_found(self._client, cid):
            return await self._http.request(
                "GET",
                route("/api/v1/app-conversations/{conversation_id}/git/diff", conversation_id=cid),
                params={"path": path, "ref": ref},
                parse=GitDiff.model_validate,
            )

    async def skills(self, conversation: ConversationRef) -> list[Skill]:
        cid = conversation_id(conversation)
        async with explain_not_found(self._client, cid):
            return await self._http.request(
                "GET",
                route("/api/v1/app-conversations/{conversation_id}/skills", conversation_id=cid),
                parse=field_list("skills", Skill.model_validate),
            )

    async def hooks(self, conversation: ConversationRef) -> list[HookEvent]:
        cid = conversation_id(conversation)
        async with explain_not_found(self._client, cid):
            return await self._http.request(
                "GET",
                route("/api/v1/app-conversations/{conversation_id}/hooks", conversation_id=cid),
                parse=field_list("hooks", HookEvent.model_validate),
            )

    # -- the sandbox's agent server -------------------------------------------------------
    async def agent(self, conversation: ConversationRef) -> AsyncAgentServer:
        """A client for the conversation's agent server (URL and session key from the conversation).
        Raises SandboxNotRunningError when the sandbox is not RUNNING: see ``ensure_running``."""
        return await conversation_agent(self._client, conversation)

    async def ensure_running(self, conversation: ConversationRef, *, timeout: float | None = 180.0) -> AsyncAgentServer:
        """Like ``agent``, but a PAUSED sandbox is resumed and STARTING waited on (until
        ``timeout``); the URL and session key are read afresh after the resume. ERROR or MISSING
        raise SandboxFailedError."""
        return await ensure_conversation_running(self._client, conversation, timeout=timeout)

    # -- answering the agent (confirmation mode) ------------------------------------------
    async def pending(self, conversation: ConversationRef) -> list[PendingAction]:
        """The actions waiting for confirmation (command or file, the agent's stated risk and
        reason), oldest first; [] when the agent is not waiting for confirmation."""
        return await list_pending(self._client, conversation)

    async def approve(self, conversation: ConversationRef, *, timeout: float | None = 180.0) -> list[PendingAction]:
        """Approve the pending actions: the agent runs them and goes on. Returns them. Raises
        NothingPendingError when the agent is not waiting for confirmation."""
        return await answer_pending(self._client, conversation, accept=True, timeout=timeout)

    async def reject(
        self,
        conversation: ConversationRef,
        *,
        reason: str = "Rejected through ohctl",
        run: bool = True,
        timeout: float | None = 180.0,
    ) -> list[PendingAction]:
        """Reject the pending actions with ``reason`` (the agent reads it); with ``run`` (default) the
        agent then goes on and decides what to do instead. Returns them; NothingPendingError when
        the agent is not waiting for confirmation."""
        return await answer_pending(self._client, conversation, accept=False, reason=reason, run=run, timeout=timeout)

    async def set_confirmation_policy(self, conversation: ConversationRef, policy: str | dict[str, Any]) -> None:
        """``always`` (every action waits for approval), ``risky`` (the actions the agent rates HIGH
        risk) or ``never``; a paused sandbox is resumed first. To set it before the first action,
        pass ``confirmation_policy=`` to ``start``."""
        await set_policy(self._client, conversation, policy)

    async def workspace_diff(
        self, conversation: ConversationRef, *, path: str | None = None, stat: bool = False
    ) -> WorkspaceDiff:
        """The agent's changes in the sandbox's repository as one unified diff, new files included
        (what ``git diff`` shows after ``git add -A``), by running git there; ``stat`` for the summary.
        The repository is ``path``, else the conversation's repository under the agent's working
        directory, else that directory. A paused sandbox is resumed first."""
        return await workspace_diff(self._client, conversation, path=path, stat=stat)

    async def patch(
        self, conversation: ConversationRef, *, path: str | None = None, resume_timeout: float | None = 300.0
    ) -> Patch:
        """The agent's change as a ``Patch`` (``text``, ``files``, ``stats``, ``base_commit``): git's
        binary diff in the sandbox against the commit the agent started from (HEAD when the
        conversation started, else the repository's clone), untracked files included, the servers'
        own files left out. ``patch.apply(repo)`` lands it on a new local branch or worktree. A paused
        sandbox is resumed first; a deleted one raises ``PatchUnavailableError``, which names the
        branches the agent pushed and its pull requests. The repository is found as for
        ``workspace_diff`` (``path``)."""
        return await conversation_patch(self._client, conversation, path=path, resume_timeout=resume_timeout)

    async def save_trajectory(
        self,
        conversation: ConversationRef,
        destination: str | os.PathLike[str],
        *,
        sources: tuple[str, ...] = ("app-zip", "agent-zip", "events"),
    ) -> TrajectoryResult:
        """Save the full trajectory as a zip (``destination`` is a file or a directory): the app
        server's zip when it works, else the agent server's trajectory download, else the events
        paged into a zip of the app server's layout. ``result.source`` says which one was used and
        ``result.errors`` why the earlier ones were skipped."""
        return await save_trajectory(self._client, conversation, destination, sources=sources)


__all__ = ["AsyncConversations", "Download", "WaitResult"]
