"""V0 conversations: create, get, list (paged), rename, delete, message, start/stop, config, VS Code URL,
and waiting until the agent is done (V0's status stays RUNNING: the agent's state decides)."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable
from typing import Any

import httpx

from ..._errors import InvalidArgumentError, WaitTimeoutError
from ..._legacy_errors import LegacyConversationNotFoundError
from ..._routes import route
from ...types.legacy import (
    RUNNING,
    LegacyConfig,
    LegacyConversation,
    LegacyCreated,
    LegacySummary,
    LegacyWaitResult,
    outcome_of,
)
from ._base import AsyncLegacyResource
from ._http import AsyncLegacyHTTP
from ._pages import AsyncLegacyPager
from .summary import legacy_summary

MAX_TITLE = 200
# A create may take the runtime's start-up (10-20 s on a busy machine) before it answers.
CREATE_TIMEOUT = 180.0


def _parse_conversation(conversation_id: str, url: str) -> Callable[[Any], LegacyConversation]:
    def parse(data: Any) -> LegacyConversation:
        if data is None:
            raise LegacyConversationNotFoundError(conversation_id, url=url)
        return LegacyConversation.model_validate(data)

    return parse


class AsyncLegacyConversations(AsyncLegacyResource):
    async def create(
        self,
        message: str | None = None,
        *,
        repository: str | None = None,
        branch: str | None = None,
        git_provider: str | None = None,
        conversation_instructions: str | None = None,
        image_urls: builtins.list[str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> LegacyCreated:
        """Start a conversation (``POST /api/conversations``) with an initial message, optionally on a
        repository and branch (``git_provider``: github, gitlab, bitbucket ...). Never retried once it
        may have reached the server: a second attempt would start a second conversation. A server
        without LLM settings answers 400 (``CONFIGURATION$SETTINGS_NOT_FOUND``): save them first
        with ``client.settings.update(...)``."""
        body: dict[str, Any] = {
            "initial_user_msg": message,
            "repository": repository,
            "selected_branch": branch,
            "git_provider": git_provider,
            "conversation_instructions": conversation_instructions,
            "image_urls": image_urls,
            **(extra or {}),
        }
        return await self._http.request(
            "POST",
            "/api/conversations",
            json={k: v for k, v in body.items() if v is not None},
            idempotent=False,
            timeout=_long(self._http, CREATE_TIMEOUT),
            unsure="List the conversations (client.conversations.list()) to see whether it was created.",
            parse=LegacyCreated.model_validate,
        )

    async def get(self, conversation_id: str) -> LegacyConversation:
        """One conversation. V0 answers an unknown id with 200 ``null``: that raises
        ``LegacyConversationNotFoundError`` (a ``NotFoundError``)."""
        cid = _check_id(conversation_id)
        path = route("/api/conversations/{conversation_id}", conversation_id=cid)
        return await self._http.request(
            "GET",
            path,
            parse=_parse_conversation(cid, self._http.url(path)),
        )

    async def get_many(self, conversation_ids: builtins.list[str]) -> builtins.list[LegacyConversation | None]:
        """Several conversations, None for unknown ids (V0 has no batch route: one request each)."""
        found: builtins.list[LegacyConversation | None] = []
        for cid in conversation_ids:
            try:
                found.append(await self.get(cid))
            except LegacyConversationNotFoundError:
                found.append(None)
        return found

    def list(
        self,
        *,
        selected_repository: str | None = None,
        trigger: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
        start_page_id: str | None = None,
    ) -> AsyncLegacyPager[LegacyConversation]:
        """Every conversation, newest first, fetched a page at a time as you iterate (``pages()`` for
        page by page, ``first_page()`` for one). ``selected_repository`` and ``trigger`` filter."""
        return AsyncLegacyPager(
            self._http,
            "/api/conversations",
            {"selected_repository": selected_repository, "conversation_trigger": trigger},
            LegacyConversation.model_validate,
            page_size=page_size,
            limit=limit,
            start_page_id=start_page_id,
        )

    search = list  # the name V1 scripts know

    async def update_title(self, conversation_id: str, title: str) -> bool:
        if not 0 < len(title) <= MAX_TITLE:
            raise InvalidArgumentError(f"a title has 1 to {MAX_TITLE} characters, not {len(title)}")
        cid = _check_id(conversation_id)
        result = await self._http.request(
            "PATCH", route("/api/conversations/{conversation_id}", conversation_id=cid), json={"title": title}
        )
        return bool(result)

    async def delete(self, conversation_id: str) -> bool:
        """Delete the conversation (its runtime is stopped first). False when the server had no such one."""
        cid = _check_id(conversation_id)
        result = await self._http.request("DELETE", route("/api/conversations/{conversation_id}", conversation_id=cid))
        return bool(result)

    async def send_message(self, conversation_id: str, message: str) -> bool:
        """Send a user message; the agent runs on it. The conversation must be running: a STOPPED one
        answers 404 (``start()`` it first)."""
        cid = _check_id(conversation_id)
        result = await self._http.request(
            "POST",
            route("/api/conversations/{conversation_id}/message", conversation_id=cid),
            json={"message": message},
            idempotent=False,
            unsure="Read the events to see whether the message arrived before sending it again.",
        )
        return bool(isinstance(result, dict) and result.get("success"))

    async def start(self, conversation_id: str, *, providers: builtins.list[str] | None = None) -> LegacyCreated:
        """Start (or re-attach) a conversation's runtime, e.g. a STOPPED one before sending to it."""
        cid = _check_id(conversation_id)
        return await self._http.request(
            "POST",
            route("/api/conversations/{conversation_id}/start", conversation_id=cid),
            json={"providers_set": providers},
            timeout=_long(self._http, CREATE_TIMEOUT),
            parse=LegacyCreated.model_validate,
        )

    async def ensure_running(self, conversation_id: str, *, timeout: float = 180.0) -> LegacyConversation:
        """Start the conversation if it is not RUNNING and wait until it is and its agent is past
        ``loading`` (a restarted runtime takes 10-20 s; a message sent while it loads can be lost):
        messages and the workspace routes need it. ``WaitTimeoutError`` after ``timeout``."""
        cid = _check_id(conversation_id)
        conversation = await self.get(cid)
        if conversation.status != RUNNING:
            await self.start(cid)
        started = time.monotonic()
        while True:
            conversation = await self.get(cid)
            if conversation.status == RUNNING and await self._client.events.latest_agent_state(cid) != "loading":
                return conversation
            if time.monotonic() - started > timeout:
                raise WaitTimeoutError(
                    f"V0 conversation {cid} is {conversation.status} {timeout:.0f}s after start", last=conversation
                )
            await self._http.sleep(0.5)

    async def stop(self, conversation_id: str) -> LegacyCreated:
        cid = _check_id(conversation_id)
        return await self._http.request(
            "POST",
            route("/api/conversations/{conversation_id}/stop", conversation_id=cid),
            parse=LegacyCreated.model_validate,
        )

    async def config(self, conversation_id: str) -> LegacyConfig:
        """The runtime and session ids of a running conversation (404 when it is not running)."""
        cid = _check_id(conversation_id)
        return await self._http.request(
            "GET",
            route("/api/conversations/{conversation_id}/config", conversation_id=cid),
            parse=LegacyConfig.model_validate,
        )

    async def vscode_url(self, conversation_id: str) -> str | None:
        """The VS Code URL of the conversation's runtime; None when the server runs without VS Code."""
        cid = _check_id(conversation_id)
        data = await self._http.request(
            "GET", route("/api/conversations/{conversation_id}/vscode-url", conversation_id=cid)
        )
        url = data.get("vscode_url") if isinstance(data, dict) else None
        return url if isinstance(url, str) and url else None

    async def wait(
        self,
        conversation_id: str,
        *,
        timeout: float | None = 600.0,
        poll_interval: float = 2.0,
        after_event: int | None = None,
        message: str | None = None,
    ) -> LegacyWaitResult:
        """Wait until the agent is done: finished, failed (error, rejected, stopped, or the conversation
        STOPPED/ERROR without a final state) or needs input (awaiting the user's input or
        confirmation). Returns how it ended; ``WaitTimeoutError`` (with the last state seen) when
        ``timeout`` seconds pass first. After ``send_message``, pass the newest event id from before
        it as ``after_event`` and the text sent as ``message``: only the agent's state after that
        message counts (not the previous turn's, nor a first turn still under way)."""
        cid = _check_id(conversation_id)
        started = time.monotonic()
        state: str | None = None
        conversation: LegacyConversation | None = None
        while True:
            conversation = await self.get(cid)
            state = await self._state_after(cid, after_event, message)
            # A conversation STOPPED before this turn's first state change has not failed yet when
            # waiting on a new turn: the server may still be starting it.
            status = conversation.status if after_event is None or state is not None else None
            outcome = outcome_of(state, status)
            if outcome is not None:
                return LegacyWaitResult(
                    conversation_id=cid, outcome=outcome, agent_state=state, conversation=conversation
                )
            left = None if timeout is None else timeout - (time.monotonic() - started)
            if left is not None and left <= 0:
                raise WaitTimeoutError(
                    f"V0 conversation {cid} still going after {timeout:.0f}s "
                    f"(status {conversation.status}, agent {state or 'not started'}); wait longer or check "
                    "its events",
                    last=conversation,
                )
            await self._http.sleep(poll_interval if left is None else max(0.0, min(poll_interval, left)))

    async def _state_after(self, cid: str, after_event: int | None, text: str | None) -> str | None:
        """The agent's state; with ``after_event``, only as changed after the user message (``text``,
        else the first one) that follows that event (a restarted runtime replays its old state first)."""
        if after_event is None:
            return await self._client.events.agent_state(cid)
        messages = self._client.events.iterate(cid, start_id=after_event + 1, source="user", kinds=["message"])
        async for event in messages:
            if text is None or (event.text or "").strip() == text.strip():
                return await self._client.events.agent_state(cid, after=event.id, since_running=True)
        return None

    async def summary(self, conversation_id: str) -> LegacySummary:
        """Status and agent state, repository, model (from settings, else the events), cost where the
        server reported one, event count, first user and last agent messages."""
        cid = _check_id(conversation_id)
        return await legacy_summary(await self.get(cid), self._client.events, self._client.settings)


def _check_id(conversation_id: str) -> str:
    """V0 ids are 32 hex digits; anything with a slash or blank would hit another route."""
    text = str(getattr(conversation_id, "conversation_id", conversation_id)).strip()
    if not text or "/" in text:
        raise InvalidArgumentError(f"not a V0 conversation id: {conversation_id!r}")
    return text


def _long(http: AsyncLegacyHTTP, seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=http.timeout.connect)
