"""Whether a server serves the V0 API: one cheap read of ``GET /api/conversations``."""

from __future__ import annotations

from ..._errors import APIStatusError, UnexpectedResponseError
from .._http import AsyncHTTP


async def serves_v0(http: AsyncHTTP) -> bool:
    """True when ``/api/conversations`` answers like V0 (a result set, or refuses the key: the route
    exists); False for a 404, a 405 or a web page (the hosted Cloud answers unknown paths with its app)."""
    try:
        data = await http.request("GET", "/api/conversations", params={"limit": 1}, retries=0)
    except APIStatusError as exc:
        if exc.status_code in (401, 403):
            return True
        if exc.status_code in (404, 405, 501):
            return False
        raise
    except UnexpectedResponseError:
        return False
    return isinstance(data, dict) and "results" in data
