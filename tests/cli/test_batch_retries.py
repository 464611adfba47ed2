"""``ohctl batch run --retries`` against the real app server: the budget is kept in the ledger (a
resume uses it), an agent that ends in error is not retried, and ``batch results`` reports the tries."""

from __future__ import annotations

import json
from pathlib import Path

from ohctl.batch import Ledger
from tests.support.cli_runner import Run
from tests.support.peer_suite import Shared


def test_batch_run_with_retries_does_not_retry_an_agent_error(
    run: Run, base_url: str, shared: Shared, tmp_path: Path
) -> None:
    tasks = tmp_path / "tasks.jsonl"
    line = {"key": "broken", "message": "Fail at once [ohctl:fail]", "sandbox_id": shared.sandbox_id}
    tasks.write_text(json.dumps(line) + "\n")
    env = {"OPENHANDS_BASE_URL": base_url}
    ran = run("batch", "run", str(tasks), "--retries", "3", "--poll-interval", "1", env=env)
    assert ran.code == 6, ran  # some failed
    ledger_path = tasks.with_suffix(".batch.db")
    ledger = Ledger(ledger_path)
    try:
        assert ledger.setting("retries") == 3
        assert ledger.retries("broken") == 0 and ledger.tries() == {}
    finally:
        ledger.close()
    results = run("batch", "results", str(ledger_path), "--json", env=env)
    rows = [json.loads(x) for x in results.stdout.splitlines()]
    assert [(r["key"], r["outcome"], r["tries"], r["retries"]) for r in rows] == [("broken", "failed", 1, [])]
    status = run("batch", "status", str(ledger_path), "--json", env=env)
    assert json.loads(status.stdout)["retries"] == {}
