# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""The request pipeline of the V0 client: the SDK's own (auth, retries, deadlines, errors), plus one
translation: a server without the V0 API (FastAPI's bare 404 for an unknown route, or the hosted
Cloud's web page for an unknown path) raises ``LegacyUnavailableError`` naming the V1 replacement."""

from __future__ import annotations

from typing import Any

import httpx

from ..._errors import NotFoundError
from ..._legacy_errors import LegacyUnavailableError, is_missing_route
from ..._options import RequestOptions
from .._http import HTTP


class LegacyHTTP(HTTP):
    def derive(self, options: RequestOptions) -> LegacyHTTP:
        return LegacyHTTP(self.config, http_client=self.client, sleep=self.sleep, options=options)

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = super().send(method, path, **kwargs)
        except NotFoundError as exc:
            if is_missing_route(exc.body):
                raise LegacyUnavailableError(method, httpx.URL(self.url(path)).path, cause=exc) from exc
            raise
        if response.headers.get("content-type", "").startswith("text/html"):
            # No V0 route answers HTML: this is the hosted Cloud's web app answering an unknown path.
            response.close()
            raise LegacyUnavailableError(method, response.request.url.path, cause=None)
        return response
