"""``ohctl.connect(url)``: ask the server which API it serves and return the client that fits: the V1
``OpenHands`` when it serves V1 (current servers, the hosted Cloud), else the legacy
``LegacyOpenHands`` for a V0-only server. ``aconnect`` is the same for asyncio."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._config import AuthScheme
from ._errors import ConfigurationError

if TYPE_CHECKING:
    from ._async.client import AsyncOpenHands
    from ._async.legacy.client import AsyncLegacyOpenHands
    from ._sync.client import OpenHands
    from .legacy import LegacyOpenHands
    from .types.legacy import ServerApis


def _refuse(found: ServerApis) -> ConfigurationError:
    return ConfigurationError(f"{found.base_url}: {found.advice}")


def probe(
    base_url: str | None = None, api_key: str | None = None, *, auth: AuthScheme | None = None, **kwargs: Any
) -> ServerApis:
    """Which APIs the server serves (``v1``, ``v0``) and which client to use (``client``, ``advice``)."""
    from ._sync.detect import probe as probe_server

    return probe_server(base_url, api_key, auth=auth, **kwargs)


def connect(
    base_url: str | None = None, api_key: str | None = None, *, auth: AuthScheme | None = None, **kwargs: Any
) -> OpenHands | LegacyOpenHands:
    """The client for this server: ``OpenHands`` when it serves V1, ``LegacyOpenHands`` when it serves
    only V0; ``ConfigurationError`` (saying what was found) when it serves neither. ``kwargs`` go to
    the client (``timeout``, ``max_retries``, ``allow_insecure`` ...)."""
    found = probe(
        base_url,
        api_key,
        auth=auth,
        allow_insecure=bool(kwargs.get("allow_insecure")),
        http_client=kwargs.get("http_client"),
    )
    if found.client == "OpenHands":
        from ._sync.client import OpenHands

        return OpenHands(base_url=found.base_url, api_key=api_key, auth=auth, **kwargs)
    if found.client == "LegacyOpenHands":
        from .legacy import LegacyOpenHands

        return LegacyOpenHands(base_url=found.base_url, api_key=api_key, auth=auth, **kwargs)
    raise _refuse(found)


async def aconnect(
    base_url: str | None = None, api_key: str | None = None, *, auth: AuthScheme | None = None, **kwargs: Any
) -> AsyncOpenHands | AsyncLegacyOpenHands:
    """``connect`` for asyncio: ``AsyncOpenHands`` or ``AsyncLegacyOpenHands``."""
    from ._async.detect import probe as probe_server

    found = await probe_server(
        base_url,
        api_key,
        auth=auth,
        allow_insecure=bool(kwargs.get("allow_insecure")),
        http_client=kwargs.get("http_client"),
    )
    if found.client == "OpenHands":
        from ._async.client import AsyncOpenHands

        return AsyncOpenHands(base_url=found.base_url, api_key=api_key, auth=auth, **kwargs)
    if found.client == "LegacyOpenHands":
        from ._async.legacy.client import AsyncLegacyOpenHands

        return AsyncLegacyOpenHands(base_url=found.base_url, api_key=api_key, auth=auth, **kwargs)
    raise _refuse(found)
