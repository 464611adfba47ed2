"""A batch of 1,000 tasks at concurrency 50 against a fast in-process stub of the app server.

The stub (``bench/batch_stub.py``) simulates each agent run for a seeded random duration (1-3 s by
default) and starts instantly, so what is measured is the runner: how close its wall time comes to
the ideal (the sum of the durations / the concurrency; also the best in-order schedule, which
includes the last wave's tail), how many requests it sends per task, how much
time its ledger commits take, its peak RSS (``VmHWM`` of a fresh process; a smaller batch in its own
process shows whether memory grows with the batch), and whether any task started twice.
Goal: <= 1.1x ideal, 0 duplicate starts, RSS flat.

    .venv/bin/python bench/batch.py [--tasks 1000] [--concurrency 50] [--poll 0.1] [--small 100]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h


def run_worker(tasks: int, concurrency: int, poll: float, low: float, high: float) -> None:
    import httpx
    from batch_stub import StubAppServer

    import ohctl
    from ohctl.batch import AsyncBatch

    rng = random.Random(7)
    durations = [rng.uniform(low, high) for _ in range(tasks)]
    stub = StubAppServer(lambda message: float(re.search(r"\[d=([0-9.]+)\]", message).group(1)))  # type: ignore[union-attr]
    specs = [{"key": f"task-{i:05d}", "message": f"Task {i} [d={d:.4f}]"} for i, d in enumerate(durations)]

    async def go() -> dict[str, float]:
        http = httpx.AsyncClient(transport=stub.transport())
        async with ohctl.AsyncOpenHands(base_url="http://127.0.0.1:9", http_client=http) as client:
            with tempfile.TemporaryDirectory() as folder:
                began = time.perf_counter()
                batch = AsyncBatch(
                    client, Path(folder) / "bench.db", specs, concurrency=concurrency, poll_interval=poll
                )
                ended = 0
                async for result in batch.run():
                    ended += result.state == "finished"
                wall = time.perf_counter() - began
                writes, write_seconds = batch.ledger.writes, batch.ledger.write_seconds
                size = (Path(folder) / "bench.db").stat().st_size
                batch.close()
        return {"wall": wall, "finished": ended, "writes": writes, "write_seconds": write_seconds, "db_bytes": size}

    got = asyncio.run(go())
    ideal = sum(durations) / concurrency
    # The best any runner that starts the tasks in order can do: each starts the moment a slot frees.
    slots = [0.0] * concurrency
    for duration in durations:
        heapq.heapreplace(slots, slots[0] + duration)
    in_order = max(slots)
    requests = sum(stub.requests.values())
    h.emit(
        {
            "tasks": tasks,
            "concurrency": concurrency,
            "finished": got["finished"],
            "wall_seconds": round(got["wall"], 3),
            "ideal_seconds": round(ideal, 3),
            "ratio_to_ideal": round(got["wall"] / ideal, 4),
            "in_order_seconds": round(in_order, 3),
            "ratio_to_in_order": round(got["wall"] / in_order, 4),
            "requests": dict(stub.requests),
            "requests_per_task": round(requests / tasks, 3),
            "duplicate_starts": sum(n - 1 for n in stub.starts.values()),
            "ledger_writes": int(got["writes"]),
            "ledger_write_seconds": round(got["write_seconds"], 3),
            "ledger_ms_per_write": round(1000 * got["write_seconds"] / max(1, got["writes"]), 3),
            "ledger_share_of_wall": round(got["write_seconds"] / got["wall"], 4),
            "ledger_bytes": int(got["db_bytes"]),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="a smaller batch, for the RSS comparison")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--poll", type=float, default=0.1)
    parser.add_argument("--durations", default="1,3", help="LOW,HIGH seconds of a simulated agent run")
    args = parser.parse_args()
    low, high = (float(x) for x in args.durations.split(","))
    if args.worker:
        run_worker(args.tasks, args.concurrency, args.poll, low, high)
        return
    common = ["--concurrency", str(args.concurrency), "--poll", str(args.poll), "--durations", args.durations]
    small = h.worker(__file__, "small", "--tasks", str(args.small), *common)
    full = h.worker(__file__, "full", "--tasks", str(args.tasks), *common)
    result = {
        "measure": "batch",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "poll_interval": args.poll,
        "durations": [low, high],
        "full": full,
        "small": small,
        "rss_growth_mib": round(full["rss_mib"] - small["rss_mib"], 1),
        "goal": "ratio_to_ideal <= 1.1, duplicate_starts == 0, RSS flat",
        "met": full["ratio_to_ideal"] <= 1.1 and full["duplicate_starts"] == 0,
    }
    path = h.save("batch", result)
    print(json.dumps(result, indent=2))
    print(f"saved {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
