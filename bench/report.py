"""The HTML report of a 1,000-task batch (``ohctl batch report``): how long a fresh process takes to
write it (imports of matplotlib and jinja2 included), how long a second page takes in the same
process (what each rewrite of ``--report`` costs a running batch), the page's size, and peak RSS.
The CPU seconds the process used are reported beside the wall time: on a busy machine they show what
the report itself costs.

The ledger is bench/report_ledger.py's (the schedule of bench/batch.py with real batches' spread of
durations, costs and outcomes). The baseline is the same ledger's data as JSON (``--json``: no
charts) in a fresh process, so the ratio is what the charts and the page add. Byte-code caching is
on (in a temporary folder, warmed by one untimed run of each), as for an installed package.
Goal: the page in under 2 s, under 2 MB.

    .venv/bin/python bench/report.py [--tasks 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

GOAL_SECONDS, GOAL_BYTES = 2.0, 2_000_000


def run_worker(kind: str, ledger: str, out: str) -> None:
    began, cpu = time.perf_counter(), time.process_time()
    from ohctl.batch import save_report

    text = save_report(ledger, out, kind=kind)
    seconds = time.perf_counter() - began
    result = {"seconds": round(seconds, 4), "cpu_seconds": round(time.process_time() - cpu, 4)}
    result["bytes"] = len(text.encode())
    if kind == "html":
        again = time.perf_counter()
        save_report(ledger, out, kind=kind)
        result["again_seconds"] = round(time.perf_counter() - again, 4)
    h.emit(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--ledger", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.ledger, args.out)
        return
    from report_ledger import make_ledger

    with tempfile.TemporaryDirectory(prefix="ohctl-bench-report-") as folder:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        ledger = make_ledger(Path(folder) / "batch.db", args.tasks)

        def run(kind: str) -> dict[str, float]:
            out = Path(folder) / f"report.{kind}"
            return h.worker(__file__, kind, "--ledger", str(ledger), "--out", str(out))

        for kind in ("html", "json"):
            run(kind)  # warm-up: byte code compiled and cached, files in the page cache
        samples = h.interleaved(["html", "json"], args.rounds, run)
    html = samples["html"]
    seconds = h.spread([s["seconds"] for s in html])
    result = {
        "tasks": args.tasks,
        "rounds": args.rounds,
        "html_seconds": seconds,
        "html_cpu_seconds": h.spread([s["cpu_seconds"] for s in html]),
        "html_again_seconds": h.spread([s["again_seconds"] for s in html]),
        "json_seconds": h.spread([s["seconds"] for s in samples["json"]]),
        "ratio_to_json": h.ratios(samples, "json")["html"],
        "html_bytes": html[0]["bytes"],
        "json_bytes": samples["json"][0]["bytes"],
        "rss_mib": h.spread([s["rss_mib"] for s in html]),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "goal": f"html_seconds median < {GOAL_SECONDS} s, html_bytes < {GOAL_BYTES}",
        "met": seconds["median"] < GOAL_SECONDS and html[0]["bytes"] < GOAL_BYTES,
        # On a machine busier than its CPUs, wall time is mostly waiting for a CPU: the CPU time
        # the process used says whether the report itself meets the goal.
        "met_in_cpu_time": h.spread([s["cpu_seconds"] for s in html])["median"] < GOAL_SECONDS
        and html[0]["bytes"] < GOAL_BYTES,
    }
    path = h.save("report", result)
    print(json.dumps(result, indent=2))
    print(f"saved {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
