# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Which API a server speaks: V1 (``/api/v1/...``, what current servers and the hosted Cloud serve),
the legacy V0 (``/api/conversations``, openhands-ai 1.6.0 and older), or both (1.x servers before 1.7
served both). ``ohctl.connect(url)`` uses it to hand back the right client."""

from __future__ import annotations

import httpx

from .._config import AuthScheme, resolve
from ..types.legacy import ServerApis
from ._http import HTTP
from .legacy.probe import route_answers, serves_v0

PROBE_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


def _serves_v1(http: HTTP) -> bool:
    """True when the V1 web-client config answers (or refuses the key: the route exists)."""
    return route_answers(http, "/api/v1/web-client/config", looks_right=lambda data: isinstance(data, dict))


def probe(
    base_url: str | None = None,
    api_key: str | None = None,
    *,
    auth: AuthScheme | None = None,
    allow_insecure: bool = False,
    http_client: httpx.Client | None = None,
    profile: str | None = None,
) -> ServerApis:
    """Ask the server which APIs it serves (two GETs, no retries) and say which client fits."""
    config = resolve(api_key=api_key, base_url=base_url, auth=auth, allow_insecure=allow_insecure, profile=profile)
    http = HTTP(config, timeout=PROBE_TIMEOUT, max_retries=0, http_client=http_client)
    try:
        v1 = _serves_v1(http)
        v0 = serves_v0(http)
    finally:
        http.close()
    return ServerApis.of(config.base_url, v1=v1, v0=v0)
