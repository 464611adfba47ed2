from __future__ import annotations

from collections.abc import Iterable

from ..._errors import ResourceNotFoundError, SandboxFailedError, WaitTimeoutError
from ..._ids import MAX_SANDBOX_IDS, MAX_SANDBOX_SPEC_IDS, SandboxRef, chunked, many, sandbox_id
from ..._routes import route
from ..._wait_logic import FAILED_SANDBOX, Poll
from ...types.sandboxes import Sandbox, SandboxSpec, SandboxStatus
from .._pagination import AsyncPager
from ..agent.client import AsyncAgentServer
from ._base import AsyncResource, parse_list


class AsyncSandboxes(AsyncResource):
    async def create(self, *, sandbox_spec_id: str | None = None) -> Sandbox:
        """Start a new sandbox. Not retried unless the request provably never reached the server."""
        data = await self._http.request(
            "POST", "/api/v1/sandboxes", params={"sandbox_spec_id": sandbox_spec_id}, idempotent=False
        )
        return Sandbox.model_validate(data)

    def search(self, *, page_size: int | None = None, limit: int | None = None) -> AsyncPager[Sandbox]:
        return AsyncPager(
            self._http, "/api/v1/sandboxes/search", {}, Sandbox.model_validate, page_size=page_size, limit=limit
        )

    async def get(self, ids: Iterable[SandboxRef]) -> list[Sandbox | None]:
        wanted = [sandbox_id(i) for i in many(ids, "sandbox id")]
        out: list[Sandbox | None] = []
        for part in chunked(wanted, MAX_SANDBOX_IDS):
            data = await self._http.request("GET", "/api/v1/sandboxes", params={"id": list(part)})
            out.extend(parse_list(data, Sandbox.model_validate))
        return out

    async def retrieve(self, sandbox: SandboxRef) -> Sandbox:
        [found] = await self.get([sandbox])
        if found is None:
            raise ResourceNotFoundError(
                f"Sandbox {sandbox_id(sandbox)} not found", resource="sandbox", id=str(sandbox_id(sandbox))
            )
        return found

    async def pause(self, sandbox: SandboxRef) -> bool:
        data = await self._http.request(
            "POST", route("/api/v1/sandboxes/{sandbox_id}/pause", sandbox_id=sandbox_id(sandbox)), idempotent=True
        )
        return bool(data.get("success"))

    async def resume(self, sandbox: SandboxRef) -> bool:
        data = await self._http.request(
            "POST", route("/api/v1/sandboxes/{sandbox_id}/resume", sandbox_id=sandbox_id(sandbox)), idempotent=True
        )
        return bool(data.get("success"))

    async def delete(self, sandbox: SandboxRef) -> bool:
        sid = sandbox_id(sandbox)
        # The server reads the id from the query (the path segment is ignored): send both.
        data = await self._http.request("DELETE", route("/api/v1/sandboxes/{id}", id=sid), params={"sandbox_id": sid})
        return bool(data.get("success"))

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
            data = await self._http.request("GET", "/api/v1/sandbox-specs", params={"id": list(part)})
            out.extend(parse_list(data, SandboxSpec.model_validate))
        return out

    async def retrieve(self, spec_id: str) -> SandboxSpec:
        [found] = await self.get([spec_id])
        if found is None:
            raise ResourceNotFoundError(f"Sandbox spec {spec_id} not found", resource="sandbox spec", id=str(spec_id))
        return found
