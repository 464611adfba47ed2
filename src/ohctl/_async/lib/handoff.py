"""From an app conversation or sandbox to a ready agent-server client (resuming a paused sandbox)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..._deadline import deadline
from ..._errors import OhctlError, SandboxFailedError, SandboxNotRunningError, WaitTimeoutError
from ..._ids import conversation_id, sandbox_id
from ..._wait_logic import FAILED_SANDBOX, Outage, Poll, request_deadline
from ...types.conversations import AppConversation
from ...types.sandboxes import Sandbox, SandboxStatus
from ..agent.client import AsyncAgentServer

if TYPE_CHECKING:
    from ..client import AsyncOpenHands

log = logging.getLogger("ohctl.agent")


def _client_options(client: AsyncOpenHands) -> dict[str, Any]:
    """What the agent client inherits from the app client: the user's own httpx client (when one was
    given), the timeout and retry count, and ``allow_insecure``. Extra headers and query parameters
    are not passed on: they were meant for the app server."""
    http = client._http
    return {
        "timeout": http.options.timeout,
        "max_retries": http.options.max_retries,
        "http_client": http.user_http_client,
        "allow_insecure": client.config.allow_insecure,
        "sleep": http.sleep,
    }


def agent_from_conversation(client: AsyncOpenHands, conv: AppConversation) -> AsyncAgentServer | None:
    url = conv.agent_server_url
    if str(conv.sandbox_status) != SandboxStatus.RUNNING.value or not url:
        return None
    return AsyncAgentServer(url, conv.session_api_key, conversation_id=conv.id, **_client_options(client))


def _from_sandbox(client: AsyncOpenHands, sandbox: Sandbox, conversation: Any = None) -> AsyncAgentServer | None:
    url = sandbox.url_for("AGENT_SERVER")
    if str(sandbox.status) != SandboxStatus.RUNNING.value or not url:
        return None
    return AsyncAgentServer(url, sandbox.session_api_key, conversation_id=conversation, **_client_options(client))


def _not_running(what: str, status: object, found: Any) -> SandboxNotRunningError:
    if str(status) in FAILED_SANDBOX:
        return SandboxFailedError(f"The sandbox of {what} is {status}: it will not run again", sandbox=found)
    return SandboxNotRunningError(
        f"The sandbox of {what} is {status}, so its agent server is not reachable: "
        "use ensure_running(...) to resume it and wait",
        sandbox=found,
    )


async def conversation_agent(client: AsyncOpenHands, conversation: Any) -> AsyncAgentServer:
    conv = await client.conversations.retrieve(conversation)
    agent = agent_from_conversation(client, conv)
    if agent is None and str(conv.sandbox_status) == SandboxStatus.RUNNING.value and conv.sandbox_id:
        # No conversation_url (yet): the sandbox's AGENT_SERVER exposed URL names the same server.
        agent = _from_sandbox(client, await client.sandboxes.retrieve(conv.sandbox_id), conv.id)
    if agent is None:
        raise _not_running(f"conversation {conv.id}", conv.sandbox_status, conv)
    return agent


async def sandbox_agent(client: AsyncOpenHands, sandbox: Any) -> AsyncAgentServer:
    found = await client.sandboxes.retrieve(sandbox)
    agent = _from_sandbox(client, found)
    if agent is None:
        raise _not_running(f"sandbox {found.id}", found.status, found)
    return agent


async def ensure_sandbox_running(
    client: AsyncOpenHands, sandbox: Any, *, timeout: float | None = 180.0, conversation: Any = None
) -> AsyncAgentServer:
    """Resume a PAUSED sandbox, wait through STARTING until RUNNING and the agent server answers,
    then build the client from the fresh URL and session key (both change on resume)."""
    poll = Poll(timeout, initial=1.0, maximum=5.0)
    outage = Outage(f"sandbox {sandbox_id(sandbox)}")
    resumed = False
    found: Sandbox | None = None
    with deadline(request_deadline(timeout)):
        while True:
            try:
                found = await client.sandboxes.retrieve(sandbox)
                status = str(found.status)
                if status in FAILED_SANDBOX:
                    raise _not_running(f"sandbox {found.id}", status, found)
                agent = _from_sandbox(client, found, conversation)
                if agent is not None:
                    if await agent.alive():
                        return agent
                    await agent.close()
                elif status == SandboxStatus.PAUSED.value and not resumed:
                    log.debug("resuming sandbox %s", found.id)
                    await client.sandboxes.resume(found.id)
                    resumed = True
            except OhctlError as exc:
                if not outage.absorb(exc):
                    raise
            else:
                outage.clear()
            if poll.expired():
                last = f"last status {found.status}" if found is not None else "no status seen"
                problem = outage.describe()
                raise WaitTimeoutError(
                    f"Sandbox {sandbox_id(sandbox)} not running after {poll.elapsed:.0f}s "
                    f"({last}{'; ' + problem if problem else ''})",
                    last=found,
                )
            await client._http.sleep(poll.clamp(outage.delay()) if outage.failures else poll.next_delay())


async def ensure_conversation_running(
    client: AsyncOpenHands, conversation: Any, *, timeout: float | None = 180.0
) -> AsyncAgentServer:
    return await ensure_fetched_running(client, await client.conversations.retrieve(conversation), timeout=timeout)


async def ensure_fetched_running(
    client: AsyncOpenHands, conv: AppConversation, *, timeout: float | None = 180.0
) -> AsyncAgentServer:
    """``ensure_conversation_running`` of a conversation just read (no second read of it)."""
    agent = agent_from_conversation(client, conv)
    if agent is not None and await agent.alive():
        return agent
    if agent is not None:
        await agent.close()
    if not conv.sandbox_id or str(conv.sandbox_status) in FAILED_SANDBOX:
        raise _not_running(f"conversation {conv.id}", conv.sandbox_status, conv)
    return await ensure_sandbox_running(client, conv.sandbox_id, timeout=timeout, conversation=conversation_id(conv))
