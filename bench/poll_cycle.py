"""One poll cycle over 500 conversations: ``conversations.poll(ids)`` against raw batch gets.

The baseline sends the same batch gets (99 ids each) with ``httpx`` and ``json.loads`` in turn
(``raw``), or all at once with ``httpx.AsyncClient`` (``raw-async``); ohctl's poll also classifies
every conversation (done, failed, needs input, still going). Each run does 20 cycles after one
warm-up; the stub answers every id as a running conversation. Requests per cycle are counted.
Goals: <= 1.2x raw; the async client sends its batches concurrently (<= 1.2x raw-async).

    .venv/bin/python bench/poll_cycle.py [--rounds 7] [--conversations 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

CYCLES = 20


def run_worker(name: str, base_url: str, count: int) -> None:
    import httpx

    import ohctl

    ids = [uuid.UUID(int=i + 1).hex for i in range(count)]
    # Before the clock, in every contender alike (as in events_iter.py): ohctl's client and models
    # loaded and one poll made, so each process holds the same modules and the measure compares the
    # work of a poll (imports are measured by bench/import_time.py).
    with ohctl.OpenHands(api_key="k", base_url=base_url) as warm:
        warm.conversations.poll(ids[:99])
    parts = [ids[i : i + 99] for i in range(0, len(ids), 99)]
    requests = 0

    def counted(request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    async def acounted(request: httpx.Request) -> None:
        counted(request)

    if name == "raw":
        with httpx.Client(base_url=base_url, event_hooks={"request": [counted]}) as raw:

            def cycle() -> int:
                found = [json.loads(raw.get("/api/v1/app-conversations", params={"ids": p}).content) for p in parts]
                return sum(len(f) for f in found)

            seconds = timed(cycle)
    elif name == "ohctl":
        http = httpx.Client(event_hooks={"request": [counted]})
        with ohctl.OpenHands(api_key="k", base_url=base_url, http_client=http) as client:
            seconds = timed(lambda: len(client.conversations.poll(ids)))
    elif name == "raw-async":

        async def raw_async() -> float:
            async with httpx.AsyncClient(base_url=base_url, event_hooks={"request": [acounted]}) as raw:

                async def cycle() -> int:
                    answers = await asyncio.gather(
                        *(raw.get("/api/v1/app-conversations", params={"ids": p}) for p in parts)
                    )
                    return sum(len(json.loads(a.content)) for a in answers)

                return await atimed(cycle)

        seconds = asyncio.run(raw_async())
    elif name == "ohctl-async":

        async def ohctl_async() -> float:
            http = httpx.AsyncClient(event_hooks={"request": [acounted]})
            async with ohctl.AsyncOpenHands(api_key="k", base_url=base_url, http_client=http) as client:

                async def cycle() -> int:
                    return len(await client.conversations.poll(ids))

                return await atimed(cycle)

        seconds = asyncio.run(ohctl_async())
    else:
        raise SystemExit(f"unknown contender {name}")
    h.emit({"seconds": seconds, "requests_per_cycle": requests / (CYCLES + 1)})


def timed(cycle: object) -> float:
    assert cycle() > 0  # type: ignore[operator]
    h.settle()
    start = time.perf_counter()
    for _ in range(CYCLES):
        cycle()  # type: ignore[operator]
    return time.perf_counter() - start


async def atimed(cycle: object) -> float:
    assert await cycle() > 0  # type: ignore[operator]
    h.settle()
    start = time.perf_counter()
    for _ in range(CYCLES):
        await cycle()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--base-url")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--conversations", type=int, default=500)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.base_url, args.conversations)
        return
    extra = ["--base-url", "", "--conversations", str(args.conversations)]
    with h.stub_server() as base_url:
        extra[1] = base_url
        for pair in (["raw", "ohctl"], ["raw-async", "ohctl-async"]):
            samples = h.interleaved(pair, args.rounds, lambda n: h.worker(__file__, n, *extra))
            calls = {n: runs[0]["requests_per_cycle"] for n, runs in samples.items()}
            print(f"requests per cycle: {calls}")
            h.report(
                f"poll_cycle{'_async' if 'async' in pair[0] else ''}",
                samples,
                pair[0],
                {"conversations": args.conversations, "cycles": CYCLES, "requests_per_cycle": calls},
            )


if __name__ == "__main__":
    main()
