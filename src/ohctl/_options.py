"""Per-client request options: what ``with_options`` changes and what each request starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from ._config import DEFAULT_TIMEOUT
from ._errors import InvalidArgumentError

Timeout = float | httpx.Timeout | None
# The hosted Cloud reads the organization a request acts in from this header (its OpenAPI document).
ORG_HEADER = "X-Org-Id"


def org_headers(org: str | None) -> dict[str, str]:
    """The header choosing organization ``org`` (none for None or "")."""
    return {ORG_HEADER: org} if org else {}


def as_timeout(timeout: Timeout, default: httpx.Timeout = DEFAULT_TIMEOUT) -> httpx.Timeout:
    """Seconds for the whole request (connecting within at most 10 s), an ``httpx.Timeout``, or the default."""
    if timeout is None:
        return default
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout <= 0:
        raise InvalidArgumentError(f"timeout must be a positive number of seconds, not {timeout!r}")
    return httpx.Timeout(timeout, connect=min(timeout, 10.0))


@dataclass(frozen=True)
class RequestOptions:
    """Timeout, retry count, and extra headers and query parameters for every request a client sends.

    Extra headers go only to the client's own server (never to another origin); debug logs never
    show headers.
    """

    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    max_retries: int = 2
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise InvalidArgumentError(f"max_retries must be 0 or more, not {self.max_retries!r}")

    @property
    def org(self) -> str | None:
        """The organization every request names in ``X-Org-Id`` (None: the key's or user's own)."""
        return next((v for k, v in self.headers.items() if k.lower() == ORG_HEADER.lower()), None)

    def merged(
        self,
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        org: str | None = None,
    ) -> RequestOptions:
        """A copy with these changes; headers and params are added to (and override) the current ones.
        ``org`` replaces the organization header (``""`` removes it; None keeps it)."""
        merged_headers = {**self.headers, **(headers or {})}
        if org is not None:
            merged_headers = {k: v for k, v in merged_headers.items() if k.lower() != ORG_HEADER.lower()}
            merged_headers.update(org_headers(org))
        return replace(
            self,
            timeout=as_timeout(timeout, self.timeout),
            max_retries=self.max_retries if max_retries is None else max_retries,
            headers=merged_headers,
            params={**self.params, **(params or {})},
        )
