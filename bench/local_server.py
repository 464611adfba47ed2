"""The local server's figures: warm ``up`` to a ready server, ``ohctl demo`` end to end, and the peak
memory of the server plus its sandbox (and the scripted model) during the demo.

Each measure runs RUNS times in fresh state directories (the server install itself is cached; a cold
install is timed only with --cold, into a fresh server cache). Prints JSON with the median and the
spread of each measure; the baseline for ``up`` is the same run's ``python -c pass`` start, so the
figure reads as "how much slower than starting a Python process".

    .venv/bin/python bench/local_server.py [--runs 3] [--cold] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def rss_of_run(run_id: str) -> int:
    """The summed resident memory (bytes) of every process carrying the run's marker (Linux /proc)."""
    needle = f"OHCTL_LOCAL_RUN={run_id}".encode()
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def sample_peak(record: Path, peak: list[int], done: threading.Event) -> None:
    """Until ``done``: the highest summed RSS of the run named in ``record`` (the server's state file)."""
    while not done.is_set():
        try:
            run_id = json.loads(record.read_text())["run_id"]
            peak[0] = max(peak[0], rss_of_run(run_id))
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "runs": len(values),
    }


def measure_up(runs: int) -> list[float]:
    from ohctl.local import LocalServer

    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ohctl-bench-") as state:
            server = LocalServer("bench", state_dir=state)
            started = time.monotonic()
            server.up()
            times.append(time.monotonic() - started)
            server.down()
    return times


def measure_demo(runs: int) -> tuple[list[float], list[int]]:
    times, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ohctl-bench-") as root:
            env = {**os.environ, "OHCTL_LOCAL_DIR": f"{root}/state", "OHCTL_CONFIG_DIR": f"{root}/config"}
            for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_BASE_URL"):
                env.pop(var, None)
            peak = [0]
            done = threading.Event()
            record = Path(root) / "state" / "default" / "server.json"
            sampler = threading.Thread(target=sample_peak, args=(record, peak, done), daemon=True)
            sampler.start()
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "ohctl", "demo", "--down"], env=env, capture_output=True, text=True
            )
            times.append(time.monotonic() - started)
            done.set()
            sampler.join()
            if result.returncode != 0:
                raise SystemExit(f"ohctl demo failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
            peaks.append(peak[0])
    return times, peaks


def measure_python(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.monotonic() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time a cold install into a fresh cache")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    results: dict[str, object] = {}
    if args.cold:
        from ohctl.local import APP_SERVER, install_server

        with tempfile.TemporaryDirectory(prefix="ohctl-bench-cache-") as cache:
            os.environ["OHCTL_SERVER_CACHE"] = cache
            started = time.monotonic()
            install_server(*APP_SERVER)
            results["cold_install_seconds"] = round(time.monotonic() - started, 1)
            del os.environ["OHCTL_SERVER_CACHE"]
    baseline = measure_python(args.runs)
    up = measure_up(args.runs)
    demo, peaks = measure_demo(args.runs)
    results.update(
        {
            "python_start_seconds": spread(baseline),
            "warm_up_seconds": spread(up),
            "warm_up_over_python_start": round(statistics.median(up) / statistics.median(baseline), 1),
            "demo_seconds": spread(demo),
            "demo_goal_seconds": 30,
            "peak_rss_mib": spread([p / 2**20 for p in peaks]),
        }
    )
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
