"""Iterating every event of a long conversation: ohctl's lazy pager against raw paging.

The stub serves realistic events (messages, actions, observations, state updates) 100 per page.
Contenders, each in a fresh process (peak RSS is that process's VmHWM):
- ``raw``: an ``httpx.Client`` loop over the pages with ``json.loads`` only (the baseline);
- ``naive``: the usual script: ``requests`` in a loop, every event kept in one list;
- ``ohctl``: ``client.events.search(cid)`` iterated to the end (typed events);
- ``raw-async`` / ``ohctl-async``: the same with ``httpx.AsyncClient`` and ``AsyncOpenHands``.
Goals: ohctl <= 1.10x raw and faster than naive; peak RSS flat (<= 60 MB) at any size.

    .venv/bin/python bench/events_iter.py [--rounds 7] [--events 10000 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

PATH = "/api/v1/conversation/{cid}/events/search"


def conversation_id(events: int) -> str:
    return f"00000000-0000-4000-8000-{events:012d}"


def run_worker(name: str, base_url: str, events: int) -> None:
    import httpx
    import requests

    import ohctl

    # Before the clock: the lazy package, and the event models' validators (built on first use; the
    # one-time cost is part of the first call, not of iterating).
    with ohctl.OpenHands(api_key="k", base_url=base_url) as warm:
        list(warm.events.search(conversation_id(100), limit=100))
    httpx.get(base_url + PATH.format(cid=conversation_id(100)), params={"limit": 100}).raise_for_status()
    cid = conversation_id(events)
    h.settle()
    start = time.perf_counter()  # imports are measured apart (bench/import_time.py)
    if name == "raw":
        count, page_id = 0, None
        with httpx.Client(base_url=base_url, headers={"Authorization": "Bearer k"}) as raw:
            while True:
                params = {"limit": 100} | ({"page_id": page_id} if page_id else {})
                page = json.loads(raw.get(PATH.format(cid=cid), params=params).raise_for_status().content)
                for _item in page["items"]:
                    count += 1
                page_id = page["next_page_id"]
                if not page_id:
                    break
    elif name == "naive":
        everything: list[dict[str, object]] = []
        page_id = None
        with requests.Session() as session:
            while True:
                params: dict[str, object] = {"limit": 100}
                if page_id:
                    params["page_id"] = page_id
                response = session.get(base_url + PATH.format(cid=cid), params=params, headers={"Authorization": "k"})
                response.raise_for_status()
                page = response.json()
                everything.extend(page["items"])
                page_id = page["next_page_id"]
                if not page_id:
                    break
        count = len(everything)
    elif name == "ohctl":
        with ohctl.OpenHands(api_key="k", base_url=base_url) as client:
            count = sum(1 for _event in client.events.search(cid))
    elif name == "raw-async":

        async def raw_pages() -> int:
            count, page_id = 0, None
            async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": "Bearer k"}) as raw:
                while True:
                    params = {"limit": 100} | ({"page_id": page_id} if page_id else {})
                    response = (await raw.get(PATH.format(cid=cid), params=params)).raise_for_status()
                    page = json.loads(response.content)
                    for _item in page["items"]:
                        count += 1
                    page_id = page["next_page_id"]
                    if not page_id:
                        return count

        count = asyncio.run(raw_pages())
    elif name == "ohctl-async":

        async def iterate() -> int:
            async with ohctl.AsyncOpenHands(api_key="k", base_url=base_url) as client:
                return sum([1 async for _event in client.events.search(cid)])

        count = asyncio.run(iterate())
    else:
        raise SystemExit(f"unknown contender {name}")
    seconds = time.perf_counter() - start
    if count != events:
        raise SystemExit(f"{name} saw {count} events, not {events}")
    h.emit({"seconds": seconds, "events": count})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--base-url")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--events", type=int, nargs="+", default=[10000, 50000])
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.base_url, args.events[0])
        return
    with h.stub_server() as base_url:
        for events in args.events:
            extra = ["--base-url", base_url, "--events", str(events)]
            h.worker(__file__, "raw", *extra)  # fills the stub's page cache: no contender pays for it
            for group, baseline in ((["raw", "naive", "ohctl"], "raw"), (["raw-async", "ohctl-async"], "raw-async")):
                samples = h.interleaved(group, args.rounds, lambda n, extra=extra: h.worker(__file__, n, *extra))
                suffix = "_async" if baseline == "raw-async" else ""
                h.report(f"events_iter_{events // 1000}k{suffix}", samples, baseline, {"events": events})


if __name__ == "__main__":
    main()
