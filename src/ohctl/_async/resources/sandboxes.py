from __future__ import annotations

from collections.abc import Iterable

from ..._errors import ResourceNotFoundError, SandboxFailedError, WaitTimeoutError
from ..._wait_logic import FAILED_SANDBOX, Poll
from ...types.sandboxes import Sandbox, SandboxSpec, SandboxStatus
from .._pagination import AsyncPager
from ..agent.client import AsyncAgentServer
from ._base import AsyncResource, chunks, parse_list

PATH = "/api/v1/sandboxes"
SPEC_PATH = "/api/v1/sandbox-specs"
MAX_IDS = 100


def sandbox_id(value: str | Sandbox) -> str:
    return value.id if isinstance(value, Sandbox) else str(value)


class AsyncSandboxes(AsyncResource):
    async def create(self, *, sandbox_spec_id: str | None = None) -> Sandbox:
        """Start a new sandbox. Not retried unless the request provably never reached the server."""
        data = await self._http.request("POST", PATH, params={"sandbox_spec_id": sandbox_spec_id}, idempotent=False)
        return Sandbox.model_validate(data)

    def search(self, *, page_size: int | None = None, limit: int | None = None) -> AsyncPager[Sandbox]:
        return AsyncPager(self._http, PATH + "/search", {}, Sandbox.model_validate, page_size=page_size, limit=limit)

    async def get(self, ids: Iterable[str | Sandbox]) -> list[Sandbox | None]:
        wanted = [sandbox_id(i) for i in ids]
        out: list[Sandbox | None] = []
        for part in chunks(wanted, MAX_IDS):
            data = await self._http.request("GET", PATH, params={"id": list(part)})
            out.extend(parse_list(data, Sandbox.model_validate))
        return out

    async def retrieve(self, sandbox: str | Sandbox) -> Sandbox:
        [found] = await self.get([sandbox])
        if found is None:
            raise ResourceNotFoundError(
                f"Sandbox {sandbox_id(sandbox)} not found", resource="sandbox", id=str(sandbox_id(sandbox))
            )
        return found

    async def pause(self, sandbox: str | Sandbox) -> bool:
        data = await self._http.request("POST", f"{PATH}/{sandbox_id(sandbox)}/pause", idempotent=True)
        return bool(data.get("success"))

    async def resume(self, sandbox: str | Sandbox) -> bool:
        data = await self._http.request("POST", f"{PATH}/{sandbox_id(sandbox)}/resume", idempotent=True)
        return bool(data.get("success"))

    async def delete(self, sandbox: str | Sandbox) -> bool:
        sid = sandbox_id(sandbox)
        # The server reads the id from the query (the path segment is ignored): send both.
        data = await self._http.request("DELETE", f"{PATH}/{sid}", params={"sandbox_id": sid})
        return bool(data.get("success"))

    async def wait(
        self,
        sandbox: str | Sandbox,
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

    async def agent(self, sandbox: str | Sandbox) -> AsyncAgentServer:
        """A client for the sandbox's agent server; SandboxNotRunningError unless it is RUNNING."""
        from ..agent.handoff import sandbox_agent

        return await sandbox_agent(self._client, sandbox)

    async def ensure_running(self, sandbox: str | Sandbox, *, timeout: float | None = 180.0) -> AsyncAgentServer:
        """Resume a PAUSED sandbox, wait until RUNNING and its agent server answers, and return a
        client built from the fresh URL and session key. ERROR or MISSING raise SandboxFailedError."""
        from ..agent.handoff import ensure_sandbox_running

        return await ensure_sandbox_running(self._client, sandbox, timeout=timeout)


class AsyncSandboxSpecs(AsyncResource):
    def search(self, *, page_size: int | None = None, limit: int | None = None) -> AsyncPager[SandboxSpec]:
        return AsyncPager(
            self._http, SPEC_PATH + "/search", {}, SandboxSpec.model_validate, page_size=page_size, limit=limit
        )

    async def get(self, ids: Iterable[str]) -> list[SandboxSpec | None]:
        out: list[SandboxSpec | None] = []
        for part in chunks(list(ids), MAX_IDS):
            data = await self._http.request("GET", SPEC_PATH, params={"id": list(part)})
            out.extend(parse_list(data, SandboxSpec.model_validate))
        return out

    async def retrieve(self, spec_id: str) -> SandboxSpec:
        [found] = await self.get([spec_id])
        if found is None:
            raise ResourceNotFoundError(f"Sandbox spec {spec_id} not found", resource="sandbox spec", id=str(spec_id))
        return found
