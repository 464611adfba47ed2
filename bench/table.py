"""The markdown table of the latest results (bench/results/*.json), for bench/README.md.

.venv/bin/python bench/table.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h


def rows() -> list[str]:
    out = [
        "| measure | contender | time, median [min-max] | ratio to baseline | peak RSS (MiB) | when, rounds |",
        "|---|---|---|---|---|---|",
    ]
    for path in sorted(h.RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        if "results" not in data:
            continue  # a measure with its own format (batch): see its own JSON
        for name, row in data["results"].items():
            ratio = "baseline" if name == data["baseline"] else f"x{h.fmt(row['ratio'])}"
            out.append(
                f"| {data['measure']} | {name} | {h.fmt(row['seconds'], 4, ' s')} | {ratio} | "
                f"{h.fmt(row['rss_mib'], 0)} | {data['when'][:16]}, {data['rounds']} |"
            )
    return out


if __name__ == "__main__":
    print("\n".join(rows()))
