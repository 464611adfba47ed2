"""Which API a server speaks: V1 (``/api/v1/...``, what current servers and the hosted Cloud serve),
the legacy V0 (``/api/conversations``, openhands-ai 1.6.0 and older), or both (1.x servers before 1.7
served both). ``connect`` (``ohctl.connect(url)``) asks, then hands back the client that fits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .._config import AuthScheme, resolve
from .._errors import ConfigurationError
from ..types.legacy import ServerApis
from ._http import AsyncHTTP
from .legacy.probe import route_answers, serves_v0

if TYPE_CHECKING:
    from .client import AsyncOpenHands
    from .legacy.client import AsyncLegacyOpenHands

PROBE_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


async def _serves_v1(http: AsyncHTTP) -> bool:
    """True when the V1 web-client config answers (or refuses the key: the route exists)."""
    return await route_answers(http, "/api/v1/web-client/config", looks_right=lambda data: isinstance(data, dict))


async def probe(
    base_url: str | None = None,
    api_key: str | None = None,
    *,
    auth: AuthScheme | None = None,
    allow_insecure: bool = False,
    http_client: httpx.AsyncClient | None = None,
    profile: str | None = None,
) -> ServerApis:
    """Ask the server which APIs it serves (two GETs, no retries) and say which client fits."""
    config = resolve(api_key=api_key, base_url=base_url, auth=auth, allow_insecure=allow_insecure, profile=profile)
    http = AsyncHTTP(config, timeout=PROBE_TIMEOUT, max_retries=0, http_client=http_client)
    try:
        v1 = await _serves_v1(http)
        v0 = await serves_v0(http)
    finally:
        await http.aclose()
    return ServerApis.of(config.base_url, v1=v1, v0=v0)


async def connect(
    base_url: str | None = None, api_key: str | None = None, *, auth: AuthScheme | None = None, **kwargs: Any
) -> AsyncOpenHands | AsyncLegacyOpenHands:
    """The client for this server: ``OpenHands`` when it serves V1, ``LegacyOpenHands`` when it serves
    only V0 (their ``Async`` twins from ``aconnect``); ``ConfigurationError`` (saying what was found)
    when it serves neither. ``kwargs`` go to the client (``timeout``, ``max_retries``,
    ``allow_insecure`` ...)."""
    found = await probe(
        base_url,
        api_key,
        auth=auth,
        allow_insecure=bool(kwargs.get("allow_insecure")),
        http_client=kwargs.get("http_client"),
    )
    if found.client == "OpenHands":
        from .client import AsyncOpenHands

        return AsyncOpenHands(base_url=found.base_url, api_key=api_key, auth=auth, **kwargs)
    if found.client == "LegacyOpenHands":
        from .legacy.client import AsyncLegacyOpenHands

        return AsyncLegacyOpenHands(base_url=found.base_url, api_key=api_key, auth=auth, **kwargs)
    raise ConfigurationError(f"{found.base_url}: {found.advice}")
