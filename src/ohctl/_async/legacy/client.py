"""The legacy V0 client. ``AsyncLegacyOpenHands`` is the source; the sync twin is generated from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ..._backend import AsyncSleep
from ..._config import AuthScheme, ClientConfig, resolve
from .._client_base import AsyncClientBase, resource
from ._http import AsyncLegacyHTTP

if TYPE_CHECKING:
    from .conversations import AsyncLegacyConversations
    from .events import AsyncLegacyEvents
    from .files import AsyncLegacyFiles
    from .settings import AsyncLegacySettingsResource


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

    # Each made on first use (see ``resource``).
    conversations: resource[AsyncLegacyConversations] = resource(".conversations", "AsyncLegacyConversations")
    events: resource[AsyncLegacyEvents] = resource(".events", "AsyncLegacyEvents")
    files: resource[AsyncLegacyFiles] = resource(".files", "AsyncLegacyFiles")
    settings: resource[AsyncLegacySettingsResource] = resource(".settings", "AsyncLegacySettingsResource")
