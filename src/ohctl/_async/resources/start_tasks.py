from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..._backend import async_gather_parts
from ..._errors import ResourceNotFoundError
from ..._ids import MAX_START_TASK_IDS, ConversationRef, StartTaskId, StartTaskRef, chunked, many, start_task_id
from ..._ids import conversation_id as to_conversation_id
from ..._parse import count, nullable_list
from ...types.conversations import StartTask
from .._pagination import AsyncPager
from ..lib.waiting import wait_start_task
from ._base import AsyncResource


class AsyncStartTasks(AsyncResource):
    """Start tasks: the asynchronous starts of conversations (their ids are not conversation ids)."""

    async def get(self, ids: Iterable[StartTaskRef]) -> list[StartTask | None]:
        """Batch get, in the order asked, with None for unknown ids (any number of ids)."""
        wanted = [start_task_id(i) for i in many(ids, "start-task id")]

        async def fetch(part: Sequence[StartTaskId]) -> list[StartTask | None]:
            return await self._http.request(
                "GET",
                "/api/v1/app-conversations/start-tasks",
                params={"ids": list(part)},
                parse=nullable_list(StartTask.model_validate, len(part)),
            )

        return await async_gather_parts(list(chunked(wanted, MAX_START_TASK_IDS)), fetch)

    async def retrieve(self, task_id: StartTaskRef) -> StartTask:
        [task] = await self.get([task_id])
        if task is None:
            tid = str(start_task_id(task_id))
            raise ResourceNotFoundError(
                f"Start task {tid} not found",
                resource="start task",
                id=tid,
                url=self._http.lookup_url("/api/v1/app-conversations/start-tasks", ids=tid),
            )
        return task

    def search(
        self,
        *,
        conversation_id: ConversationRef | None = None,
        created_after: datetime | None = None,
        sort_order: str | None = None,
        page_size: int | None = None,
        limit: int | None = None,
    ) -> AsyncPager[StartTask]:
        """``sort_order``: CREATED_AT, CREATED_AT_DESC (default), UPDATED_AT, UPDATED_AT_DESC."""
        params: dict[str, Any] = {
            "conversation_id__eq": to_conversation_id(conversation_id) if conversation_id else None,
            "created_at__gte": created_after,
            "sort_order": sort_order,
        }
        return AsyncPager(
            self._http,
            "/api/v1/app-conversations/start-tasks/search",
            params,
            StartTask.model_validate,
            page_size=page_size,
            limit=limit,
        )

    async def count(
        self, *, conversation_id: ConversationRef | None = None, created_after: datetime | None = None
    ) -> int:
        params = {
            "conversation_id__eq": to_conversation_id(conversation_id) if conversation_id else None,
            "created_at__gte": created_after,
        }
        return await self._http.request(
            "GET", "/api/v1/app-conversations/start-tasks/count", params=params, parse=count
        )

    async def wait(
        self, task_id: StartTaskRef, *, timeout: float | None = 300.0, poll_interval: float = 1.0
    ) -> StartTask:
        """Follow a start task to READY. Raises StartTaskFailedError on ERROR (with the server's
        ``detail``) and WaitTimeoutError with the last status seen."""
        return await wait_start_task(self._client, start_task_id(task_id), timeout=timeout, poll_interval=poll_interval)
