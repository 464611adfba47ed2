"""Best of N's wall-time overhead: ``abest_of`` with N attempts against N plain runs of the same tasks
started together, on the REAL app server with the scripted model (test peers, see CONTRIBUTING.md).

Each attempt clones a small repository into a directory of its own in one shared sandbox, changes
it (one attempt fixes it, the others do not), then works for ``--work`` seconds (a loop that
prints, standing in for the agent). The baseline starts the same N tasks at once (``conversations.start(...,
wait="finished")`` each, gathered) and returns when all have finished. The contender is best of N
with a selection command (the repository's unit test): the same runs, plus reading each change, the
command in each sandbox, and stopping the losers. Interleaved rounds; the figure is the ratio of the
contender's wall time to the baseline's in the same round, median [min-max]. A round where an
attempt did not do its work (on a loaded machine the agent's terminal tool can fail) is discarded,
said, and run again.
Goal: <= 1.1x at N=3.

    .venv/bin/python bench/best_of.py [--attempts 3] [--rounds 3] [--work 8]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _harness as h

import ohctl
from ohctl._best_of import attempt_task
from tests.support.best_of_repo import FIX, NO_FIX, SELECT, WRONG_FIX, attempt_commands, make_origin, work_path
from tests.support.harness import start_app_server
from tests.support.scripted_llm import ScriptedLLM, attempts_marker

CHANGES = [WRONG_FIX, FIX, NO_FIX]


class RoundFailedError(Exception):
    """A round whose runs did not do what they should (the bench measures only rounds that did)."""


def task(origin: Path, attempts: int, seconds: float) -> tuple[str, str]:
    """The task text for one run of N attempts, and its ``path``: each attempt works, then changes
    its own clone."""
    path = work_path()
    changes = [CHANGES[i % len(CHANGES)] for i in range(attempts)]
    # The work prints as it goes: a silent command can outlast the terminal's no-output check.
    work = f"for i in $(seq {max(1, round(seconds))}); do echo working $i; sleep 1; done"
    commands = [f"{command} && {work}" for command in attempt_commands(origin, path, changes)]
    return f"Make add() add {attempts_marker(commands)}", path


async def plain(client: ohctl.AsyncOpenHands, text: str, attempts: int, sandbox_id: str) -> float:
    began = time.perf_counter()
    done = await asyncio.gather(
        *(
            client.conversations.start(
                attempt_task(text, i, attempts), wait="finished", sandbox_id=sandbox_id, timeout=600
            )
            for i in range(1, attempts + 1)
        )
    )
    took = time.perf_counter() - began
    if not all(str(conv.execution_status) == "finished" for conv in done):
        raise RoundFailedError(f"a plain run did not finish: {[str(conv.execution_status) for conv in done]}")
    return took


TAILS: list[float] = []  # per best-of run: seconds from the last attempt's end (as seen) to the result


async def best(client: ohctl.AsyncOpenHands, text: str, path: str, attempts: int, sandbox_id: str) -> float:
    began = time.perf_counter()

    def said(attempt: ohctl.BestOfAttempt, what: str) -> None:
        print(f"    {time.perf_counter() - began:5.1f} s  attempt {attempt.index}: {what}", file=sys.stderr, flush=True)

    result = await ohctl.abest_of(
        client,
        text,
        attempts=attempts,
        select=SELECT,
        path=path,
        sandbox_id=sandbox_id,
        timeout=600,
        on_update=said,
    )
    took = time.perf_counter() - began
    if result.winner_index != 2:
        raise RoundFailedError("best of N did not pick the fixing attempt:\n" + "\n".join(result.table()))
    print("\n".join(f"    {line}" for line in result.table()[: attempts + 1]), file=sys.stderr, flush=True)
    TAILS.append(took - max(a.duration or 0.0 for a in result.attempts))
    return took


def sandbox_errors(peer: Any, sandbox_id: str | None) -> str:
    """The error lines of the sandbox's agent-server log, to say why a run failed."""
    found = peer.local.sandbox_log(sandbox_id) if peer.local is not None and sandbox_id else None
    text = found.text() if found is not None else ""
    return "\n".join(line for line in text.splitlines() if "ERROR" in line or "Traceback" in line)[-4000:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=float, default=8.0, help="seconds each scripted attempt works")
    args = parser.parse_args()
    llm = ScriptedLLM().start()
    peer = start_app_server(llm.base_url)
    try:
        with tempfile.TemporaryDirectory(prefix="ohctl-bench-") as scratch:
            origin = make_origin(Path(scratch) / "origin")

            discarded: list[str] = []

            async def go() -> dict[str, list[dict[str, Any]]]:
                async with ohctl.AsyncOpenHands(base_url=peer.base_url, max_retries=4) as client:
                    warm = await client.conversations.start("Warm up", wait="finished", timeout=300)
                    assert warm.sandbox_id is not None
                    sandbox = warm.sandbox_id
                    samples: dict[str, list[dict[str, Any]]] = {"plain": [], "best_of": []}
                    r = 0
                    while len(samples["plain"]) < args.rounds:
                        if len(discarded) > args.rounds:
                            raise RuntimeError("too many rounds failed:\n" + "\n".join(discarded))
                        got: dict[str, float] = {}
                        try:
                            for name in ["plain", "best_of"] if r % 2 == 0 else ["best_of", "plain"]:
                                text, path = task(origin, args.attempts, args.work)
                                if name == "plain":
                                    got[name] = await plain(client, text, args.attempts, sandbox)
                                else:
                                    got[name] = await best(client, text, path, args.attempts, sandbox)
                                print(f"  {name}: {got[name]:.1f} s", file=sys.stderr, flush=True)
                        except RoundFailedError as exc:
                            # An agent's tool failed (a loaded machine): the round says nothing about best of N.
                            discarded.append(str(exc))
                            print(f"  round discarded: {exc}", file=sys.stderr, flush=True)
                            continue
                        r += 1
                        for name, seconds in got.items():
                            samples[name].append({"seconds": seconds, "rss_mib": h.peak_rss_mib()})
                        print(f"  round {r}/{args.rounds} done", file=sys.stderr, flush=True)
                    return samples

            try:
                samples = asyncio.run(go())
            except (RuntimeError, AssertionError):
                for log in peer.local.sandbox_logs() if peer.local is not None else []:
                    print(f"--- sandbox {log.sandbox_id}\n{sandbox_errors(peer, log.sandbox_id)}", file=sys.stderr)
                raise
    finally:
        peer.stop()
        llm.stop()
    ratio = h.ratios(samples, "plain")["best_of"]
    # What best of N adds in seconds (reading each change, the command in each sandbox, stopping the
    # others): a fixed cost, so the ratio shrinks as the agents' runs grow longer.
    added = [b["seconds"] - p["seconds"] for b, p in zip(samples["best_of"], samples["plain"], strict=True)]
    extra = {
        "overhead_seconds": h.spread(added),
        # Within each best-of run: from the look that saw the last attempt end to the result (its
        # change, the command, stopping the others): best of N's own cost, free of the agents' noise.
        "after_last_end_seconds": h.spread(TAILS),
        "discarded_rounds": discarded,
        "attempts": args.attempts,
        "work_seconds": args.work,
        "goal": "best_of wall time <= 1.1x plain at N=3",
        "met": ratio["median"] <= 1.1,
    }
    h.report("best_of", samples, "plain", extra)
    return 0 if ratio["median"] <= 1.1 else 1


if __name__ == "__main__":
    sys.exit(main())
