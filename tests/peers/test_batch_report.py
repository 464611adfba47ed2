"""The batch report of a real batch: ``ohctl batch run --report FILE`` against the real app server
(four tasks in the suite's sandbox: three finish, one fails; one title holds ``<script>``) keeps a
live page while it runs (it reloads itself) and leaves a final one (it does not); ``ohctl batch
report`` then writes the page, JSON and CSV of the ledger (each finished task with its agent's last
message, read from the agent server as the task ended), and the page is checked in headless
Chromium against the ledger (tests/support/report_browser.py). Screenshots go to
``OHCTL_REPORT_SCREENSHOTS`` when set."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import ohctl
from tests.support.cli_runner import Run
from tests.support.peer_suite import Shared
from tests.support.report_browser import check_report, ledger_truth, need_chromium
from tests.support.scripted_llm import FINISH_MESSAGE

ROOT = Path(__file__).resolve().parents[2]


def test_a_real_batch_report_live_and_final(
    client: ohctl.OpenHands, base_url: str, shared: Shared, run: Run, tmp_path: Path
) -> None:
    need_chromium()
    lines = [
        {"key": "hello-1", "message": "Task 1: say hello", "sandbox_id": shared.sandbox_id},
        {"key": "broken", "message": "Task 2 [ohctl:fail]", "sandbox_id": shared.sandbox_id},
        {
            "key": "markup",
            "message": "Task 3: say hello",
            "title": "<script>alert(3)</script> & co",
            "sandbox_id": shared.sandbox_id,
        },
        {"key": "hello-4", "message": "Task 4: say hello", "sandbox_id": shared.sandbox_id},
    ]
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text("".join(json.dumps(line) + "\n" for line in lines))
    ledger = tmp_path / "tasks.batch.db"
    live = tmp_path / "live.html"
    command = [sys.executable, "-m", "ohctl", "batch", "run", str(tasks), "--poll-interval", "1"]
    command += ["--max-starting", "1", "--report", str(live)]
    env = {**os.environ, "OPENHANDS_BASE_URL": base_url, "OHCTL_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen_live = False
    try:
        deadline = time.monotonic() + 400
        while proc.poll() is None and time.monotonic() < deadline:
            if live.exists() and 'http-equiv="refresh"' in live.read_text(encoding="utf-8"):
                seen_live = True
            time.sleep(0.2)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 6, err[-3000:]  # one task failed
    assert seen_live, "no page that reloads itself was written while the batch ran"
    final = live.read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' not in final and f"report: {live}" in err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    truth = ledger_truth(ledger)
    assert truth["counts"] == {"finished": 3, "failed": 1} and truth["cost"] >= 0

    page = tmp_path / "report.html"
    made = run("batch", "report", str(ledger), "-o", str(page))
    assert made.code == 0, made
    as_json = json.loads(run("batch", "report", str(ledger), "--json").stdout)
    rows = list(csv.DictReader(io.StringIO(run("batch", "report", str(ledger), "--csv").stdout)))
    assert as_json["batch"]["counts"] == {"finished": 3, "failed": 1}
    assert [r["key"] for r in rows] == [t["key"] for t in as_json["tasks"]] == [line["key"] for line in lines]
    assert all(t["conversation_id"] and t["url"] for t in as_json["tasks"])
    assert as_json["batch"]["peak_concurrency"] >= 1 and len(as_json["concurrency"]) >= 2
    # each finished agent's last message, read from its agent server once the task ended
    finished = [t for t in as_json["tasks"] if t["outcome"] == "finished"]
    assert all(FINISH_MESSAGE in (t["message"] or "") for t in finished), finished
    broken = next(t for t in as_json["tasks"] if t["key"] == "broken")
    assert broken["outcome"] == "failed" and as_json["reasons"][0]["keys"] == ["broken"]
    assert check_report(page, ledger, tmp_path, name="real-batch") == []
