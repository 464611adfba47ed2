"""What every measure shares: the stub server, one fresh process per run, interleaving, the summary.

Each run of a contender is a fresh ``python <script> --worker NAME ...`` process that prints one JSON
line (its own timing and its peak RSS, ``VmHWM`` from ``/proc/self/status``: ``ru_maxrss`` of a child
would inherit the parent's peak across fork and exec). Contenders run interleaved, round after round,
so that a slow moment of the machine falls on all of them alike; the figures are ratios to the
baseline within the same round, summarised as median and min-max.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# On a machine with two CPUs or more, the stub and the contender each get their own CPU: neither
# waits for the other to be scheduled, which is most of the spread between rounds otherwise.
_CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
STUB_CPU = _CPUS[-1] if len(_CPUS) >= 2 else None
WORKER_CPU = _CPUS[0] if len(_CPUS) >= 2 else None


def _pin(cpu: int | None) -> Callable[[], None] | None:
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def settle() -> None:
    """Called by a worker just before its clock starts: a full garbage collection, so every contender
    starts from a collected heap (the collector stays on while timed, unlike timeit's)."""
    gc.collect()


def emit(result: dict[str, Any]) -> None:
    """A worker's one line of output (with its peak RSS added)."""
    print(json.dumps(result | {"rss_mib": round(peak_rss_mib(), 1)}), flush=True)


@contextlib.contextmanager
def stub_server() -> Iterator[str]:
    """The stub app server in its own process; yields its base URL and stops it by PID."""
    with tempfile.TemporaryDirectory(prefix="ohctl-bench-") as tmp:
        port_file = Path(tmp) / "port"
        proc = subprocess.Popen([sys.executable, str(BENCH / "_stub.py"), str(port_file)], preexec_fn=_pin(STUB_CPU))
        try:
            deadline = time.monotonic() + 20
            while not port_file.exists() or not port_file.read_text():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the stub server did not start")
                time.sleep(0.02)
            yield f"http://127.0.0.1:{port_file.read_text()}"
        finally:
            proc.terminate()
            proc.wait(10)


def worker(script: str, name: str, *args: str) -> dict[str, Any]:
    """Run one contender in a fresh interpreter and return its JSON line."""
    env = os.environ | {"PYTHONPATH": str(ROOT / "src"), "OHCTL_LOG": "", "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, script, "--worker", name, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        preexec_fn=_pin(WORKER_CPU),
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker {name} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def interleaved(names: list[str], rounds: int, run: Callable[[str], dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """``rounds`` rounds, each running every contender once, the order rotated every round."""
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            samples[name].append(run(name))
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    return samples


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ratios(
    samples: dict[str, list[dict[str, Any]]], baseline: str, key: str = "seconds"
) -> dict[str, dict[str, float]]:
    """Each contender's time over the baseline's time in the same round."""
    base = [s[key] for s in samples[baseline]]
    return {
        name: spread([s[key] / b for s, b in zip(runs, base, strict=True)])
        for name, runs in samples.items()
        if name != baseline
    }


def fmt(s: dict[str, float], digits: int = 2, unit: str = "") -> str:
    return f"{s['median']:.{digits}f}{unit} [{s['min']:.{digits}f}-{s['max']:.{digits}f}]"


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    result = {"measure": name, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())} | result
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def report(name: str, samples: dict[str, list[dict[str, Any]]], baseline: str, extra: dict[str, Any]) -> None:
    """Print and save: each contender's ratio to the baseline, its own time and peak RSS."""
    rel = ratios(samples, baseline)
    table: dict[str, Any] = {}
    for contender, runs in samples.items():
        row = {
            "seconds": spread([s["seconds"] for s in runs]),
            "rss_mib": spread([s["rss_mib"] for s in runs]),
        }
        if contender in rel:
            row["ratio"] = rel[contender]
        table[contender] = row
        ratio = f"  x{fmt(rel[contender])} of {baseline}" if contender in rel else "  (baseline)"
        print(f"{name:>18} {contender:<22} {fmt(row['seconds'], 4, 's')}  rss {fmt(row['rss_mib'], 0, ' MiB')}{ratio}")
    print(f"saved {save(name, {'baseline': baseline, 'rounds': len(samples[baseline]), **extra, 'results': table})}")
