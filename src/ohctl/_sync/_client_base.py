# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""What the app-server and agent-server clients share: their request options and ``with_options``."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, overload

import httpx
from typing_extensions import Self

from .._config import check_org
from .._options import RequestOptions
from ._http import SyncHTTP

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


class SyncClientBase:
    _http: SyncHTTP

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
