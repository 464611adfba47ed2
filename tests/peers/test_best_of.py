"""``ohctl.best_of`` against the REAL app server and agent server: three scripted attempts at one task
in the suite's shared sandbox, each cloning a local repository and changing it in its own way; the
selection command (the repository's unit test) runs in the sandbox after each finishes, and only the
attempt with the fix passes, so it wins although another change is smaller."""

from __future__ import annotations

from pathlib import Path

import pytest

import ohctl
from tests.support.best_of_repo import FIX, NO_FIX, SELECT, WRONG_FIX, attempt_commands, make_origin, work_path
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import attempts_marker


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_origin(tmp_path_factory.mktemp("best-of") / "origin")


def test_the_one_attempt_that_passes_the_selection_command_wins(
    client: ohctl.OpenHands, shared: Shared, origin: Path
) -> None:
    work = work_path()
    marker = attempts_marker(attempt_commands(origin, work, [WRONG_FIX, FIX, NO_FIX]))
    seen: list[tuple[int, str]] = []
    result = ohctl.best_of(
        client,
        f"Make add() add {marker}",
        attempts=3,
        select=SELECT,
        sandbox_id=shared.sandbox_id,
        path=work,
        timeout=500,
        on_update=lambda attempt, what: seen.append((attempt.index, what)),
    )
    assert [a.index for a in result.attempts] == [1, 2, 3]
    assert all(a.outcome == ohctl.Outcome.FINISHED for a in result.attempts), result
    assert len({a.conversation_id for a in result.attempts}) == 3
    wrong, fixed, untouched = result.attempts
    assert fixed.select_exit_code == 0 and "OK" in fixed.select_output, (fixed.select_output, result.attempts)
    for loser in (wrong, untouched):
        assert loser.select_exit_code == 1 and "FAILED" in loser.select_output, loser
        assert loser.stopped and not loser.sandbox_paused  # the sandbox was given: never paused
    # The smallest change (+1) did not pass: the fix (+1 -1) wins.
    assert untouched.diff == ohctl.PatchStats(files=1, additions=1, deletions=0)
    assert fixed.diff == wrong.diff == ohctl.PatchStats(files=1, additions=1, deletions=1)
    assert result.winner_index == 2 and result.winner is fixed and result.winner_id == fixed.conversation_id
    assert fixed.duration is not None and fixed.duration > 0 and fixed.sandbox_id == shared.sandbox_id
    assert {index for index, what in seen if what == "started"} == {1, 2, 3}
    assert (2, "finished; passed") in seen and (1, "finished; did not pass") in seen
    # The task each attempt was sent names the attempt.
    with client.conversations.agent(fixed.conversation_id or "") as agent:
        first = agent.events.search(fixed.conversation_id, kind="MessageEvent", limit=1)
        assert "(attempt 2 of 3)" in str([e.to_dict() for e in first])
    # The winner's change is the fix, ready to apply.
    assert fixed.repository_path and fixed.repository_path.endswith(work.replace("{attempt}", "2"))
    patch = client.conversations.patch(fixed.conversation_id or "", path=fixed.repository_path)
    assert "+    return a + b" in patch.text


def test_no_attempt_passes_so_there_is_no_winner(client: ohctl.OpenHands, shared: Shared, origin: Path) -> None:
    work = work_path()
    marker = attempts_marker(attempt_commands(origin, work, [WRONG_FIX, NO_FIX]))
    result = ohctl.best_of(
        client, f"Make add() add {marker}", attempts=2, select=SELECT, sandbox_id=shared.sandbox_id, path=work,
        timeout=500, prefer="time",
    )  # fmt: skip
    assert result.winner is None and result.winner_id is None
    assert [a.select_exit_code for a in result.attempts] == [1, 1]
    assert all(a.finished and not a.passed and a.stopped for a in result.attempts)
