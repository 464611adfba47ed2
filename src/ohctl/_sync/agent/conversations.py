# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Conversations on an agent server: start, read, message, run, pause, confirm, wait."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

import httpx

from ..._errors import (
    BadRequestError,
    ConflictError,
    ConversationFailedError,
    InvalidArgumentError,
    NeedsInputError,
    NotFoundError,
    OhctlError,
    WaitTimeoutError,
)
from ..._ids import MAX_AGENT_CONVERSATION_IDS, MAX_TITLE_LENGTH, ConversationRef, chunked, many
from ..._ids import conversation_id as to_conversation_id
from ..._parse import count as parse_count
from ..._parse import flag, nullable_list, text_field
from ..._routes import route
from ..._wait_logic import FRESH_GRACE, FreshRun, Outcome, Poll, classify_execution
from ...types.agent import ConversationInfo
from ...types.conversations import Content, ExecutionStatus, UserMessage
from .._pagination import Pager
from ._base import AgentResource
from .stream import StatusWatch

POLICIES = ("AlwaysConfirm", "NeverConfirm", "ConfirmRisky")


def policy_body(policy: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(policy, dict):
        return policy
    if policy not in POLICIES:
        raise InvalidArgumentError(f"Unknown confirmation policy {policy!r}: use one of {', '.join(POLICIES)}")
    return {"kind": policy}


def _message(message: str | UserMessage | list[Content], run: bool) -> dict[str, Any]:
    return UserMessage.of(message).model_copy(update={"run": run}).model_dump(mode="json")


def _is_conversation_ref(value: object) -> bool:
    try:
        to_conversation_id(value)  # type: ignore[arg-type]
    except OhctlError:
        return False
    return True


def _check_message_order(conversation: object, message: object) -> None:
    """``send_message`` once took ``(message, conversation)``: refuse that order with a clear error."""
    if message is None:
        raise InvalidArgumentError(
            "send_message takes (conversation, message); pass None as the conversation to use this "
            "client's default conversation: send_message(None, 'text')"
        )
    if conversation is not None and _is_conversation_ref(message) and not _is_conversation_ref(conversation):
        raise InvalidArgumentError(
            "send_message takes (conversation, message), like client.conversations.send_message: "
            "the arguments look swapped (the message is a conversation id)"
        )


class AgentConversations(AgentResource):
    def start(
        self,
        message: str | UserMessage | list[Content] | None = None,
        *,
        workspace: str | dict[str, Any],
        llm: dict[str, Any] | None = None,
        agent_settings: dict[str, Any] | None = None,
        agent: dict[str, Any] | None = None,
        agent_profile_id: str | None = None,
        conversation_id: str | None = None,
        confirmation_policy: str | dict[str, Any] | None = None,
        max_iterations: int | None = None,
        tags: dict[str, str] | None = None,
        **fields: Any,
    ) -> ConversationInfo:
        """Start a conversation on this agent server (``message`` is run at once).

        ``workspace`` is the working directory; the agent comes from ``llm`` (a dict of model,
        base_url, api_key...), ``agent_settings``, ``agent`` or ``agent_profile_id``. The id is
        chosen here when not given, and the server treats a second start with the same id as the
        same conversation, so a retried start can never create two."""
        sources = [x for x in (llm, agent_settings, agent, agent_profile_id) if x is not None]
        if len(sources) != 1:
            raise InvalidArgumentError("Give exactly one of llm=, agent_settings=, agent= or agent_profile_id=")
        body: dict[str, Any] = {
            "conversation_id": str(uuid.UUID(conversation_id) if conversation_id else uuid.uuid4()),
            "workspace": {"working_dir": workspace, "kind": "LocalWorkspace"}
            if isinstance(workspace, str)
            else workspace,
        }
        if llm is not None:
            body["agent_settings"] = {"llm": {"usage_id": "agent", **llm}}
        elif agent_settings is not None:
            body["agent_settings"] = agent_settings
        elif agent is not None:
            body["agent"] = agent
        else:
            body["agent_profile_id"] = agent_profile_id
        if message is not None:
            body["initial_message"] = _message(message, True)
        if confirmation_policy is not None:
            body["confirmation_policy"] = policy_body(confirmation_policy)
        if max_iterations is not None:
            body["max_iterations"] = max_iterations
        if tags is not None:
            body["tags"] = tags
        body.update(fields)
        return self._http.request(
            "POST", "/api/conversations", json=body, idempotent=True, parse=ConversationInfo.model_validate
        )

    def info(self, conversation: ConversationRef | None = None) -> ConversationInfo:
        return self._http.request(
            "GET",
            route("/api/conversations/{conversation_id}", conversation_id=self._conversation(conversation)),
            parse=ConversationInfo.model_validate,
        )

    def working_directory(self, conversation: ConversationRef | None = None) -> str:
        """The agent's working directory in the sandbox, absolute: the conversation's workspace
        ``working_dir``, resolved against the server's own directory when it is relative."""
        info = self.info(conversation)
        wd = str((info.workspace or {}).get("working_dir") or "")
        if wd.startswith("/"):
            return wd
        here = (self._agent.bash.execute("pwd", timeout=30)).stdout.strip() or "/"
        return str(PurePosixPath(here) / wd) if wd else here

    def search(
        self,
        *,
        status: str | ExecutionStatus | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[ConversationInfo]:
        """Conversations on this server, newest first by default, lazily paged."""
        params = {"status": status, "sort_order": sort_order}
        return Pager(
            self._http,
            "/api/conversations/search",
            params,
            ConversationInfo.model_validate,
            page_size=page_size,
            limit=limit,
        )

    def count(self, *, status: str | ExecutionStatus | None = None) -> int:
        return self._http.request("GET", "/api/conversations/count", params={"status": status}, parse=parse_count)

    def get(self, ids: Iterable[ConversationRef]) -> list[ConversationInfo | None]:
        """Batch get in the order asked, None for unknown ids (99 per call)."""
        wanted = [self._conversation(i) for i in many(ids, "conversation id")]
        out: list[ConversationInfo | None] = []
        for part in chunked(wanted, MAX_AGENT_CONVERSATION_IDS):
            out += self._http.request(
                "GET",
                "/api/conversations",
                params={"ids": list(part)},
                parse=nullable_list(ConversationInfo.model_validate, len(part)),
            )
        return out

    def update(
        self,
        conversation: ConversationRef | None = None,
        *,
        title: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> bool:
        if title is not None and not 1 <= len(title) <= MAX_TITLE_LENGTH:
            raise InvalidArgumentError(f"title must be 1 to {MAX_TITLE_LENGTH} characters long")
        body = {k: v for k, v in {"title": title, "tags": tags}.items() if v is not None}
        return self._http.request(
            "PATCH",
            route("/api/conversations/{conversation_id}", conversation_id=self._conversation(conversation)),
            json=body,
            idempotent=True,
            parse=flag("success", default=True),
        )

    def delete(self, conversation: ConversationRef | None = None) -> bool:
        """Delete; False when it was already gone (1.34 answers 400 then, later servers 404)."""
        try:
            self._http.request(
                "DELETE",
                route("/api/conversations/{conversation_id}", conversation_id=self._conversation(conversation)),
            )
        except (NotFoundError, BadRequestError):
            return False
        return True

    def send_message(
        self,
        conversation: ConversationRef | None,
        message: str | UserMessage | list[Content] | None = None,
        *,
        run: bool = True,
    ) -> None:
        """Add a user message to ``conversation`` (None: this client's default conversation), in the
        same order as ``client.conversations.send_message(conversation, message)``.
        ``run=True`` (our default; the server's is False) also runs the agent. Never retried once it
        may have reached the server, so a message is never sent twice. A 429 means the message was
        stored but the run could not start: call ``run`` later."""
        _check_message_order(conversation, message)
        assert message is not None
        cid = self._conversation(conversation)
        self._http.request(
            "POST",
            route("/api/conversations/{conversation_id}/events", conversation_id=cid),
            json=_message(message, run),
            idempotent=False,
            unsure="The message may have been delivered: check the latest events before sending it again.",
        )

    def run(self, conversation: ConversationRef | None = None) -> bool:
        """Run the agent; False when it was already running (409)."""
        cid = self._conversation(conversation)
        try:
            self._http.request(
                "POST", route("/api/conversations/{conversation_id}/run", conversation_id=cid), idempotent=False
            )
        except ConflictError:
            return False
        return True

    def pause(self, conversation: ConversationRef | None = None, *, timeout: float | None = None) -> None:
        """Pause after the step in flight (``interrupt`` cancels an LLM call instead). The agent
        server answers only once that step has ended, which a long command can take minutes to do:
        ``timeout`` (seconds) bounds the wait for its answer, and is not retried (a pause whose
        answer timed out has reached the server, which carries it out when the step ends)."""
        cid = self._conversation(conversation)
        bounded: dict[str, Any] = {} if timeout is None else {"timeout": httpx.Timeout(timeout), "retries": 0}
        self._http.request(
            "POST", route("/api/conversations/{conversation_id}/pause", conversation_id=cid), idempotent=True, **bounded
        )

    def interrupt(self, conversation: ConversationRef | None = None) -> None:
        cid = self._conversation(conversation)
        self._http.request(
            "POST", route("/api/conversations/{conversation_id}/interrupt", conversation_id=cid), idempotent=True
        )

    def final_response(self, conversation: ConversationRef | None = None) -> str:
        """The agent's last answer ("" until it has finished)."""
        cid = self._conversation(conversation)
        return self._http.request(
            "GET",
            route("/api/conversations/{conversation_id}/agent_final_response", conversation_id=cid),
            parse=text_field("response"),
        )

    def respond_to_confirmation(
        self, accept: bool, conversation: ConversationRef | None = None, *, reason: str | None = None
    ) -> None:
        """Approve (``accept=True``) or reject the actions waiting for confirmation."""
        body: dict[str, Any] = {"accept": accept}
        if reason is not None:
            body["reason"] = reason
        path = route(
            "/api/conversations/{conversation_id}/events/respond_to_confirmation",
            conversation_id=self._conversation(conversation),
        )
        self._http.request("POST", path, json=body, idempotent=False)

    def approve(self, conversation: ConversationRef | None = None) -> None:
        self.respond_to_confirmation(True, conversation)

    def reject(self, conversation: ConversationRef | None = None, *, reason: str = "Rejected through ohctl") -> None:
        self.respond_to_confirmation(False, conversation, reason=reason)

    def set_confirmation_policy(
        self, policy: str | dict[str, Any], conversation: ConversationRef | None = None
    ) -> None:
        """``AlwaysConfirm``, ``NeverConfirm`` or ``ConfirmRisky`` (or the full policy object)."""
        path = route(
            "/api/conversations/{conversation_id}/confirmation_policy", conversation_id=self._conversation(conversation)
        )
        self._http.request("POST", path, json={"policy": policy_body(policy)}, idempotent=True)

    def set_security_analyzer(
        self, analyzer: dict[str, Any] | None, conversation: ConversationRef | None = None
    ) -> None:
        """The analyzer that rates each action's risk (``{"kind": "LLMSecurityAnalyzer"}`` takes the
        agent's own rating); None removes it. ``ConfirmRisky`` asks for every action without one."""
        path = route(
            "/api/conversations/{conversation_id}/security_analyzer", conversation_id=self._conversation(conversation)
        )
        self._http.request("POST", path, json={"security_analyzer": analyzer}, idempotent=True)

    def ask(self, question: str, conversation: ConversationRef | None = None) -> str:
        """Ask the agent's LLM about the conversation without changing it."""
        path = route("/api/conversations/{conversation_id}/ask_agent", conversation_id=self._conversation(conversation))
        return self._http.request(
            "POST", path, json={"question": question}, idempotent=False, parse=text_field("response")
        )

    def generate_title(self, conversation: ConversationRef | None = None, *, max_length: int = 50) -> str:
        """Have the LLM title the conversation, store the title and return it. Servers up to 1.18
        do it in one call (``generate_title``); later ones dropped the route, so the title is asked
        of the agent's LLM (``ask_agent``) and stored with a PATCH."""
        cid = self._conversation(conversation)
        try:
            return self._http.request(
                "POST",
                route("/api/conversations/{conversation_id}/generate_title", conversation_id=cid),
                json={"max_length": max_length},
                idempotent=False,
                parse=text_field("title"),
            )
        except NotFoundError:
            pass
        answer = self.ask(
            f"Reply with only a title of at most {max_length} characters for this conversation, nothing else.", cid
        )
        title = next((line.strip().strip("\"'#* ") for line in answer.splitlines() if line.strip()), "")
        title = title[:max_length].strip() or "Untitled conversation"
        self.update(cid, title=title)
        return title

    def wait(
        self,
        conversation: ConversationRef | None = None,
        *,
        timeout: float | None = 600.0,
        poll_interval: float = 2.0,
        fresh: bool = False,
        live: bool = True,
    ) -> ConversationInfo:
        """Wait until the agent finished and return the conversation; raises ConversationFailedError
        (error or stuck), NeedsInputError (waiting for confirmation) or WaitTimeoutError.

        With ``live`` (the default) a status socket wakes the wait the moment the status changes.
        ``fresh``: a run was just requested, so an old terminal status is ignored until the agent is
        seen running (or 10 s pass)."""
        cid = self._conversation(conversation)
        poll = Poll(timeout, initial=poll_interval, maximum=10.0)
        watch = StatusWatch(self._agent, cid) if live else None
        fresh_run = FreshRun(FRESH_GRACE) if fresh else None
        try:
            while True:
                info = self.info(cid)
                status = info.execution_status
                accepted = fresh_run is None or fresh_run.accept_status(status)  # notes a running agent
                outcome = classify_execution(status)
                if outcome is not None and accepted:
                    if outcome == Outcome.FINISHED:
                        return info
                    if outcome == Outcome.FAILED:
                        raise ConversationFailedError(
                            f"Conversation {cid} ended with status {status}", conversation=info
                        )
                    raise NeedsInputError(
                        f"Conversation {cid} waits for confirmation: approve() or reject() it", conversation=info
                    )
                if poll.expired():
                    raise WaitTimeoutError(
                        f"Conversation {cid} did not finish within {timeout}s (last status {status})", last=info
                    )
                delay = poll.next_delay()
                if watch is not None:
                    watch.wait_change(delay)
                    if fresh_run is not None and watch.saw_active:
                        fresh_run.seen_active = True
                else:
                    self._http.sleep(delay)
        finally:
            if watch is not None:
                watch.close()
