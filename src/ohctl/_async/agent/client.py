"""``AsyncAgentServer``: one sandbox's agent server. ``AgentServer`` is generated from it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import httpx

from ..._backend import AsyncSleep
from ..._config import ClientConfig, check_transport
from ..._errors import APIStatusError, ConfigurationError, InvalidArgumentError, OhctlError, ServerTooOldError
from ..._ids import ConversationId, ConversationRef, conversation_id
from ..._parse import field_list, optional_text_field, strings
from ...types.agent import ServerInfo, VSCodeStatus
from ...types.tools import ToolCatalogEntry
from .._client_base import AsyncClientBase, resource
from .._http import AsyncHTTP
from .stream import AsyncEventStream

if TYPE_CHECKING:
    from .bash import AsyncBash
    from .conversations import AsyncAgentConversations
    from .events import AsyncAgentEvents
    from .files import AsyncFiles
    from .git import AsyncAgentGit

URL_VAR = "OPENHANDS_AGENT_SERVER_URL"
KEY_VAR = "OPENHANDS_SESSION_API_KEY"


def agent_base_url(url: str) -> str:
    """The server root from an ``AGENT_SERVER`` URL or a ``conversation_url`` (``.../api/conversations/<id>``)."""
    url = url.rstrip("/")
    marker = "/api/conversations"
    if marker in url:
        url = url[: url.index(marker)]
    return url


class AsyncAgentServer(AsyncClientBase):
    """Client for one agent server: bash, files, git, the conversations it runs, and live events.

    ``url`` is the server root (a ``conversation_url`` also works) and ``session_api_key`` is sent as
    ``X-Session-API-Key`` (never logged); they default to ``OPENHANDS_AGENT_SERVER_URL`` and
    ``OPENHANDS_SESSION_API_KEY``. ``conversation_id`` is the default conversation for the methods
    that take one (set when the client comes from ``client.conversations.agent(...)``).
    """

    def __init__(
        self,
        url: str | None = None,
        session_api_key: str | None = None,
        *,
        conversation_id: ConversationId | str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        allow_insecure: bool = False,
        sleep: AsyncSleep | None = None,
    ) -> None:
        url = url or os.environ.get(URL_VAR)
        if not url:
            raise ConfigurationError(f"No agent-server URL: pass url=... or set {URL_VAR}")
        if session_api_key is None:
            session_api_key = os.environ.get(KEY_VAR) or None
        base = agent_base_url(url)
        check_transport(base, session_api_key, allow_insecure)
        if conversation_id is None and "/api/conversations/" in url:
            conversation_id = url.rstrip("/").rsplit("/", 1)[-1]
        self.config = ClientConfig(
            base_url=base,
            api_key=session_api_key,
            api_key_source="argument" if session_api_key else None,
            auth="session-key",
        )
        self.conversation_id = ConversationId(str(conversation_id)) if conversation_id else None
        self._http = AsyncHTTP(
            self.config, timeout=timeout, max_retries=max_retries, http_client=http_client, sleep=sleep, agent=True
        )

    # Each made on first use (see ``resource``).
    bash: resource[AsyncBash] = resource(".bash", "AsyncBash")
    files: resource[AsyncFiles] = resource(".files", "AsyncFiles")
    git: resource[AsyncAgentGit] = resource(".git", "AsyncAgentGit")
    conversations: resource[AsyncAgentConversations] = resource(".conversations", "AsyncAgentConversations")
    events: resource[AsyncAgentEvents] = resource(".events", "AsyncAgentEvents")

    @property
    def url(self) -> str:
        return self.config.base_url

    @property
    def session_api_key(self) -> str | None:
        return self.config.api_key

    def __repr__(self) -> str:
        key = "set" if self.config.api_key else "none"
        return f"{type(self).__name__}(url={self.url!r}, session_api_key=<{key}>)"

    def _conversation_id(self, conversation: ConversationRef | None) -> str:
        """The agent server's form of a conversation id (it accepts hex or hyphenated); None is the
        client's default conversation."""
        if conversation is None:
            if self.conversation_id is None:
                raise InvalidArgumentError("Pass a conversation id (this client has no default conversation)")
            return str(self.conversation_id)
        return str(conversation_id(conversation))  # also a ConversationInfo, AppConversation or READY StartTask

    # -- live events ----------------------------------------------------------------------
    def stream_events(
        self,
        conversation: ConversationRef | None = None,
        *,
        after: str | None = None,
        until_done: bool = False,
        include_state: bool = False,
        fallback: bool = True,
        max_reconnects: int = 5,
        poll_interval: float = 1.0,
    ) -> AsyncEventStream:
        """Every event of the conversation exactly once, in order: the stored history, then live.

        ``after`` (a naive server timestamp) starts at that point instead of the beginning.
        ``until_done`` ends the stream once the agent's latest run is finished, errored or stuck.
        ``include_state`` also yields the ``full_state`` snapshot the socket sends on connect.
        A dropped socket is reconnected with backoff and resumed with no gap and no repeat; if the
        socket cannot be used, the stream polls the REST event search instead (``fallback``).
        Close codes 4001 (session key) and 4004 (unknown conversation) raise at once."""
        return AsyncEventStream(
            self,
            self._conversation_id(conversation),
            after=after,
            until_done=until_done,
            include_state=include_state,
            fallback=fallback,
            max_reconnects=max_reconnects,
            poll_interval=poll_interval,
        )

    # -- server details -------------------------------------------------------------------
    async def info(self) -> ServerInfo:
        return await self._http.request("GET", "/server_info", parse=ServerInfo.model_validate)

    async def _answers(self, path: str) -> bool:
        try:
            await self._http.request("GET", path, retries=0)
        except Exception:
            return False
        return True

    async def alive(self) -> bool:
        """True when the process answers (it may still be starting)."""
        return await self._answers("/alive")

    async def health(self) -> Any:
        return await self._http.request("GET", "/health")

    async def ready(self) -> bool:
        """True once the server finished starting (``/ready`` answers 503 while it initialises)."""
        return await self._answers("/ready")

    async def tools(self) -> list[str]:
        """The tools this server can give an agent."""
        return await self._http.request("GET", "/api/tools/", parse=strings)

    async def tools_catalog(self) -> list[ToolCatalogEntry]:
        """Every tool this server can give an agent, with whether a user may pick it
        (``user_selectable``), whether this runtime can run it (``usable``) and whether agents get it
        by default (``in_default_set``). Agent server 1.58 has the route; older ones (1.34, what
        app server 1.11.0 sandboxes run) answer 404, raised as ServerTooOldError naming the
        server's version: use ``tools()`` (names only) there."""
        try:
            return await self._http.request(
                "GET", "/api/tools/catalog", parse=field_list("tools", ToolCatalogEntry.model_validate)
            )
        except APIStatusError as exc:
            if exc.status_code not in (404, 405):
                raise
            version = await self._version()
            raise ServerTooOldError(
                f"Agent server {version or '(version unknown)'} at {self.url} has no GET /api/tools/catalog "
                "(added after 1.34; 1.58.2 has it): upgrade the agent server, or use tools() for the names",
                route="/api/tools/catalog",
                version=version,
            ) from None

    async def _version(self) -> str | None:
        """The server's version from /server_info, or None if it cannot be read."""
        try:
            return (await self.info()).version
        except OhctlError:
            return None

    async def vscode_status(self) -> VSCodeStatus:
        return await self._http.request("GET", "/api/vscode/status", parse=VSCodeStatus.model_validate)

    async def vscode_url(
        self, *, base_url: str | None = None, workspace_dir: str | None = None, check: bool = True
    ) -> str | None:
        """The VS Code URL (it embeds the session key: treat it as a secret). With ``check`` (the
        default), None unless VS Code is enabled and running: the server hands out a URL even then."""
        if check:
            status = await self.vscode_status()
            if not (status.enabled and status.running):
                return None
        return await self._http.request(
            "GET",
            "/api/vscode/url",
            params={"base_url": base_url, "workspace_dir": workspace_dir},
            parse=optional_text_field("url"),
        )
