# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from ..._errors import InvalidArgumentError
from ...types.config import LLMModel, Provider
from ...types.git import Branch, Repository, SuggestedTask
from .._pagination import Pager
from ._base import Resource


def _str(item: object) -> str:
    return str(item)


class Git(Resource):
    """The linked git provider's installations, repositories, branches and suggested tasks."""

    def installations(self, provider: str, *, page_size: int | None = None, limit: int | None = None) -> Pager[str]:
        return Pager(
            self._http,
            "/api/v1/git/installations/search",
            {"provider": provider},
            _str,
            page_size=page_size,
            limit=limit,
        )

    def repositories(
        self,
        provider: str,
        *,
        query: str | None = None,
        installation_id: str | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[Repository]:
        """``sort_order`` (stars-desc, updated-asc, ...) is accepted only together with ``query``."""
        if sort_order and not query:
            raise InvalidArgumentError("sort_order needs query= (the server refuses it otherwise)")
        params = {"provider": provider, "query": query, "installation_id": installation_id, "sort_order": sort_order}
        return Pager(
            self._http,
            "/api/v1/git/repositories/search",
            params,
            Repository.model_validate,
            page_size=page_size,
            limit=limit,
        )

    def branches(
        self, provider: str, repository: str, *, query: str = "", page_size: int | None = None, limit: int | None = None
    ) -> Pager[Branch]:
        params = {"provider": provider, "repository": repository, "query": query}
        return Pager(
            self._http, "/api/v1/git/branches/search", params, Branch.model_validate, page_size=page_size, limit=limit
        )

    def suggested_tasks(self, *, page_size: int | None = None, limit: int | None = None) -> Pager[SuggestedTask]:
        return Pager(
            self._http,
            "/api/v1/git/suggested-tasks/search",
            {},
            SuggestedTask.model_validate,
            page_size=page_size,
            limit=limit,
        )


class ServerConfig(Resource):
    """The models and providers the server offers."""

    def models(
        self,
        *,
        query: str | None = None,
        verified: bool | None = None,
        provider: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[LLMModel]:
        params = {"query": query, "verified__eq": verified, "provider__eq": provider}
        return Pager(
            self._http,
            "/api/v1/config/models/search",
            params,
            LLMModel.model_validate,
            page_size=page_size,
            limit=limit,
        )

    def providers(
        self,
        *,
        query: str | None = None,
        verified: bool | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> Pager[Provider]:
        params = {"query": query, "verified__eq": verified}
        return Pager(
            self._http,
            "/api/v1/config/providers/search",
            params,
            Provider.model_validate,
            page_size=page_size,
            limit=limit,
        )
