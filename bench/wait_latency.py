"""How soon a wait notices that the agent finished: the live status socket against plain polling.

Runs the REAL standalone agent server with the scripted LLM (test peers, see CONTRIBUTING.md), starts the
same short conversation several times and measures, for each wait, the delay between the agent's
``execution_status=finished`` event (its server timestamp) and the moment ``wait`` returned.
The baseline is the same wait with ``live=False`` in the same run; the result is the ratio.

    .venv/bin/python bench/wait_latency.py [--runs 5] [--poll 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ohctl
from tests.support.harness import start_agent_server
from tests.support.scripted_llm import ScriptedLLM

KEY = "bench-key"


def finished_at(agent: ohctl.AgentServer, cid: str) -> float:
    """The finish event's server time as a local epoch (the server is on this machine)."""
    stamps = [
        e.timestamp
        for e in agent.events.search(cid, kind="ConversationStateUpdateEvent")
        if e.to_dict().get("key") == "execution_status" and e.to_dict().get("value") == "finished"
    ]
    return datetime.fromisoformat(str(stamps[-1])).timestamp()


def one(agent: ohctl.AgentServer, llm: ScriptedLLM, live: bool, poll: float) -> float:
    conv = agent.conversations.start(
        "Sleep a little [ohctl:slow:2]",
        workspace=tempfile.mkdtemp(prefix="ohctl-bench-"),
        llm={"model": "openai/scripted", "base_url": llm.base_url, "api_key": "x"},
    )
    agent.conversations.wait(conv.id, timeout=120, poll_interval=poll, live=live)
    returned = time.time()
    latency = returned - finished_at(agent, conv.id)
    agent.conversations.delete(conv.id)
    return latency


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--poll", type=float, default=5.0, help="poll interval of both waits (s)")
    args = parser.parse_args()
    llm = ScriptedLLM().start()
    peer = start_agent_server(KEY)
    try:
        with ohctl.AgentServer(peer.base_url, KEY) as agent:
            one(agent, llm, True, args.poll)  # warm-up: first LLM call, imports
            live = [one(agent, llm, True, args.poll) for _ in range(args.runs)]
            polled = [one(agent, llm, False, args.poll) for _ in range(args.runs)]
    finally:
        peer.stop()
        llm.stop()
    live_median, polled_median = statistics.median(live), statistics.median(polled)
    print(f"finish noticed after (median of {args.runs}, poll interval {args.poll:.0f} s):")
    print(f"  live socket   {live_median:6.2f} s   {[round(x, 2) for x in live]}")
    print(f"  polling only  {polled_median:6.2f} s   {[round(x, 2) for x in polled]}")
    print(f"  ratio live/polling = {live_median / polled_median:.3f} (target: below 0.5)")
    return 0 if live_median < 0.5 * polled_median else 1


if __name__ == "__main__":
    sys.exit(main())
