"""One small GET (``users.me``) through ohctl against raw httpx on the same stub server.

The baseline is a plain ``httpx.Client`` sending the same request with the same headers and decoding
the JSON; ohctl adds its pipeline (auth, origin check, retries policy, error mapping) and the model.
Goal: ohctl <= 1.05x raw httpx, sync and async.

    .venv/bin/python bench/small_get.py [--rounds 7] [--calls 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

HEADERS = {"Authorization": "Bearer bench-key", "Accept": "application/json", "User-Agent": "bench"}


def run_worker(name: str, base_url: str, calls: int) -> None:
    import httpx

    import ohctl

    if name == "httpx":
        with httpx.Client(base_url=base_url, headers=HEADERS) as raw:

            def one() -> None:
                raw.get("/api/v1/users/me").raise_for_status().json()

            measure(one, calls)
    elif name == "ohctl":
        with ohctl.OpenHands(api_key="bench-key", base_url=base_url) as client:
            measure(client.users.me, calls)
    elif name == "httpx-async":

        async def raw_async() -> None:
            async with httpx.AsyncClient(base_url=base_url, headers=HEADERS) as raw:

                async def one() -> None:
                    (await raw.get("/api/v1/users/me")).raise_for_status().json()

                await ameasure(one, calls)

        asyncio.run(raw_async())
    elif name == "ohctl-async":

        async def ohctl_async() -> None:
            async with ohctl.AsyncOpenHands(api_key="bench-key", base_url=base_url) as client:
                await ameasure(client.users.me, calls)

        asyncio.run(ohctl_async())


def measure(call: object, calls: int) -> None:
    for _ in range(50):
        call()  # type: ignore[operator]
    h.settle()
    start = time.perf_counter()
    for _ in range(calls):
        call()  # type: ignore[operator]
    h.emit({"seconds": time.perf_counter() - start, "calls": calls})


async def ameasure(call: object, calls: int) -> None:
    for _ in range(50):
        await call()  # type: ignore[operator]
    h.settle()
    start = time.perf_counter()
    for _ in range(calls):
        await call()  # type: ignore[operator]
    h.emit({"seconds": time.perf_counter() - start, "calls": calls})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--base-url")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.base_url, args.calls)
        return
    with h.stub_server() as base_url:
        for pair in (["httpx", "ohctl"], ["httpx-async", "ohctl-async"]):
            samples = h.interleaved(
                pair, args.rounds, lambda n: h.worker(__file__, n, "--base-url", base_url, "--calls", str(args.calls))
            )
            h.report(f"small_get{'_async' if 'async' in pair[0] else ''}", samples, pair[0], {"calls": args.calls})


if __name__ == "__main__":
    main()
