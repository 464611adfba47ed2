# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..._backend import sync_gather_parts
from ..._errors import ResourceNotFoundError
from ..._ids import MAX_START_TASK_IDS, ConversationRef, StartTaskId, StartTaskRef, chunked, many, start_task_id
from ..._ids import conversation_id as to_conversation_id
from ..._parse import count, nullable_list
from ...types.conversations import StartTask
from .._pagination import Pager
from ..lib.waiting import wait_start_task
from ._base import Resource


class StartTasks(Resource):
    """Start tasks: the asynchronous starts of conversations (their ids are not conversation ids)."""

    def get(self, ids: Iterable[StartTaskRef]) -> list[StartTask | None]:
        """Batch get, in the order asked, with None for unknown ids (any number of ids)."""
        wanted = [start_task_id(i) for i in many(ids, "start-task id")]

        def fetch(part: Sequence[StartTaskId]) -> list[StartTask | None]:
            return self._http.request(
                "GET",
                "/api/v1/app-conversations/start-tasks",
                params={"ids": list(part)},
                parse=nullable_list(StartTask.model_validate, len(part)),
            )

        return sync_gather_parts(list(chunked(wanted, MAX_START_TASK_IDS)), fetch)

    def retrieve(self, task_id: StartTaskRef) -> StartTask:
        [task] = self.get([task_id])
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
    ) -> Pager[StartTask]:
        """``sort_order``: CREATED_AT, CREATED_AT_DESC (default), UPDATED_AT, UPDATED_AT_DESC."""
        params: dict[str, Any] = {
            "conversation_id__eq": to_conversation_id(conversation_id) if conversation_id else None,
            "created_at__gte": created_after,
            "sort_order": sort_order,
        }
        return Pager(
            self._http,
            "/api/v1/app-conversations/start-tasks/search",
            params,
            StartTask.model_validate,
            page_size=page_size,
            limit=limit,
        )

    def count(self, *, conversation_id: ConversationRef | None = None, created_after: datetime | None = None) -> int:
        params = {
            "conversation_id__eq": to_conversation_id(conversation_id) if conversation_id else None,
            "created_at__gte": created_after,
        }
        return self._http.request("GET", "/api/v1/app-conversations/start-tasks/count", params=params, parse=count)

    def wait(self, task_id: StartTaskRef, *, timeout: float | None = 300.0, poll_interval: float = 1.0) -> StartTask:
        """Follow a start task to READY. Raises StartTaskFailedError on ERROR (with the server's
        ``detail``) and WaitTimeoutError with the last status seen."""
        return wait_start_task(self._client, start_task_id(task_id), timeout=timeout, poll_interval=poll_interval)
