from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from ..._backend import async_gather_parts
from ..._bulk import BulkPlan, BulkResult
from ..._errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidArgumentError,
    ResourceNotFoundError,
    SandboxFailedError,
    SandboxNotRunningError,
    SessionKeyError,
    WaitTimeoutError,
)
from ..._ids import MAX_SANDBOX_IDS, MAX_SANDBOX_SPEC_IDS, SandboxRef, chunked, many, sandbox_id
from ..._parse import field_list, flag, nullable_list
from ..._routes import route
from ..._wait_logic import FAILED_SANDBOX, Poll
from ...types.sandboxes import Sandbox, SandboxSpec, SandboxStatus
from ...types.secrets import SandboxSecretName
from .._pagination import AsyncPager
from ..agent.client import AsyncAgentServer
from ._base import AsyncResource


def _key_refused(exc: AuthenticationError) -> SessionKeyError:
    return SessionKeyError("Sandbox session key refused", response=exc.response, body=exc.body)


class AsyncSandboxes(AsyncResource):
    async def create(self, *, sandbox_spec_id: str | None = None) -> Sandbox:
        """Start a new sandbox. Not retried unless the request provably never reached the server."""
        return await self._http.request(
            "POST",
            "/api/v1/sandboxes",
            params={"sandbox_spec_id": sandbox_spec_id},
            idempotent=False,
            parse=Sandbox.model_validate,
            unsure="A sandbox may have been created: look with client.sandboxes.search() before creating another.",
        )

    def search(self, *, page_size: int | None = None, limit: int | None = None) -> AsyncPager[Sandbox]:
        return AsyncPager(
            self._http, "/api/v1/sandboxes/search", {}, Sandbox.model_validate, page_size=page_size, limit=limit
        )

    async def get(self, ids: Iterable[SandboxRef]) -> list[Sandbox | None]:
        wanted = [sandbox_id(i) for i in many(ids, "sandbox id")]

        async def fetch(part: Sequence[str]) -> list[Sandbox | None]:
            return await self._http.request(
                "GET",
                "/api/v1/sandboxes",
                params={"id": list(part)},
                parse=nullable_list(Sandbox.model_validate, len(part)),
            )

        return await async_gather_parts(list(chunked(wanted, MAX_SANDBOX_IDS)), fetch)

    async def retrieve(self, sandbox: SandboxRef) -> Sandbox:
        [found] = await self.get([sandbox])
        if found is None:
            sid = str(sandbox_id(sandbox))
            raise ResourceNotFoundError(
                f"Sandbox {sid} not found",
                resource="sandbox",
                id=sid,
                url=self._http.lookup_url("/api/v1/sandboxes", id=sid),
            )
        return found

    async def pause(self, sandbox: SandboxRef) -> bool:
        return await self._http.request(
            "POST",
            route("/api/v1/sandboxes/{sandbox_id}/pause", sandbox_id=sandbox_id(sandbox)),
            idempotent=True,
            parse=flag("success", default=False),
        )

    async def resume(self, sandbox: SandboxRef) -> bool:
        return await self._http.request(
            "POST",
            route("/api/v1/sandboxes/{sandbox_id}/resume", sandbox_id=sandbox_id(sandbox)),
            idempotent=True,
            parse=flag("success", default=False),
        )

    async def delete(self, sandbox: SandboxRef) -> bool:
        sid = sandbox_id(sandbox)
        # The server reads the id from the query (the path segment is ignored): send both.
        return await self._http.request(
            "DELETE",
            route("/api/v1/sandboxes/{id}", id=sid),
            params={"sandbox_id": sid},
            parse=flag("success", default=False),
        )

    async def plan_prune(self, *, idle: str | float | timedelta, delete: bool = False) -> BulkPlan:
        """A plan to pause the RUNNING sandboxes idle for ``idle`` (``"1h"``, seconds or a
        timedelta: no agent at work, no conversation updated since); ``delete=True`` deletes them,
        and the idle PAUSED ones, instead. Nothing changes until ``execute(plan)``."""
        from ..lib.bulk import plan_prune

        return await plan_prune(self._client, idle=idle, delete=delete)

    async def execute(self, plan: BulkPlan) -> BulkResult:
        """Carry out a plan from ``plan_prune`` (the same as ``conversations.execute``)."""
        from ..lib.bulk import execute_plan

        return await execute_plan(self._client, plan)

    async def wait(
        self,
        sandbox: SandboxRef,
        *,
        status: SandboxStatus | str = SandboxStatus.RUNNING,
        timeout: float | None = 180.0,
        poll_interval: float = 1.0,
    ) -> Sandbox:
        """Wait for a sandbox to reach ``status``. ERROR and MISSING end the wait with an error."""
        poll = Poll(timeout, initial=poll_interval, maximum=5.0)
        want = str(status)
        while True:
            found = await self.retrieve(sandbox)
            current = str(found.status)
            if current == want:
                return found
            if current in FAILED_SANDBOX:
                raise SandboxFailedError(f"Sandbox {found.id} is {current}; it will not run again", sandbox=found)
            if poll.expired():
                raise WaitTimeoutError(f"Sandbox {found.id} is still {current} after {poll.elapsed:.0f}s", last=found)
            await self._http.sleep(poll.next_delay())

    # -- the secrets a sandbox reads (authenticated by the sandbox's session key) --------------
    async def _session_headers(self, sandbox: SandboxRef, session_api_key: str | None) -> dict[str, str]:
        if self._http.config.auth == "session-key" and self._http.config.api_key:
            raise ConfigurationError(
                "Sandbox secrets are authenticated by the sandbox's X-Session-API-Key, which this client "
                "already uses for the server's own key (auth='session-key'): use a bearer-auth client"
            )
        if session_api_key is None:
            found = await self.retrieve(sandbox)
            if not found.session_api_key:
                raise SandboxNotRunningError(
                    f"Sandbox {found.id} is {found.status} and has no session key: resume it first", sandbox=found
                )
            session_api_key = found.session_api_key
        return {"X-Session-API-Key": session_api_key}

    async def secret_names(self, sandbox: SandboxRef, *, session_api_key: str | None = None) -> list[SandboxSecretName]:
        """The secrets the sandbox may read: the user's custom secrets and provider tokens (as
        ``github_token`` and the like), names and descriptions only.

        These routes are for the sandbox itself (its ``LookupSecret``), not for the user's API key:
        they authenticate with the sandbox's ``session_api_key`` (looked up here when not given), only
        while the sandbox is RUNNING. A wrong key raises SessionKeyError (401), another sandbox's key
        PermissionDeniedError (403). The open-source app server 1.11.0 records no owner on its
        sandboxes, so there every call answers 401 "Sandbox has no associated user" (SessionKeyError):
        the routes only work on a multi-user deployment such as the hosted Cloud."""
        headers = await self._session_headers(sandbox, session_api_key)
        try:
            return await self._http.request(
                "GET",
                route("/api/v1/sandboxes/{sandbox_id}/settings/secrets", sandbox_id=sandbox_id(sandbox)),
                headers=headers,
                parse=field_list("secrets", SandboxSecretName.model_validate),
            )
        except AuthenticationError as exc:
            raise _key_refused(exc) from None

    async def secret_value(self, sandbox: SandboxRef, name: str, *, session_api_key: str | None = None) -> str:
        """One secret's raw value as the sandbox sees it (a custom secret first, else a provider token
        resolved fresh). The server answers plain text; the value is returned, never logged.
        NotFoundError when there is no such secret. Same authentication as ``secret_names``."""
        if not name:
            raise InvalidArgumentError("Pass the secret's name")
        headers = await self._session_headers(sandbox, session_api_key)
        path = route(
            "/api/v1/sandboxes/{sandbox_id}/settings/secrets/{secret_name}",
            sandbox_id=sandbox_id(sandbox),
            secret_name=name,
        )
        try:
            response = await self._http.send("GET", path, headers=headers)
        except AuthenticationError as exc:
            raise _key_refused(exc) from None
        return response.text

    async def agent(self, sandbox: SandboxRef) -> AsyncAgentServer:
        """A client for the sandbox's agent server; SandboxNotRunningError unless it is RUNNING."""
        from ..lib.handoff import sandbox_agent

        return await sandbox_agent(self._client, sandbox)

    async def ensure_running(self, sandbox: SandboxRef, *, timeout: float | None = 180.0) -> AsyncAgentServer:
        """Resume a PAUSED sandbox, wait until RUNNING and its agent server answers, and return a
        client built from the fresh URL and session key. ERROR or MISSING raise SandboxFailedError."""
        from ..lib.handoff import ensure_sandbox_running

        return await ensure_sandbox_running(self._client, sandbox, timeout=timeout)


class AsyncSandboxSpecs(AsyncResource):
    def search(self, *, page_size: int | None = None, limit: int | None = None) -> AsyncPager[SandboxSpec]:
        return AsyncPager(
            self._http, "/api/v1/sandbox-specs/search", {}, SandboxSpec.model_validate, page_size=page_size, limit=limit
        )

    async def get(self, ids: Iterable[str]) -> list[SandboxSpec | None]:
        out: list[SandboxSpec | None] = []
        for part in chunked(many(ids, "sandbox spec id"), MAX_SANDBOX_SPEC_IDS):
            out += await self._http.request(
                "GET",
                "/api/v1/sandbox-specs",
                params={"id": list(part)},
                parse=nullable_list(SandboxSpec.model_validate, len(part)),
            )
        return out

    async def retrieve(self, spec_id: str) -> SandboxSpec:
        [found] = await self.get([spec_id])
        if found is None:
            raise ResourceNotFoundError(
                f"Sandbox spec {spec_id} not found",
                resource="sandbox spec",
                id=str(spec_id),
                url=self._http.lookup_url("/api/v1/sandbox-specs", id=str(spec_id)),
            )
        return found
