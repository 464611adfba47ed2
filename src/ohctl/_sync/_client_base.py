# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""What the app-server and agent-server clients share: their request options and ``with_options``."""

from __future__ import annotations

import copy
import importlib
import types
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, overload

import httpx
from typing_extensions import Self

from .._config import ClientConfig, check_org
from .._options import RequestOptions
from .._redact import redact_url
from ._http import HTTP
from ._pagination import Pager, RawPager

R = TypeVar("R")


class resource(Generic[R]):  # noqa: N801 (used like a decorator-made attribute)
    """A client attribute (``client.conversations``) made on first use, its module imported then:
    a program pays only for the resources it uses, and importing the client stays light."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module  # relative to the client's own package (``_async`` or ``_sync``)
        self.name = name
        self.attr = ""

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    @overload
    def __get__(self, obj: None, owner: type) -> resource[R]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> R: ...
    def __get__(self, obj: object | None, owner: type) -> resource[R] | R:
        if obj is None:
            return self
        package = owner.__module__.rpartition(".")[0]
        made: R = getattr(importlib.import_module(self.module, package), self.name)(obj)
        obj.__dict__[self.attr] = made  # later reads find it there, not here
        return made


class ClientBase:
    """The app server's, an agent server's and a legacy V0 server's clients alike: their request
    options, the raw escape hatch, closing, and use as a context manager."""

    _http: HTTP
    config: ClientConfig

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def __repr__(self) -> str:
        key = f"from {self.config.api_key_source}" if self.config.api_key else "none"
        return f"{type(self).__name__}(base_url={redact_url(self.base_url)!r}, api_key=<{key}>)"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Raw escape hatch: any route, through the same auth, retry and error handling."""
        return self._http.request(method, path, **kwargs)

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        start_page_id: str | None = None,
    ) -> Pager[Any]:
        """Raw escape hatch for a paged route (``{items, next_page_id}``): a pager over every item of
        ``GET path`` as plain JSON, fetched one page at a time, like the typed searches. The pager
        sets ``page_id`` and ``limit`` (from ``page_size`` and ``limit``); ``params`` are the rest. An
        answer that is not such a page raises UnexpectedResponseError (``kind="shape"``)."""
        return RawPager(
            self._http, path, dict(params or {}), page_size=page_size, limit=limit, start_page_id=start_page_id
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: types.TracebackType | None
    ) -> None:
        self.close()

    def _bind_resources(self) -> None:
        """Forget the resource objects made so far (a ``with_options`` twin makes its own over its
        own ``self._http`` when first used)."""
        for klass in type(self).__mro__:
            for name, value in vars(klass).items():
                if isinstance(value, resource):
                    self.__dict__.pop(name, None)

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
