# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Whether a server serves a route: one cheap read, classified. ``serves_v0`` asks about the V0 API;
``ohctl.connect`` asks the same way about V1 (``detect.py``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..._errors import APIStatusError, UnexpectedResponseError
from .._http import HTTP


def route_answers(
    http: HTTP, path: str, *, params: Mapping[str, Any] | None = None, looks_right: Callable[[Any], bool]
) -> bool:
    """True when ``GET path`` answers with a body ``looks_right`` accepts, or refuses the key (the route
    exists); False for a 404, a 405, a 501 or a web page (the hosted Cloud answers unknown paths with
    its app). Other failures raise."""
    try:
        data = http.request("GET", path, params=params, retries=0)
    except APIStatusError as exc:
        if exc.status_code in (401, 403):
            return True
        if exc.status_code in (404, 405, 501):
            return False
        raise
    except UnexpectedResponseError:
        return False
    return looks_right(data)


def serves_v0(http: HTTP) -> bool:
    """True when ``/api/conversations`` answers like V0 (a result set)."""
    return route_answers(
        http,
        "/api/conversations",
        params={"limit": 1},
        looks_right=lambda data: isinstance(data, dict) and "results" in data,
    )
