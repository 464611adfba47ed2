"""A batch ledger of many tasks as a real batch leaves it, without running one: ``make_ledger``
writes the tasks through ``ohctl.batch.Ledger`` and then the times, costs, tokens, PRs and errors of a
simulated run at a given concurrency (seeded, so every run writes the same ledger).

The simulation is bench/batch.py's schedule (each task starts the moment a slot frees, in order)
with the spread of real agent runs: durations and costs from long-tailed (log-normal) laws, a few
tasks costing ten times the median, outcomes mixed (most finish; some fail, error, time out, stall,
or wait for input), errors of a few recurring kinds. A few titles hold markup (``<script>``) that a
report must show as text. Used by bench/report.py and the report's tests.
"""

from __future__ import annotations

import heapq
import json
import random
import uuid
from pathlib import Path

from ohctl.batch import Ledger, TaskSpec

OUTCOMES = (
    ("finished", 0.80),
    ("failed", 0.08),
    ("error", 0.03),
    ("needs_input", 0.03),
    ("timed_out", 0.03),
    ("stalled", 0.02),
    ("cancelled", 0.01),
)
ERRORS = {
    "failed": [
        "The agent gave up: tests still fail after 12 attempts",
        "Agent error: LLM context window exceeded (131072 tokens)",
        "start failed: sandbox 5f2c9a1e did not start in 600 s",
    ],
    "error": ["the server refused the start: 422 Unprocessable Entity (repository not found)"],
    "timed_out": ["no end after 3600 s (--timeout)"],
    "stalled": ["no event for 900 s; the agent was stopped"],
    "cancelled": ["cancelled"],
    "needs_input": [None],
}
START = 1_780_000_000.0  # a fixed moment, so that the ledger (and its report) is the same every run


def make_ledger(path: str | Path, tasks: int = 1000, *, concurrency: int = 50, seed: int = 7) -> Path:
    """Write a finished batch of ``tasks`` tasks to a new ledger at ``path`` and return the path."""
    rng = random.Random(seed)
    specs = []
    for n in range(tasks):
        title = f"Fix issue #{n} in repo-{n % 37}"
        if n % 250 == 7:
            title = f"<script>alert({n})</script> & <b>not bold</b>"
        specs.append(
            TaskSpec(key=f"task-{n:05d}", message=f"Task {n}: fix it", repository=f"acme/repo-{n % 37}", title=title)
        )
    ledger = Ledger.create(path, specs, {"concurrency": concurrency, "timeout": None, "base_url": "http://stub"})
    slots = [(START, s) for s in range(concurrency)]
    heapq.heapify(slots)
    names = [o for o, _ in OUTCOMES]
    weights = [w for _, w in OUTCOMES]
    log: list[tuple[float, str, str, str | None]] = []
    updates = []
    for n, spec in enumerate(specs):
        free, slot = heapq.heappop(slots)
        starting = free + rng.uniform(0.05, 0.5)
        started = starting + rng.uniform(2, 12)
        outcome = rng.choices(names, weights)[0]
        duration = rng.lognormvariate(5.6, 0.6)  # median ~4.5 min
        if outcome == "timed_out":
            duration = 3600.0 / 6
        ended = started + duration
        heavy = rng.random() < 0.02
        cost = round(rng.lognormvariate(-0.4, 0.7) * (10 if heavy else 1), 4)
        prompt = int(cost * 250_000 * rng.uniform(0.8, 1.2))
        completion = int(prompt * rng.uniform(0.01, 0.04))
        prs = [1000 + n] if outcome == "finished" and rng.random() < 0.7 else []
        error = rng.choice(ERRORS[outcome]) if outcome in ERRORS else None
        cid = uuid.UUID(int=rng.getrandbits(128)).hex
        url = f"http://stub/conversations/{cid}"
        updates.append(
            (
                outcome,
                cid,
                f"start-{n}",
                1,
                starting,
                started,
                ended,
                error,
                cost,
                prompt,
                completion,
                json.dumps(prs),
                url,
                spec.key,
            )
        )
        log += [
            (starting, spec.key, "starting", None),
            (started, spec.key, "running", None),
            (ended, spec.key, outcome, error),
        ]
        heapq.heappush(slots, (ended, slot))
    log.sort(key=lambda entry: entry[0])
    with ledger._transaction() as db:
        db.executemany(
            "UPDATE tasks SET state = ?, conversation_id = ?, start_task_id = ?, attempts = ?, starting_at = ?,"
            " started_at = ?, ended_at = ?, error = ?, cost = ?, prompt_tokens = ?, completion_tokens = ?, prs = ?,"
            " url = ? WHERE key = ?",
            updates,
        )
        db.executemany("INSERT INTO log (at, key, event, detail) VALUES (?, ?, ?, ?)", log)
        db.execute("UPDATE meta SET value = ? WHERE name = 'created_at'", (str(START),))
    ledger.close()
    return Path(path)


__all__ = ["make_ledger"]
