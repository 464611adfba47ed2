"""``Patch``: the sandbox's git scripts (run here, on local repositories, with bash), parsing the
diff, choosing the base from the reflog, and ``Patch.apply`` on local repositories: a new branch, a
new worktree, conflicts refused with nothing changed, a dirty tree, the three-way merge."""

from __future__ import annotations

import shlex
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ohctl
from ohctl._async.lib.patch import (
    DIFF_SCRIPT,
    EXCLUDES,
    STATE_SCRIPT,
    ReflogEntry,
    SandboxState,
    choose_base,
    parse_state,
    pushed_branches,
    start_time,
)
from ohctl._patch import parse_patch, unquote

CID = "0123456789abcdef0123456789abcdef"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for name, content in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(content)
    git(path, "add", "-A")
    git(path, "commit", "-qm", "init")
    return path


def bash(script: str) -> str:
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def state_of(repo: Path, first_event: str = "") -> SandboxState:
    return parse_state(bash(STATE_SCRIPT.format(root=shlex.quote(str(repo)), started=shlex.quote(first_event))))


def sandbox_patch(repo: Path, created_at: datetime | None = None, first_event: str = "") -> ohctl.Patch:
    """What ``conversations.patch`` makes, with the same scripts, run here instead of in a sandbox."""
    state = state_of(repo, first_event)
    head, branch = state.head, state.branch
    base, how = choose_base(head, state.entries, start_time(state, created_at))
    where = bash(DIFF_SCRIPT.format(root=shlex.quote(str(repo)), base=shlex.quote(base or ""), excludes=EXCLUDES))
    tmp = Path(where.strip())
    data = (tmp / "patch").read_bytes()
    bash(f"rm -rf {shlex.quote(str(tmp))}")
    return ohctl.Patch.from_text(
        data.decode("utf-8", "surrogateescape"),
        conversation_id=CID,
        repository_path=str(repo),
        base_commit=base,
        base=how,
        head_commit=head,
        branch=branch,
    )


BASE_FILES = {"a.txt": "".join(f"{n}\n" for n in range(1, 11)), "keep.txt": "keep\n", "gone.txt": "bye\n"}


@pytest.fixture
def change(tmp_path: Path) -> tuple[Path, ohctl.Patch]:
    """A sandbox repository where the agent changed, added (text and binary), removed and committed
    files, plus the server's own files; and the local checkout it was cloned from."""
    local = make_repo(tmp_path / "local", BASE_FILES)
    sandbox = tmp_path / "sandbox"
    subprocess.run(["git", "clone", "-q", str(local), str(sandbox)], check=True)
    git(sandbox, "checkout", "-q", "-b", "openhands-workspace-x")
    (sandbox / "a.txt").write_text((sandbox / "a.txt").read_text().replace("2\n", "two\n"))
    git(sandbox, "commit", "-qam", "agent commit")
    (sandbox / "a.txt").write_text((sandbox / "a.txt").read_text().replace("9\n", "nine\n"))
    (sandbox / "new dir").mkdir()
    (sandbox / "new dir" / "n.txt").write_text("new\n")
    (sandbox / "img.bin").write_bytes(b"\x00\x01\x02binary\xff")
    (sandbox / "gone.txt").unlink()
    (sandbox / ".gitignore").write_text("ignored.log\n")
    (sandbox / "ignored.log").write_text("not part of the change\n")
    (sandbox / ".openhands-agent-server.log").write_text("server log\n")
    (sandbox / ".agents_tmp").mkdir()
    (sandbox / ".agents_tmp" / "PLAN.md").write_text("plan\n")
    (sandbox / "workspace" / "conversations").mkdir(parents=True)
    (sandbox / "workspace" / "conversations" / "c.json").write_text("{}\n")
    return local, sandbox_patch(sandbox)


# -- making the patch ---------------------------------------------------------------------------


def test_the_patch_holds_the_agents_work_and_not_the_servers_files(change: tuple[Path, ohctl.Patch]) -> None:
    local, patch = change
    assert patch.base == "first" and patch.base_commit == git(local, "rev-parse", "HEAD")
    assert patch.branch == "openhands-workspace-x"
    by_path = {f.path: f for f in patch.files}
    assert set(by_path) == {"a.txt", "new dir/n.txt", "img.bin", "gone.txt", ".gitignore"}
    assert by_path["a.txt"].status == "modified" and (by_path["a.txt"].additions, by_path["a.txt"].deletions) == (2, 2)
    assert by_path["new dir/n.txt"].status == "added" and by_path["new dir/n.txt"].additions == 1
    assert by_path["img.bin"].binary and by_path["img.bin"].status == "added"
    assert by_path["gone.txt"].status == "deleted" and by_path["gone.txt"].deletions == 1
    assert patch.stats.files == 5 and patch.stats.additions == 4 and patch.stats.deletions == 3
    assert "GIT binary patch" in patch.text


def test_the_sandbox_index_is_left_as_it_was(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.txt": "a\n"})
    (repo / "b.txt").write_text("b\n")
    sandbox_patch(repo)
    assert git(repo, "status", "--porcelain") == "?? b.txt"


def test_the_base_is_head_when_the_conversation_started(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.txt": "a\n"})
    first = git(repo, "rev-parse", "HEAD")
    later = datetime.now() + timedelta(seconds=2)  # the agent server's naive local time
    state = state_of(repo, later.isoformat())
    assert state.started == int(later.timestamp())  # the sandbox's `date` read it
    assert choose_base(state.head, state.entries, start_time(state, None)) == (first, "start")


def test_the_start_is_the_earlier_of_the_first_event_and_created_at() -> None:
    created = datetime(2026, 1, 1, 12, 0, 1, tzinfo=timezone.utc)
    state = SandboxState(None, None, [], created.timestamp() - 0.5)
    assert start_time(state, created) == created.timestamp() - 0.5
    assert start_time(SandboxState(None, None, [], None), created.replace(tzinfo=None)) == created.timestamp()
    assert start_time(SandboxState(None, None, [], None), None) is None


def test_choose_base() -> None:
    t = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc).timestamp() + 0.7
    later = [ReflogEntry("c" * 40, t + 60, "commit: agent"), ReflogEntry("b" * 40, t + 5, "clone: from x")]
    assert choose_base("c" * 40, later, t) == ("b" * 40, "first")
    made = [ReflogEntry("c" * 40, t + 60, "commit: more"), ReflogEntry("b" * 40, t + 5, "commit (initial): x")]
    assert choose_base("c" * 40, made, t) == (None, "created")
    mixed = [later[0], ReflogEntry("a" * 40, t - 60, "commit: before"), ReflogEntry("9" * 40, t - 99, "clone")]
    assert choose_base("c" * 40, mixed, t) == ("a" * 40, "start")
    # The second the conversation started in is not "before": the agent may have committed in it.
    same = [ReflogEntry("c" * 40, int(t), "commit: agent"), ReflogEntry("b" * 40, int(t) - 1, "clone: from x")]
    assert choose_base("c" * 40, same, t) == ("b" * 40, "start")
    assert choose_base("c" * 40, same[:1], t) == ("c" * 40, "first")
    assert choose_base("d" * 40, [], t) == ("d" * 40, "head")
    assert choose_base(None, [], None) == (None, "head")


def test_a_repository_the_agent_made_is_all_new(tmp_path: Path) -> None:
    started = datetime.now(timezone.utc).timestamp() - 3600
    repo = make_repo(tmp_path / "r", {"a.txt": "a\n"})
    patch = sandbox_patch(repo, created_at=datetime.fromtimestamp(started, timezone.utc))
    assert patch.base == "created" and patch.base_commit is None
    assert [(f.path, f.status) for f in patch.files] == [("a.txt", "added")]


def test_pushed_branches() -> None:
    out = (
        "Enumerating objects: 5, done.\nTo https://github.com/o/r.git\n"
        " * [new branch]      fix-bug -> fix-bug\n"
        "   1a2b3c4..5d6e7f8  main -> main\n"
        " + 1a2b3c4...5d6e7f8 forced -> forced (forced update)\n"
        " ! [rejected]        other -> other (non-fast-forward)\n"
        " - [deleted]         old\n"
    )
    assert pushed_branches(out) == ["fix-bug", "main", "forced"]
    assert pushed_branches("a -> b") == []  # not after a "To <remote>" line


# -- parsing ------------------------------------------------------------------------------------


def test_parse_renames_modes_and_quoted_names() -> None:
    text = (
        "diff --git a/old.txt b/new.txt\nsimilarity index 90%\nrename from old.txt\nrename to new.txt\n"
        "index 1..2 100644\n--- a/old.txt\n+++ b/new.txt\n@@ -1 +1 @@\n-x\n+y\n"
        "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
        'diff --git "a/t\\303\\251st.txt" "b/t\\303\\251st.txt"\nnew file mode 100644\nindex 0..1\n'
        '--- /dev/null\n+++ "b/t\\303\\251st.txt"\n@@ -0,0 +1,2 @@\n+1\n+2\n\\ No newline at end of file\n'
    )
    files = parse_patch(text)
    assert [(f.path, f.old_path, f.status) for f in files] == [
        ("new.txt", "old.txt", "renamed"),
        ("run.sh", "run.sh", "mode"),
        ("tést.txt", "tést.txt", "added"),
    ]
    assert files[0].hunks[0].old_start == 1 and files[0].hunks[0].text == "@@ -1 +1 @@\n-x\n+y\n"
    assert files[2].additions == 2 and files[2].hunks[0].text.endswith("No newline at end of file\n")
    assert unquote('"a\\tb"') == "a\tb" and unquote("plain") == "plain"


# -- applying -----------------------------------------------------------------------------------


def branches(repo: Path) -> str:
    return git(repo, "branch", "--format=%(refname:short)")


def test_apply_on_a_new_branch(change: tuple[Path, ohctl.Patch]) -> None:
    local, patch = change
    main = git(local, "rev-parse", "HEAD")
    done = patch.apply(local)
    assert done.branch == "ohctl/01234567" and done.previous == "main" and not done.three_way
    assert git(local, "rev-parse", "--abbrev-ref", "HEAD") == "ohctl/01234567"
    assert git(local, "rev-parse", "HEAD~1") == main and git(local, "rev-parse", "HEAD") == done.commit
    assert (local / "a.txt").read_text().splitlines()[1:9:7] == ["two", "nine"]
    assert (local / "new dir" / "n.txt").read_text() == "new\n" and not (local / "gone.txt").exists()
    assert (local / "img.bin").read_bytes() == b"\x00\x01\x02binary\xff"
    assert git(local, "status", "--porcelain") == ""
    assert CID in git(local, "log", "-1", "--format=%B")


def test_apply_into_a_new_worktree(change: tuple[Path, ohctl.Patch], tmp_path: Path) -> None:
    local, patch = change
    done = patch.apply(local, worktree=tmp_path / "wt", branch="agent/fix")
    assert done.worktree == str((tmp_path / "wt").resolve()) and done.branch == "agent/fix"
    assert git(local, "rev-parse", "--abbrev-ref", "HEAD") == "main"  # the checkout stays where it was
    assert (local / "gone.txt").exists() and not (local / "img.bin").exists()
    assert (tmp_path / "wt" / "new dir" / "n.txt").read_text() == "new\n"
    assert git(tmp_path / "wt", "rev-parse", "--abbrev-ref", "HEAD") == "agent/fix"


def test_a_conflict_is_refused_with_nothing_changed(change: tuple[Path, ohctl.Patch]) -> None:
    local, patch = change
    (local / "a.txt").write_text((local / "a.txt").read_text().replace("9\n", "NINE\n"))
    (local / "new dir").mkdir()
    (local / "new dir" / "n.txt").write_text("mine\n")
    git(local, "add", "-A")
    git(local, "commit", "-qm", "local work")
    before = (git(local, "rev-parse", "HEAD"), branches(local), git(local, "status", "--porcelain"))
    with pytest.raises(ohctl.PatchConflictError) as caught:
        patch.apply(local)
    found = {c.path: c for c in caught.value.conflicts}
    assert set(found) == {"a.txt", "new dir/n.txt"}
    assert found["a.txt"].line == 1 and found["a.txt"].hunk is not None and "+nine" in found["a.txt"].hunk
    assert "exists here already" in found["new dir/n.txt"].reason
    assert "nothing was changed" in str(caught.value) and "three_way=True" in caught.value.hint
    assert (git(local, "rev-parse", "HEAD"), branches(local), git(local, "status", "--porcelain")) == before


def test_three_way_merges_what_applies_and_refuses_what_conflicts(change: tuple[Path, ohctl.Patch]) -> None:
    local, patch = change
    text = (local / "a.txt").read_text()
    (local / "a.txt").write_text(text.replace("5\n", "five\n"))  # no overlap with the agent's lines
    git(local, "commit", "-qam", "local work")
    with pytest.raises(ohctl.PatchConflictError):
        patch.apply(local, branch="plain")  # the hunk's context moved: no direct application
    done = patch.apply(local, three_way=True)
    assert done.three_way and "five" in (local / "a.txt").read_text() and "nine" in (local / "a.txt").read_text()
    git(local, "checkout", "-q", "main")
    (local / "a.txt").write_text(text.replace("9\n", "NINE\n"))
    git(local, "commit", "-qam", "overlapping work")
    before = (git(local, "rev-parse", "HEAD"), branches(local))
    with pytest.raises(ohctl.PatchConflictError) as caught:
        patch.apply(local, three_way=True, branch="merge")
    assert [c.path for c in caught.value.conflicts] == ["a.txt"]
    assert "three-way merge conflicts" in caught.value.conflicts[0].reason
    assert (git(local, "rev-parse", "HEAD"), branches(local)) == before


def test_a_dirty_checkout_is_refused_unless_forced(change: tuple[Path, ohctl.Patch]) -> None:
    local, patch = change
    (local / "keep.txt").write_text("edited\n")
    with pytest.raises(ohctl.PatchApplyError, match="uncommitted changes"):
        patch.apply(local)
    assert branches(local) == "main"
    done = patch.apply(local, force=True)
    assert (local / "keep.txt").read_text() == "edited\n" and git(local, "rev-parse", "HEAD") == done.commit


def test_a_forced_apply_over_changes_the_patch_touches_is_undone(change: tuple[Path, ohctl.Patch]) -> None:
    local, patch = change
    (local / "a.txt").write_text("edited\n")
    with pytest.raises(ohctl.PatchApplyError, match="nothing was changed"):
        patch.apply(local, force=True)
    assert branches(local) == "main" and (local / "a.txt").read_text() == "edited\n"


def test_refusals(change: tuple[Path, ohctl.Patch], tmp_path: Path) -> None:
    local, patch = change
    git(local, "branch", "ohctl/01234567")
    with pytest.raises(ohctl.PatchApplyError, match="exists already"):
        patch.apply(local)
    with pytest.raises(ohctl.PatchApplyError, match="not a valid branch name"):
        patch.apply(local, branch="no..dots")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(ohctl.PatchApplyError, match="not an empty directory"):
        patch.apply(local, branch="b", worktree=tmp_path / "full")
    (tmp_path / "plain").mkdir()
    with pytest.raises(ohctl.PatchApplyError, match="not in a git repository"):
        patch.apply(tmp_path / "plain")
    empty = ohctl.Patch.from_text("", conversation_id=CID, repository_path="/w")
    with pytest.raises(ohctl.PatchApplyError, match="left no change"):
        empty.apply(local, branch="c")


def test_bytes_that_are_not_utf8_survive(tmp_path: Path) -> None:
    local = make_repo(tmp_path / "local", {"latin.txt": "caf\n"})
    sandbox = tmp_path / "sandbox"
    subprocess.run(["git", "clone", "-q", str(local), str(sandbox)], check=True)
    (sandbox / "latin.txt").write_bytes(b"caf\xe9\n")
    patch = sandbox_patch(sandbox)
    assert patch.files[0].additions == 1
    patch.apply(local)
    assert (local / "latin.txt").read_bytes() == b"caf\xe9\n"


# -- a deleted sandbox ----------------------------------------------------------------------------


class _Events:
    def __init__(self, events: list[object]) -> None:
        self.events = events
        self.asked: dict[str, object] = {}

    def search(self, conversation: str, **params: object) -> list[object]:
        self.asked = params
        return self.events


class _Conversations:
    def __init__(self, conv: ohctl.types.AppConversation) -> None:
        self.conv = conv

    def retrieve(self, conversation: str) -> ohctl.types.AppConversation:
        return self.conv


class _Client:
    def __init__(self, conv: ohctl.types.AppConversation, events: list[object]) -> None:
        self.conversations = _Conversations(conv)
        self.events = _Events(events)


def test_a_deleted_sandbox_says_the_change_is_gone_and_names_what_was_pushed() -> None:
    from ohctl._sync.lib.patch import conversation_patch
    from ohctl.types.events import ObservationEvent

    pushed = ObservationEvent(
        id="e1",
        observation={
            "content": [{"type": "text", "text": "To https://github.com/o/r.git\n * [new branch] fix -> fix\n"}]
        },
    )
    conv = ohctl.types.AppConversation(
        id=CID, sandbox_id="s1", sandbox_status="MISSING", selected_repository="o/r", pr_number=[7]
    )
    client = _Client(conv, [pushed])
    with pytest.raises(ohctl.PatchUnavailableError) as caught:
        conversation_patch(client, CID)  # type: ignore[arg-type]
    assert caught.value.pushed_branches == ["fix"] and caught.value.pr_numbers == [7]
    message = str(caught.value)
    assert "MISSING" in message and "went with it" in message and "fix of o/r" in message and "#7" in message
    assert client.events.asked["kind"] == "ObservationEvent"
    quiet = _Client(conv.model_copy(update={"pr_number": []}), [])
    with pytest.raises(ohctl.PatchUnavailableError, match="nothing pushed from it can be seen"):
        conversation_patch(quiet, CID)  # type: ignore[arg-type]
