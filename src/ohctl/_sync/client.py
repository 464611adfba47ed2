# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""The app-server client. ``AsyncOpenHands`` is the source; ``OpenHands`` is generated from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._backend import Sleep
from .._config import AuthScheme, ClientConfig, resolve
from .._options import RequestOptions, as_timeout, org_headers
from ._client_base import ClientBase, resource
from ._http import HTTP

if TYPE_CHECKING:
    from .cloud import Cloud
    from .resources.conversations import Conversations
    from .resources.events import Events
    from .resources.git import Git, ServerConfig
    from .resources.sandboxes import Sandboxes, SandboxSpecs
    from .resources.settings import Secrets, SettingsResource
    from .resources.skills import Skills
    from .resources.start_tasks import StartTasks
    from .resources.users import Users


class OpenHands(ClientBase):
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
        sleep: Sleep | None = None,
        profile: str | None = None,
        org: str | None = None,
    ) -> None:
        self.config: ClientConfig = resolve(
            api_key=api_key, base_url=base_url, auth=auth, allow_insecure=allow_insecure, profile=profile, org=org
        )
        options = RequestOptions(
            timeout=as_timeout(timeout), max_retries=max_retries, headers=org_headers(self.config.org)
        )
        self._http = HTTP(self.config, http_client=http_client, sleep=sleep, options=options)

    # Each made on first use (see ``resource``).
    conversations: resource[Conversations] = resource(".resources.conversations", "Conversations")
    start_tasks: resource[StartTasks] = resource(".resources.start_tasks", "StartTasks")
    events: resource[Events] = resource(".resources.events", "Events")
    sandboxes: resource[Sandboxes] = resource(".resources.sandboxes", "Sandboxes")
    sandbox_specs: resource[SandboxSpecs] = resource(".resources.sandboxes", "SandboxSpecs")
    users: resource[Users] = resource(".resources.users", "Users")
    settings: resource[SettingsResource] = resource(".resources.settings", "SettingsResource")
    secrets: resource[Secrets] = resource(".resources.settings", "Secrets")
    skills: resource[Skills] = resource(".resources.skills", "Skills")
    git: resource[Git] = resource(".resources.git", "Git")
    server_config: resource[ServerConfig] = resource(".resources.git", "ServerConfig")
    cloud: resource[Cloud] = resource(".cloud", "Cloud")  # the hosted Cloud's own routes
