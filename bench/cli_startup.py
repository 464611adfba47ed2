"""How fast the command line starts: ``ohctl --help`` and ``ohctl --version`` against ``python -c pass``.

Each is run cold (a new process every time) RUNS times, interleaved so that load on the machine hits
all three alike; the baseline is the bare interpreter in the same run. Prints JSON: median, spread
(interquartile range, min, max) in milliseconds, and each command's median over the baseline's, plus
its extra milliseconds. The goal is a median under 150 ms on the development machine.

    .venv/bin/python bench/cli_startup.py [--runs 20] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_MS = 150.0


def ohctl_command() -> list[str]:
    """The installed ``ohctl`` next to this interpreter, else ``python -m ohctl``."""
    script = Path(sys.executable).with_name("ohctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ohctl"]


def once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> dict[str, float]:
    q1, _, q3 = statistics.quantiles(samples, n=4)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "iqr_ms": round(q3 - q1, 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON results here")
    args = parser.parse_args()
    ohctl = ohctl_command()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "ohctl --help": [*ohctl, "--help"],
        "ohctl --version": [*ohctl, "--version"],
    }
    os.environ.pop("OHCTL_LOG", None)
    for argv in cases.values():  # warm the file cache: "cold" means a new process, not a cold disk
        once(argv)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, argv in cases.items():
            samples[name].append(once(argv))
    baseline = statistics.median(samples["python -c pass"])
    results: dict[str, object] = {
        "bench": "cli_startup",
        "runs": args.runs,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus",
        "goal_ms": GOAL_MS,
        "commands": {},
    }
    commands: dict[str, dict[str, float | bool]] = {}
    for name, values in samples.items():
        row: dict[str, float | bool] = dict(summary(values))
        if name != "python -c pass":
            row["ratio_to_python"] = round(statistics.median(values) / baseline, 2)
            row["extra_ms"] = round(statistics.median(values) - baseline, 1)
            row["within_goal"] = statistics.median(values) <= GOAL_MS
        commands[name] = row
    results["commands"] = commands
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if all(bool(r.get("within_goal", True)) for r in commands.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
