"""The legacy V0 client. ``AsyncLegacyOpenHands`` is the source; the sync twin is generated from it."""

from __future__ import annotations

import types
from typing import Any

import httpx
from typing_extensions import Self

from ..._backend import AsyncSleep
from ..._config import AuthScheme, ClientConfig, resolve
from ..._errors import redact_url
from .._client_base import AsyncClientBase
from ._http import AsyncLegacyHTTP
from .conversations import AsyncLegacyConversations
from .events import AsyncLegacyEvents
from .files import AsyncLegacyFiles
from .settings import AsyncLegacySettings


class AsyncLegacyOpenHands(AsyncClientBase):
    """Client for the legacy V0 API of older self-hosted OpenHands servers (``/api/conversations``;
    openhands-ai 1.6.0 and earlier). New servers and the hosted Cloud serve only V1: use
    ``ohctl.OpenHands`` there (``ohctl.connect(url)`` picks the right client).

    Key and URL are resolved like ``OpenHands``'s (arguments, then ``OPENHANDS_API_KEY`` /
    ``OPENHANDS_BASE_URL``, then a stored profile). A server started with ``SESSION_API_KEY`` wants
    ``auth="session-key"`` (the ``X-Session-API-Key`` header).
    """

    _http: AsyncLegacyHTTP

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        auth: AuthScheme | None = None,
        allow_insecure: bool = False,
        sleep: AsyncSleep | None = None,
        profile: str | None = None,
    ) -> None:
        self.config: ClientConfig = resolve(
            api_key=api_key, base_url=base_url, auth=auth, allow_insecure=allow_insecure, profile=profile
        )
        self._http = AsyncLegacyHTTP(
            self.config, timeout=timeout, max_retries=max_retries, http_client=http_client, sleep=sleep
        )
        self._bind_resources()

    def _bind_resources(self) -> None:
        self.conversations = AsyncLegacyConversations(self._http)
        self.events = AsyncLegacyEvents(self._http)
        self.files = AsyncLegacyFiles(self._http, self.events, self.conversations)
        self.settings = AsyncLegacySettings(self._http)
        self.conversations.bind(self.events, self.settings)

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def __repr__(self) -> str:
        key = f"from {self.config.api_key_source}" if self.config.api_key else "none"
        return f"{type(self).__name__}(base_url={redact_url(self.base_url)!r}, api_key=<{key}>)"

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Raw escape hatch: any route, through the same auth, retry and error handling."""
        return await self._http.request(method, path, **kwargs)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: types.TracebackType | None
    ) -> None:
        await self.close()
