"""A batch runner that kills itself (SIGKILL) at a chosen point, for the kill -9 tests.

    python -m tests.support.batch_runner LEDGER BASE_URL [TASKS.jsonl] [--die-after-start N | --die-before-start N]

``--die-after-start N``: on the answer to this run's N-th start request (the server created the
conversation, the ledger still says ``starting``). ``--die-before-start N``: as the N-th start request
is about to be sent (the ledger says ``starting``, the server never saw it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from collections.abc import Callable
from typing import Any

import httpx

import ohctl
from ohctl.batch import AsyncBatch, parse_jsonl


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument("base_url")
    parser.add_argument("tasks", nargs="?")
    parser.add_argument("--die-after-start", type=int, default=0)
    parser.add_argument("--die-before-start", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    starts = {"sent": 0, "answered": 0}

    def is_start(request: httpx.Request) -> bool:
        return request.method == "POST" and request.url.path.rstrip("/") == "/api/v1/app-conversations"

    async def on_request(request: httpx.Request) -> None:
        if is_start(request):
            starts["sent"] += 1
            if starts["sent"] == args.die_before_start:
                os.kill(os.getpid(), signal.SIGKILL)

    async def on_response(response: httpx.Response) -> None:
        if is_start(response.request):
            starts["answered"] += 1
            if starts["answered"] == args.die_after_start:
                await response.aread()
                os.kill(os.getpid(), signal.SIGKILL)

    async def run() -> None:
        hooks: dict[str, list[Callable[..., Any]]] = {"request": [on_request], "response": [on_response]}
        async with httpx.AsyncClient(event_hooks=hooks, timeout=60) as http:
            async with ohctl.AsyncOpenHands(base_url=args.base_url, http_client=http, max_retries=4) as client:
                tasks = None
                if args.tasks:
                    with open(args.tasks, encoding="utf-8") as handle:
                        tasks = parse_jsonl(handle)
                batch = AsyncBatch(
                    client,
                    args.ledger,
                    tasks,
                    concurrency=args.concurrency,
                    poll_interval=0.5,
                    start_timeout=20,
                    max_starting=1,
                )
                async for result in batch.run():
                    print(result.key, result.state, flush=True)
                batch.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
