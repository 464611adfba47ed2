# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""The app-server client. ``AsyncOpenHands`` is the source; ``OpenHands`` is generated from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._backend import SyncSleep
from .._config import AuthScheme, ClientConfig, resolve
from .._options import RequestOptions, as_timeout, org_headers
from ._client_base import SyncClientBase, resource
from ._http import SyncHTTP

if TYPE_CHECKING:
    from .cloud import SyncCloud
    from .resources.conversations import SyncConversations
    from .resources.events import SyncEvents
    from .resources.git import SyncGit, SyncServerConfig
    from .resources.sandboxes import SyncSandboxes, SyncSandboxSpecs
    from .resources.settings import SyncSecrets, SyncSettings
    from .resources.skills import SyncSkills
    from .resources.start_tasks import SyncStartTasks
    from .resources.users import SyncUsers


class OpenHands(SyncClientBase):
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
        http_client: httpx.Client | None = None,
        auth: AuthScheme | None = None,
        allow_insecure: bool = False,
        sleep: SyncSleep | None = None,
        profile: str | None = None,
        org: str | None = None,
    ) -> None:
        self.config: ClientConfig = resolve(
            api_key=api_key, base_url=base_url, auth=auth, allow_insecure=allow_insecure, profile=profile, org=org
        )
        options = RequestOptions(
            timeout=as_timeout(timeout), max_retries=max_retries, headers=org_headers(self.config.org)
        )
        self._http = SyncHTTP(self.config, http_client=http_client, sleep=sleep, options=options)

    # Each made on first use (see ``resource``).
    conversations: resource[SyncConversations] = resource(".resources.conversations", "SyncConversations")
    start_tasks: resource[SyncStartTasks] = resource(".resources.start_tasks", "SyncStartTasks")
    events: resource[SyncEvents] = resource(".resources.events", "SyncEvents")
    sandboxes: resource[SyncSandboxes] = resource(".resources.sandboxes", "SyncSandboxes")
    sandbox_specs: resource[SyncSandboxSpecs] = resource(".resources.sandboxes", "SyncSandboxSpecs")
    users: resource[SyncUsers] = resource(".resources.users", "SyncUsers")
    settings: resource[SyncSettings] = resource(".resources.settings", "SyncSettings")
    secrets: resource[SyncSecrets] = resource(".resources.settings", "SyncSecrets")
    skills: resource[SyncSkills] = resource(".resources.skills", "SyncSkills")
    git: resource[SyncGit] = resource(".resources.git", "SyncGit")
    server_config: resource[SyncServerConfig] = resource(".resources.git", "SyncServerConfig")
    cloud: resource[SyncCloud] = resource(".cloud", "SyncCloud")  # the hosted Cloud's own routes
