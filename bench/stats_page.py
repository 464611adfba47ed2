"""How long the fleet statistics of 1,000 conversations take to add up and draw as a page, against
matplotlib drawing the same five charts alone, each in a fresh process.

Contenders (interleaved; imports, the conversations' models and one warm-up render are done before
the clock, so the figure is the work itself):
- ``matplotlib``: the five bar charts of the page, from precomputed numbers, saved as SVG (the
  baseline: the page cannot be faster than its charts);
- ``ohctl``: ``aggregate`` of 1,000 conversations (40 repositories, 3 models, 8 days), then
  ``render_stats_html`` (charts, tables of every conversation, the template); the page's size is
  recorded too.
Goals: under 2 s and 2 MB for 1,000 conversations.

    .venv/bin/python bench/stats_page.py [--rounds 5] [--conversations 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def conversations(count: int) -> list[Any]:
    from ohctl.types import AppConversation

    return [
        AppConversation.model_validate(
            {
                "id": f"{i:032x}",
                "title": f"Fix issue #{i} in the parser",
                "selected_repository": f"octo/repo-{i % 40}",
                "llm_model": ("gpt-5", "claude-sonnet-4", "qwen3-coder")[i % 3],
                "execution_status": ("finished", "error", "finished", "running", None)[i % 5],
                "sandbox_status": "MISSING" if i % 5 == 4 else "RUNNING",
                "created_at": (NOW - timedelta(minutes=10 * i)).isoformat(),
                "updated_at": (NOW - timedelta(minutes=10 * i) + timedelta(seconds=30 + 37 * (i % 90))).isoformat(),
                "metrics": {
                    "accumulated_cost": 0.02 * (i % 97),
                    "accumulated_token_usage": {"prompt_tokens": 1200 * (i % 50), "completion_tokens": 40 * (i % 50)},
                },
            }
        )
        for i in range(count)
    ]


def draw_alone(stats: Any) -> int:
    """The page's five charts as bare SVG bar charts: what the page's drawing cannot beat."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"
    import matplotlib.pyplot as plt

    series = [
        (list(stats.by_outcome), list(stats.by_outcome.values())),
        ([g.key for g in stats.by_day], [g.conversations for g in stats.by_day]),
        ([g.key for g in stats.by_day], [g.cost for g in stats.by_day]),
        ([g.key for g in stats.by_repository[:12]], [g.cost for g in stats.by_repository[:12]]),
        ([g.key for g in stats.by_model[:12]], [g.tokens for g in stats.by_model[:12]]),
    ]
    size = 0
    for labels, values in series:
        fig, ax = plt.subplots(figsize=(6.4, 2.8))
        ax.bar(range(len(values)), values)
        ax.set_xticks(range(len(values)), labels)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(fig)
        size += len(buffer.getvalue())
    return size


def run_worker(name: str, count: int) -> None:
    from ohctl import render_stats_html
    from ohctl.stats.aggregate import aggregate

    convs = conversations(count)
    since = NOW - timedelta(days=8)
    warm = aggregate(convs, now=NOW, since=since)
    draw_alone(warm) if name == "matplotlib" else render_stats_html(warm)  # fonts, caches
    h.settle()
    start = time.perf_counter()
    if name == "matplotlib":
        size = draw_alone(warm)
    else:
        size = len(render_stats_html(aggregate(convs, now=NOW, since=since)).encode())
    seconds = time.perf_counter() - start
    h.emit({"seconds": seconds, "bytes": size})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=1000)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.conversations)
        return
    count = str(args.conversations)
    samples = h.interleaved(
        ["matplotlib", "ohctl"], args.rounds, lambda n: h.worker(__file__, n, "--conversations", count)
    )
    size = h.spread([s["bytes"] / 1e6 for s in samples["ohctl"]])
    print(f"the page of {count} conversations: {h.fmt(size, 2, ' MB')}")
    h.report("stats_page", samples, "matplotlib", {"conversations": args.conversations, "page_mb": size})


if __name__ == "__main__":
    main()
