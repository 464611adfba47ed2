"""``ohctl batch`` offline: input errors with line numbers (nothing written), status and results of a
ledger, cancel's confirmation rule, and the plain progress lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ohctl.batch import Ledger, parse_tasks
from ohctl.batch.ledger import Ended
from ohctl.cli.main import cli


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("OPENHANDS_BASE_URL", "http://127.0.0.1:9")
    for name in ("OPENHANDS_API_KEY", "OPENHANDS_CLOUD_API_KEY", "OH_API_KEY", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def test_bad_input_is_reported_by_line_and_nothing_starts(runner: CliRunner, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text('{"message": "ok"}\n{"vars": {"issue": "1", "colour": "red"}}\n{"message": "ok"}\n')
    result = runner.invoke(cli, ["batch", "run", str(tasks)])
    assert result.exit_code != 0
    text = str(result.exception) + result.output
    assert "line 2" in text and "line 3: duplicate task key" in text
    assert not (tmp_path / "tasks.batch.db").exists()

    tasks.write_text('{"vars": {"issue": "1", "colour": "red"}, "repo": "o/r"}\n{"vars": {}, "repo": "o/r"}\n')
    result = runner.invoke(cli, ["batch", "run", str(tasks), "--template", "fix-issue"])
    text = str(result.exception) + result.output
    assert "line 1: unknown template variable(s) 'colour'" in text
    assert "line 2: template 'fix-issue' needs the variable 'issue'" in text
    result = runner.invoke(cli, ["batch", "run", str(tasks), "--template", "no-such-template"])
    assert result.exit_code == 2 and "no prompt template named" in result.output


def test_status_results_and_cancel_rules(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    specs = parse_tasks([{"key": "a", "message": "x", "secrets": {"T": "s3cret"}}, {"key": "b", "message": "y"}])
    ledger = Ledger.create(path, specs, {"concurrency": 2, "base_url": "http://127.0.0.1:9"})
    ledger.mark_starting("a")
    ledger.mark_running("a", "e" * 32)
    ledger.end("a", "finished", Ended(cost=0.25, prompt_tokens=10, completion_tokens=2, prs=[3], url="u"))
    ledger.close()

    status = runner.invoke(cli, ["batch", "status", str(path), "--json"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert data["counts"]["finished"] == 1 and data["counts"]["pending"] == 1 and data["cost"] == 0.25
    assert not data["done"] and not data["running_elsewhere"]

    results = runner.invoke(cli, ["batch", "results", str(path), "--json"])
    rows = [json.loads(line) for line in results.output.splitlines()]
    assert [r["key"] for r in rows] == ["a", "b"]
    assert rows[0]["outcome"] == "finished" and rows[0]["prs"] == [3] and rows[0]["conversation_id"]
    assert rows[1]["outcome"] is None and rows[1]["conversation_id"] is None
    assert "s3cret" not in results.output and rows[0]["input"]["secrets"]  # names at most, never values

    refused = runner.invoke(cli, ["batch", "cancel", str(path)])
    assert refused.exit_code == 2 and "--yes" in refused.output  # no terminal: nothing to confirm with
    missing = runner.invoke(cli, ["batch", "status", str(tmp_path / "nope.db")])
    assert missing.exit_code == 1 and "No batch ledger" in (str(missing.exception) + missing.output)


def test_plain_progress_lines(capsys: pytest.CaptureFixture[str]) -> None:
    from ohctl.batch.runner import BatchEvent
    from ohctl.cli.commands.batch_progress import PlainProgress, counts_line

    progress = PlainProgress(total=3)
    counts = {"pending": 1, "running": 1, "finished": 1}
    progress(BatchEvent("starting", "a", "starting", counts, 0.0))  # not worth a line
    progress(BatchEvent("concurrency", None, "concurrency 4 -> 2", counts, 0.5))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "concurrency 4 -> 2" in err[0]
    assert counts_line(counts, 0.5, 3).startswith("started 2/3  running 1  finished 1")
