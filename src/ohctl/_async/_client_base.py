"""What the app-server and agent-server clients share: their request options and ``with_options``."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import httpx
from typing_extensions import Self

from .._config import check_org
from .._options import RequestOptions
from ._http import AsyncHTTP


class AsyncClientBase:
    _http: AsyncHTTP

    def _bind_resources(self) -> None:
        """Create the resource objects (``client.conversations`` ...) over ``self._http``."""
        raise NotImplementedError

    @property
    def options(self) -> RequestOptions:
        """The timeout, retry count and extra headers/params every request of this client uses."""
        return self._http.options

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        org: str | None = None,
    ) -> Self:
        """A client with these request options that shares this one's connection pool, key (and, for an
        agent server, default conversation), e.g. ``client.with_options(timeout=5, max_retries=0)``.
        Closing it does not close this client. ``org`` chooses the hosted Cloud organization sent as
        ``X-Org-Id`` (``""``: none)."""
        twin = copy.copy(self)
        twin._http = self._http.derive(
            self._http.options.merged(
                timeout=timeout,
                max_retries=max_retries,
                headers=headers,
                params=params,
                org=check_org(org) if org else org,
            )
        )
        twin._bind_resources()
        return twin
