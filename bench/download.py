"""Downloading a large trajectory (500 MiB by default): ohctl's streaming download against raw httpx.

The baseline streams the same response to a file with ``httpx.Client.stream`` and ``iter_bytes``;
ohctl's ``conversations.download`` streams to a temporary file and renames it (a failed transfer
leaves nothing behind). Figures: throughput ratio and each process's peak RSS (VmHWM).
Goals: peak RSS <= 80 MB, throughput >= raw httpx (time ratio <= 1.0x within noise).

    .venv/bin/python bench/download.py [--rounds 5] [--mib 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h


def run_worker(name: str, base_url: str, mib: int) -> None:
    import httpx

    import ohctl

    cid = f"00000000-0000-4000-8000-{mib:012d}"
    # Before the clock, in both contenders alike: ohctl's client and its download path loaded (import
    # time is bench/import_time.py's measure, not this one's).
    with ohctl.OpenHands(api_key="k", base_url=base_url) as warm, tempfile.TemporaryFile() as sink:
        warm.conversations.download("00000000-0000-4000-8000-000000000001", sink)
    # In memory (/dev/shm) where there is one: the disk's write-back is not the client's cost.
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="ohctl-bench-", dir=shm) as tmp:
        target = Path(tmp) / "trajectory.zip"
        h.settle()
        start = time.perf_counter()
        if name == "raw":
            with (
                httpx.Client(base_url=base_url, timeout=60) as raw,
                raw.stream("GET", f"/api/v1/app-conversations/{cid}/download") as response,
                target.open("wb") as out,
            ):
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    out.write(chunk)
        elif name == "ohctl":
            with ohctl.OpenHands(api_key="k", base_url=base_url) as client:
                client.conversations.download(cid, target)
        else:
            raise SystemExit(f"unknown contender {name}")
        seconds = time.perf_counter() - start
        size = target.stat().st_size
    if size != mib * 1024 * 1024:
        raise SystemExit(f"{name} wrote {size} bytes, not {mib} MiB")
    h.emit({"seconds": seconds, "mib_per_s": mib / seconds})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--base-url")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mib", type=int, default=500)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.base_url, args.mib)
        return
    with h.stub_server() as base_url:
        samples = h.interleaved(
            ["raw", "ohctl"],
            args.rounds,
            lambda n: h.worker(__file__, n, "--base-url", base_url, "--mib", str(args.mib)),
        )
        h.report("download", samples, "raw", {"mib": args.mib})


if __name__ == "__main__":
    main()
