# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""The legacy V0 client. ``AsyncLegacyOpenHands`` is the source; the sync twin is generated from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ..._backend import Sleep
from ..._config import AuthScheme, ClientConfig, resolve
from .._client_base import ClientBase, resource
from ._http import LegacyHTTP

if TYPE_CHECKING:
    from .conversations import LegacyConversations
    from .events import LegacyEvents
    from .files import LegacyFiles
    from .settings import LegacySettingsResource


class LegacyOpenHands(ClientBase):
    """Client for the legacy V0 API of older self-hosted OpenHands servers (``/api/conversations``;
    openhands-ai 1.6.0 and earlier). New servers and the hosted Cloud serve only V1: use
    ``ohctl.OpenHands`` there (``ohctl.connect(url)`` picks the right client).

    Key and URL are resolved like ``OpenHands``'s (arguments, then ``OPENHANDS_API_KEY`` /
    ``OPENHANDS_BASE_URL``, then a stored profile). A server started with ``SESSION_API_KEY`` wants
    ``auth="session-key"`` (the ``X-Session-API-Key`` header).
    """

    _http: LegacyHTTP

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        auth: AuthScheme | None = None,
        allow_insecure: bool = False,
        sleep: Sleep | None = None,
        profile: str | None = None,
    ) -> None:
        self.config: ClientConfig = resolve(
            api_key=api_key, base_url=base_url, auth=auth, allow_insecure=allow_insecure, profile=profile
        )
        self._http = LegacyHTTP(
            self.config, timeout=timeout, max_retries=max_retries, http_client=http_client, sleep=sleep
        )

    # Each made on first use (see ``resource``).
    conversations: resource[LegacyConversations] = resource(".conversations", "LegacyConversations")
    events: resource[LegacyEvents] = resource(".events", "LegacyEvents")
    files: resource[LegacyFiles] = resource(".files", "LegacyFiles")
    settings: resource[LegacySettingsResource] = resource(".settings", "LegacySettingsResource")
