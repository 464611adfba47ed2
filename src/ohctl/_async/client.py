"""The app-server client. ``AsyncOpenHands`` is the source; ``OpenHands`` is generated from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._backend import AsyncSleep
from .._config import AuthScheme, ClientConfig, resolve
from .._options import RequestOptions, as_timeout, org_headers
from ._client_base import AsyncClientBase, resource
from ._http import AsyncHTTP

if TYPE_CHECKING:
    from .cloud import AsyncCloud
    from .resources.conversations import AsyncConversations
    from .resources.events import AsyncEvents
    from .resources.git import AsyncGit, AsyncServerConfig
    from .resources.sandboxes import AsyncSandboxes, AsyncSandboxSpecs
    from .resources.settings import AsyncSecrets, AsyncSettingsResource
    from .resources.skills import AsyncSkills
    from .resources.start_tasks import AsyncStartTasks
    from .resources.users import AsyncUsers


class AsyncOpenHands(AsyncClientBase):
    """Client for the OpenHands app-server V1 API (the hosted Cloud, or a self-hosted server).

    The API key comes from ``api_key``, else ``OPENHANDS_API_KEY``, ``OPENHANDS_CLOUD_API_KEY``,
    ``OH_API_KEY``; the base URL from ``base_url``, else ``OPENHANDS_BASE_URL``,
    ``OPENHANDS_APP_BASE``; then a stored profile (``profile=``, else ``OHCTL_PROFILE``, else the
    default one ``ohctl auth login`` saved; a profile's key is used only with its own server URL);
    else the hosted Cloud. ``auth="session-key"`` sends the key as ``X-Session-API-Key`` (a
    self-hosted server started with ``SESSION_API_KEY``). ``org`` (else ``OHCTL_ORG``) is the hosted
    Cloud organization every request acts in, sent as ``X-Org-Id``; ``client.cloud`` holds the routes
    only the hosted Cloud has.
    """

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
        org: str | None = None,
    ) -> None:
        self.config: ClientConfig = resolve(
            api_key=api_key, base_url=base_url, auth=auth, allow_insecure=allow_insecure, profile=profile, org=org
        )
        options = RequestOptions(
            timeout=as_timeout(timeout), max_retries=max_retries, headers=org_headers(self.config.org)
        )
        self._http = AsyncHTTP(self.config, http_client=http_client, sleep=sleep, options=options)

    # Each made on first use (see ``resource``).
    conversations: resource[AsyncConversations] = resource(".resources.conversations", "AsyncConversations")
    start_tasks: resource[AsyncStartTasks] = resource(".resources.start_tasks", "AsyncStartTasks")
    events: resource[AsyncEvents] = resource(".resources.events", "AsyncEvents")
    sandboxes: resource[AsyncSandboxes] = resource(".resources.sandboxes", "AsyncSandboxes")
    sandbox_specs: resource[AsyncSandboxSpecs] = resource(".resources.sandboxes", "AsyncSandboxSpecs")
    users: resource[AsyncUsers] = resource(".resources.users", "AsyncUsers")
    settings: resource[AsyncSettingsResource] = resource(".resources.settings", "AsyncSettingsResource")
    secrets: resource[AsyncSecrets] = resource(".resources.settings", "AsyncSecrets")
    skills: resource[AsyncSkills] = resource(".resources.skills", "AsyncSkills")
    git: resource[AsyncGit] = resource(".resources.git", "AsyncGit")
    server_config: resource[AsyncServerConfig] = resource(".resources.git", "AsyncServerConfig")
    cloud: resource[AsyncCloud] = resource(".cloud", "AsyncCloud")  # the hosted Cloud's own routes
