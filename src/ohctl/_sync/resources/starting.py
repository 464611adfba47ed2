# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Starting app conversations: build the request, start (and follow to READY or the finish), or
stream the start tasks as the server reports them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, overload

import httpx
from pydantic import BaseModel

from ..._config import LONG_TIMEOUT
from ..._errors import SHAPE_ERRORS, APIConnectionError, InvalidArgumentError, StreamError
from ..._ids import ConversationId, conversation_id
from ..._pending import policy_kind
from ..._responses import connection_error, shape_error
from ..._streams import JSONArrayReader
from ..._structured import Schema, instruction
from ..._wait_logic import Poll
from ...types.conversations import (
    AppConversation,
    Content,
    PluginSpec,
    StartRequest,
    StartTask,
    SuggestedTaskRequest,
    TextContent,
    UserMessage,
)
from ._base import Resource

WaitFor = Literal["ready", "finished"]


def _streamed_task(response: httpx.Response, item: Any) -> StartTask:
    """One start task of the stream-start array; a wrong shape raises UnexpectedResponseError, as
    ``request(parse=...)`` does for a whole body."""
    try:
        return StartTask.model_validate(item)
    except SHAPE_ERRORS as exc:
        raise shape_error(response, exc) from exc


class ConversationStarts(Resource):
    # -- starting -------------------------------------------------------------------------
    @staticmethod
    def build_request(
        task: str | UserMessage | list[Content] | None = None,
        *,
        repository: str | None = None,
        branch: str | None = None,
        git_provider: str | None = None,
        title: str | None = None,
        llm_model: str | None = None,
        agent_type: str | None = None,
        parent_conversation_id: ConversationId | str | None = None,
        sandbox_id: str | None = None,
        conversation_id: ConversationId | str | None = None,
        secrets: dict[str, str] | None = None,
        plugins: list[PluginSpec | dict[str, Any]] | None = None,
        system_message_suffix: str | None = None,
        suggested_task: SuggestedTaskRequest | dict[str, Any] | None = None,
        trigger: str | None = None,
        pr_number: list[int] | None = None,
        public: bool | None = None,
        processors: list[dict[str, Any]] | None = None,
        agent_profile_id: str | None = None,
        output_schema: type[BaseModel] | Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> StartRequest:
        """The start request. ``output_schema`` (a pydantic model class or a JSON Schema dict) adds to
        the task the instruction to end with one JSON document matching it (read it back with
        ``conversations.result``)."""
        if task is not None and suggested_task is not None:
            raise InvalidArgumentError(
                "Give either a task message or suggested_task, not both (the server refuses both)"
            )
        if output_schema is not None:
            task = _with_output_schema(task, output_schema)
        fields: dict[str, Any] = {
            "initial_message": UserMessage.of(task) if task is not None else None,
            "selected_repository": repository,
            "selected_branch": branch,
            "git_provider": git_provider,
            "title": title,
            "llm_model": llm_model,
            "agent_type": agent_type,
            "parent_conversation_id": parent_conversation_id,
            "sandbox_id": sandbox_id,
            "conversation_id": conversation_id,
            "secrets": secrets,
            "plugins": plugins,
            "system_message_suffix": system_message_suffix,
            "suggested_task": suggested_task,
            "trigger": trigger,
            "pr_number": pr_number,
            "public": public,
            "processors": processors,
            "agent_profile_id": agent_profile_id,
            **extra,
        }
        return StartRequest.model_validate({k: v for k, v in fields.items() if v is not None})

    @staticmethod
    def _body(request: StartRequest) -> dict[str, Any]:
        return request.model_dump(mode="json", exclude_none=True)

    @overload
    def start(
        self,
        task: str | UserMessage | list[Content] | None = ...,
        *,
        wait: None,
        timeout: float | None = ...,
        request: StartRequest | None = ...,
        confirmation_policy: str | dict[str, Any] | None = ...,
        **fields: Any,
    ) -> StartTask: ...
    @overload
    def start(
        self,
        task: str | UserMessage | list[Content] | None = ...,
        *,
        wait: WaitFor = ...,
        timeout: float | None = ...,
        request: StartRequest | None = ...,
        confirmation_policy: str | dict[str, Any] | None = ...,
        **fields: Any,
    ) -> AppConversation: ...
    def start(
        self,
        task: str | UserMessage | list[Content] | None = None,
        *,
        wait: WaitFor | None = "ready",
        timeout: float | None = 600.0,
        request: StartRequest | None = None,
        confirmation_policy: str | dict[str, Any] | None = None,
        **fields: Any,
    ) -> StartTask | AppConversation:
        """Start a conversation (``task`` is the first message; ``fields`` are the start request's
        fields: repository, branch, git_provider, title, llm_model, agent_type, sandbox_id, secrets, ...).

        ``wait=None`` returns the start task at once; ``"ready"`` (default) follows it to READY and
        returns the conversation; ``"finished"`` also waits for the agent to finish. ``timeout``
        covers the whole wait. The POST is never retried once it may have reached the server: a
        retried start can launch a second, billed sandbox.

        ``confirmation_policy`` (``always``, ``risky``, ``never``): the server's start request has no
        such field, so the conversation starts without its message, the policy is set on its agent
        server, and only then is the message sent: no action runs before the policy holds.
        """
        req = request or self.build_request(task, **fields)
        if confirmation_policy is not None and wait is None:
            raise InvalidArgumentError("confirmation_policy= is set once the conversation is ready: not with wait=None")
        req, held = _hold_message(req, confirmation_policy)
        started = self._http.request(
            "POST",
            "/api/v1/app-conversations",
            json=self._body(req),
            idempotent=False,
            parse=StartTask.model_validate,
            unsure=_find_the_start(req),
        )
        if wait is None:
            return started
        return self._finish_start(started, req, wait=wait, timeout=timeout, policy=confirmation_policy, held=held)

    def _finish_start(
        self,
        task: StartTask,
        req: StartRequest,
        *,
        wait: WaitFor,
        timeout: float | None,
        policy: str | dict[str, Any] | None = None,
        held: UserMessage | None = None,
    ) -> AppConversation:
        poll = Poll(timeout)
        ready = task if task.is_ready else self._client.start_tasks.wait(task, timeout=timeout)
        conv_id = conversation_id(ready)
        if req.title:
            # The 1.11 server ignores the start request's title: set it once the conversation exists.
            self._client.conversations.update(conv_id, title=req.title)
        self._hand_over(conv_id, policy, held)
        if wait == "finished":
            done = self._client.conversations.wait(conv_id, timeout=poll.remaining(), fresh=held is not None)
            if req.title and done.title != req.title:
                # The server's auto-title (from the first message) can land after the first PATCH.
                done = self._client.conversations.update(conv_id, title=req.title)
            return done
        return self._client.conversations.retrieve(conv_id)

    def _hand_over(
        self, conv_id: ConversationId, policy: str | dict[str, Any] | None, held: UserMessage | None
    ) -> None:
        """Set the confirmation policy of a conversation just ready, then send the message held back."""
        if policy is None:
            return
        self._client.conversations.set_confirmation_policy(conv_id, policy)
        if held is not None:
            self._client.conversations.send_message(conv_id, held)

    def stream_start(
        self,
        task: str | UserMessage | list[Content] | None = None,
        *,
        request: StartRequest | None = None,
        confirmation_policy: str | dict[str, Any] | None = None,
        **fields: Any,
    ) -> Iterator[StartTask]:
        """Start a conversation and yield each start-task update as the server streams it, ending
        with READY or ERROR (an ERROR task is yielded, not raised).

        The server runs the start inside this stream: if the connection drops, the open-source
        server abandons the start. A broken stream raises StreamError whose ``last`` is the last
        start task seen (check it with ``client.start_tasks.retrieve(err.last)``); the POST is not
        repeated, since that could start a second sandbox. With ``confirmation_policy`` the READY task
        is yielded once the policy is set and the message sent (see ``start``)."""
        req = request or self.build_request(task, **fields)
        req, held = _hold_message(req, confirmation_policy)
        last: StartTask | None = None
        ready: StartTask | None = None

        def held_until_ready(task: StartTask) -> bool:
            return confirmation_policy is not None and task.is_ready and task.app_conversation_id is not None

        try:
            with self._http.stream(
                "POST",
                "/api/v1/app-conversations/stream-start",
                json=self._body(req),
                idempotent=False,
                timeout=LONG_TIMEOUT,
                unsure=_find_the_start(req),
            ) as response:
                reader = JSONArrayReader(response.request)
                try:
                    for chunk in response.iter_bytes():
                        for item in reader.feed(chunk):
                            last = _streamed_task(response, item)
                            if held_until_ready(last):
                                ready = last
                                continue
                            yield last
                except httpx.TransportError as exc:
                    raise connection_error(exc, response.request, unsure=_find_the_start(req)) from exc
                for item in reader.close():
                    last = _streamed_task(response, item)
                    if held_until_ready(last):
                        ready = last
                        continue
                    yield last
        except (StreamError, APIConnectionError) as exc:
            if last is None:
                raise
            raise StreamError(
                f"The stream-start stream broke after start task {last.id} reached {last.status} ({exc}); "
                "the server may have abandoned the start: check client.start_tasks.retrieve(...)",
                last=last,
            ) from exc
        if last is not None and not last.is_terminal:
            raise StreamError(f"The stream-start stream ended at {last.status}, before READY or ERROR", last=last)
        if ready is not None:
            self._hand_over(conversation_id(ready), confirmation_policy, held)
            yield ready


def _with_output_schema(
    task: str | UserMessage | list[Content] | None, output_schema: type[BaseModel] | Mapping[str, Any]
) -> UserMessage:
    """The task with the structured-output instruction added as its last text part."""
    if task is None:
        raise InvalidArgumentError("output_schema= needs a task message (not suggested_task)")
    message = UserMessage.of(task)
    added = instruction(Schema(output_schema))
    parts = list(message.content)
    if parts and isinstance(parts[-1], TextContent):
        parts[-1] = parts[-1].model_copy(update={"text": parts[-1].text + added})
    else:
        parts.append(TextContent(text=added.lstrip("\n")))
    return message.model_copy(update={"content": parts})


def _hold_message(
    request: StartRequest, policy: str | dict[str, Any] | None
) -> tuple[StartRequest, UserMessage | None]:
    """With a confirmation policy, the request without its first message, and that message."""
    if policy is None:
        return request, None
    policy_kind(policy)  # an unknown policy fails before anything starts
    return request.model_copy(update={"initial_message": None}), request.initial_message


def _find_the_start(request: StartRequest) -> str:
    """How to find a start that may have begun although its answer was lost."""
    since = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=5)
    how = f"client.start_tasks.search(created_after=datetime.fromisoformat({since.isoformat()!r}))"
    title = (
        f", or client.conversations.search(title_contains={request.title!r}) once it is ready" if request.title else ""
    )
    return (
        f"The conversation may have been started: look for its start task with {how}{title} before starting it again."
    )
