"""How long importing ohctl takes, against importing httpx alone, each in a fresh interpreter.

Contenders (interleaved, ``-X importtime`` not used: wall time of the statement in the process):
- ``httpx``: ``import httpx`` (the baseline: ohctl cannot be faster than its HTTP library);
- ``ohctl``: ``import ohctl`` (public names are loaded lazily);
- ``ohctl-client``: ``from ohctl import OpenHands`` (the sync client, its resources and models);
- ``ohctl-async``: ``from ohctl import AsyncOpenHands``;
- ``ohctl-conversations``: the sync client made and its ``conversations`` resource touched (resources
  and their models are loaded on first use: this is what a program that starts tasks pays).
Each run also records whether websockets, pydantic and the async stack were loaded.
Goals: ``import ohctl`` <= 120 ms, no websockets or async stack until used.

    .venv/bin/python bench/import_time.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

STATEMENTS = {
    "httpx": "import httpx",
    "httpx-client": "import httpx\nhttpx.Client()",  # what ohctl-conversations includes of httpx
    "ohctl": "import ohctl",
    "ohctl-client": "from ohctl import OpenHands",
    "ohctl-async": "from ohctl import AsyncOpenHands",
    # What a program that starts tasks pays before its first request: the client, made, and its
    # conversations resource (made on first use, with the models it needs).
    "ohctl-conversations": "from ohctl import OpenHands\nOpenHands(api_key='k', base_url='http://127.0.0.1:9').conversations",
}


def run_worker(name: str) -> None:
    start = time.perf_counter()
    exec(STATEMENTS[name], {})  # one of the fixed statements above
    seconds = time.perf_counter() - start
    loaded = sys.modules
    h.emit(
        {
            "seconds": seconds,
            "websockets": any(m.startswith("websockets") for m in loaded),
            "pydantic": "pydantic" in loaded,
            "async_stack": any(m.startswith("ohctl._async") for m in loaded),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker)
        return
    samples = h.interleaved(list(STATEMENTS), args.rounds, lambda n: h.worker(__file__, n))
    loads = {name: {k: runs[0][k] for k in ("websockets", "pydantic", "async_stack")} for name, runs in samples.items()}
    for name, what in loads.items():
        print(f"{name:>14} loads: " + ", ".join(k for k, v in what.items() if v))
    h.report("import_time", samples, "httpx", {"loads": loads})


if __name__ == "__main__":
    main()
