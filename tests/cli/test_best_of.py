"""``ohctl run --attempts`` against the REAL app server: best of 3 where only one scripted attempt makes
the repository's test pass; ``--apply`` lands its change on a new branch of a local clone; with no
passing attempt the command exits NO_WINNER (12) and still shows every attempt."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import ohctl
from tests.support.best_of_repo import (
    FIX,
    FIXED,
    NO_FIX,
    SELECT,
    WRONG_FIX,
    attempt_commands,
    git,
    make_origin,
    work_path,
)
from tests.support.cli_runner import Oh
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import attempts_marker


def test_best_of_three_applies_the_one_that_passes(
    oh: Oh, shared: Shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = make_origin(tmp_path / "origin")
    local = tmp_path / "local"
    subprocess.run(["git", "clone", "-q", str(origin), str(local)], check=True)
    main = git(local, "rev-parse", "HEAD")
    monkeypatch.chdir(local)
    work = work_path()
    marker = attempts_marker(attempt_commands(origin, work, [NO_FIX, FIX, WRONG_FIX]))
    result = oh(
        "run", f"Make add() add {marker}", "--no-repo", "--sandbox", shared.sandbox_id, "--attempts", "3",
        "--select", SELECT, "--path", work, "--apply", "--timeout", "500",
    )  # fmt: skip
    assert result.code == 0, result
    winner = result.stdout.strip()
    assert len(winner.splitlines()) == 1 and len(winner) == 32, result  # only the winner's id on stdout
    lines = result.stderr.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("   #  CONVERSATION"))
    rows = lines[header + 1 : header + 4]
    assert [row.split()[0] for row in rows] == ["1", "*", "3"], result.stderr  # attempt 2 is marked
    assert winner in rows[1] and "finished  exit 0" in rows[1] and "1f +1 -1" in rows[1]
    assert "exit 1" in rows[0] and "1f +1 -0" in rows[0] and "exit 1" in rows[2]
    assert "FAILED (failures=1)" in result.stderr  # the tail of a loser's test output
    assert f"winner: attempt 2, conversation {winner}" in result.stderr
    branch = f"ohctl/{winner[:8]}"
    assert f"on the new branch {branch}" in result.stderr
    assert git(local, "rev-parse", "--abbrev-ref", "HEAD") == branch and git(local, "rev-parse", "HEAD~1") == main
    assert (local / "calc.py").read_text() == FIXED and git(local, "status", "--porcelain") == ""


def test_no_passing_attempt_exits_no_winner_with_every_attempt(oh: Oh, shared: Shared, tmp_path: Path) -> None:
    origin = make_origin(tmp_path / "origin")
    work = work_path()
    marker = attempts_marker(attempt_commands(origin, work, [WRONG_FIX, NO_FIX]))
    result = oh(
        "run", f"Make add() add {marker}", "--no-repo", "--sandbox", shared.sandbox_id, "--attempts", "2",
        "--select", SELECT, "--path", work, "--apply", "--json", "--timeout", "500",
    )  # fmt: skip
    assert result.code == ohctl.ExitCode.NO_WINNER == 12, result
    assert f"error: no attempt finished and passed `{SELECT}`" in result.stderr
    data = json.loads(result.stdout)
    assert data["winner_id"] is None and data["winner_index"] is None and "applied" not in data
    assert [(a["index"], a["outcome"], a["select_exit_code"]) for a in data["attempts"]] == [
        (1, "finished", 1),
        (2, "finished", 1),
    ]
    assert all("FAILED" in a["select_output"] and a["stopped"] for a in data["attempts"])


def test_best_of_options_need_attempts(oh: Oh) -> None:
    result = oh("run", "--no-repo", "--select", "pytest -q", "--apply", "a task")
    assert result.code == 2 and "--select, --apply go with --attempts N" in result.stderr, result
    result = oh("run", "--no-repo", "--attempts", "2", "--follow", "a task")
    assert result.code == 2 and "--attempts does not go with --follow" in result.stderr, result
    result = oh("run", "--no-repo", "--attempts", "11", "a task")
    assert result.code == 2 and "11 is not in the range 1<=x<=10" in result.stderr, result
