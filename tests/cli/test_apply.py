"""``ohctl apply`` and ``conversations.patch`` against the REAL app server and agent server: the
scripted agent changes a clone of a local repository in the suite's shared sandbox (commits, edits,
adds a file it leaves untracked), and the change lands on a new branch, in a new worktree, or is
refused, with nothing changed, where it conflicts."""

from __future__ import annotations

import json
import shlex
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

import ohctl
from tests.support.cli_runner import Oh
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import command_marker

LINES = "".join(f"{n}\n" for n in range(1, 11))


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@dataclass
class Change:
    conversation_id: str
    origin: Path  # the repository the sandbox's copy was cloned from
    sandbox_repo: str  # the clone in the sandbox, which the agent changed

    def checkout(self, where: Path) -> Path:
        """A local clone of the origin: what a user has when the agent's change comes home."""
        subprocess.run(["git", "clone", "-q", str(self.origin), str(where)], check=True)
        return where


def make_origin(where: Path) -> Path:
    where.mkdir()
    git(where, "init", "-q", "-b", "main")
    (where / "a.txt").write_text(LINES)
    (where / "keep.txt").write_text("keep\n")
    git(where, "add", "-A")
    git(where, "commit", "-qm", "init")
    return where


def clone_in_sandbox(client: ohctl.OpenHands, shared: Shared, origin: Path) -> str:
    """A clone of ``origin`` in the shared sandbox, by an absolute path (each conversation's terminal
    starts in a working directory of its own)."""
    with client.conversations.agent(shared.id) as agent:
        home = agent.conversations.working_directory(shared.id)
        absolute = agent.bash.execute(f"cd {shlex.quote(home)} && pwd -P")
        assert absolute.ok, absolute
        repo = f"{absolute.stdout.strip()}/apply-{uuid.uuid4().hex[:8]}"
        cloned = agent.bash.execute(f"git clone -q {shlex.quote(str(origin))} {shlex.quote(repo)}")
        assert cloned.ok, cloned
    return repo


def agent_work(repo: str) -> str:
    """What the scripted agent does: a commit (an edit, a new file), then an edit and a new file it
    leaves untracked."""
    return (
        f"cd {shlex.quote(repo)} && sed -i 's/^9$/nine/' a.txt && printf 'added\\n' > added.txt && "
        "git add added.txt && git -c user.name=agent -c user.email=agent@example.com commit -qm agent && "
        "sed -i 's/^2$/two/' a.txt && printf 'untracked\\n' > untracked.txt"
    )


@pytest.fixture(scope="module")
def change(base_url: str, shared: Shared, tmp_path_factory: pytest.TempPathFactory) -> Change:
    origin = make_origin(tmp_path_factory.mktemp("apply") / "origin")
    with ohctl.OpenHands(base_url=base_url, max_retries=4) as client:
        repo = clone_in_sandbox(client, shared, origin)
        work = agent_work(repo)
        conv = client.conversations.start(
            f"Change the repository {command_marker(work)}",
            title="ohctl apply",
            sandbox_id=shared.sandbox_id,
            wait="finished",
            timeout=300,
        )
        return Change(conv.id, origin, repo)


def test_the_patch_is_the_agents_work_against_the_commit_it_started_from(
    client: ohctl.OpenHands, change: Change
) -> None:
    patch = client.conversations.patch(change.conversation_id, path=change.sandbox_repo)
    assert patch.base == "start" and patch.base_commit == git(change.origin, "rev-parse", "HEAD")
    assert patch.repository_path == change.sandbox_repo and patch.head_commit != patch.base_commit
    by_path = {f.path: f for f in patch.files}
    assert set(by_path) == {"a.txt", "added.txt", "untracked.txt"}  # committed, staged and untracked
    assert (by_path["a.txt"].additions, by_path["a.txt"].deletions) == (2, 2)
    assert by_path["untracked.txt"].status == "added" and patch.stats.files == 3


def test_apply_onto_a_new_branch(oh: Oh, change: Change, tmp_path: Path) -> None:
    local = change.checkout(tmp_path / "local")
    main = git(local, "rev-parse", "HEAD")
    result = oh("apply", change.conversation_id, "--path", change.sandbox_repo, "-C", str(local))
    assert result.code == 0, result
    branch = f"ohctl/{change.conversation_id[:8]}"
    assert json.loads(result.stdout)["branch"] == branch  # JSON when piped
    assert "change: 3 file(s), +4 -2" in result.stderr
    assert git(local, "rev-parse", "--abbrev-ref", "HEAD") == branch and git(local, "rev-parse", "HEAD~1") == main
    assert (local / "a.txt").read_text() == LINES.replace("2\n", "two\n", 1).replace("9\n", "nine\n")
    assert (local / "added.txt").read_text() == "added\n" and (local / "untracked.txt").read_text() == "untracked\n"
    assert git(local, "status", "--porcelain") == ""


def test_apply_into_a_new_worktree(oh: Oh, change: Change, tmp_path: Path) -> None:
    local = change.checkout(tmp_path / "local")
    tree = tmp_path / "tree"
    result = oh(
        "apply", change.conversation_id, "--path", change.sandbox_repo, "-C", str(local), "--worktree", str(tree),
        "--branch", "agent/change", "--json",
    )  # fmt: skip
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert data["branch"] == "agent/change" and data["worktree"] == str(tree.resolve())
    assert data["stats"] == {"files": 3, "additions": 4, "deletions": 2}
    assert git(tree, "rev-parse", "HEAD") == data["commit"] and (tree / "added.txt").exists()
    assert git(local, "rev-parse", "--abbrev-ref", "HEAD") == "main" and not (local / "added.txt").exists()


def test_a_conflicting_apply_is_refused_with_nothing_changed(oh: Oh, change: Change, tmp_path: Path) -> None:
    local = change.checkout(tmp_path / "local")
    (local / "a.txt").write_text(LINES.replace("9\n", "NINE\n"))
    (local / "added.txt").write_text("mine\n")
    git(local, "add", "-A")
    git(local, "commit", "-qm", "local work")
    before = (git(local, "rev-parse", "HEAD"), git(local, "branch", "--list"), git(local, "status", "--porcelain"))
    result = oh("apply", change.conversation_id, "--path", change.sandbox_repo, "-C", str(local))
    assert result.code == 1, result
    assert "nothing was changed" in result.stderr and "hint: --3way merges" in result.stderr
    assert "a.txt: its content here differs" in result.stderr and "+nine" in result.stderr  # the hunk
    assert "added.txt: the agent added it, and it exists here already" in result.stderr
    after = (git(local, "rev-parse", "HEAD"), git(local, "branch", "--list"), git(local, "status", "--porcelain"))
    assert after == before and (local / "a.txt").read_text() == LINES.replace("9\n", "NINE\n")


def test_batch_apply_brings_a_tasks_change_home(
    oh: Oh, client: ohctl.OpenHands, shared: Shared, tmp_path: Path
) -> None:
    origin = make_origin(tmp_path / "origin")
    repo = clone_in_sandbox(client, shared, origin)
    tasks = tmp_path / "tasks.jsonl"
    task = {"key": "fix", "message": f"Change it {command_marker(agent_work(repo))}", "sandbox_id": shared.sandbox_id}
    tasks.write_text(json.dumps(task) + "\n")
    ran = oh("batch", "run", str(tasks), "--poll-interval", "1")
    assert ran.code == 0, ran
    ledger = str(tasks.with_suffix(".batch.db"))
    local = tmp_path / "local"
    subprocess.run(["git", "clone", "-q", str(origin), str(local)], check=True)
    result = oh("batch", "apply", ledger, "fix", "--path", repo, "-C", str(local), "--branch", "from-batch")
    assert result.code == 0, result
    assert json.loads(result.stdout)["branch"] == "from-batch"
    assert git(local, "rev-parse", "--abbrev-ref", "HEAD") == "from-batch" and (local / "untracked.txt").exists()
    missing = oh("batch", "apply", ledger, "no-such-key", "-C", str(local))
    assert missing.code == 2 and "no task 'no-such-key'" in missing.stderr
