"""The agent-server client against the REAL standalone agent server (latest release, 1.58.x)."""

from __future__ import annotations

import hashlib
import io
import os
import shlex
import subprocess
import tarfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import ohctl
from tests.support.harness import Peer
from tests.support.peer_suite import AGENT_KEY, eventually, scripted_llm_settings
from tests.support.scripted_llm import FINISH_MESSAGE, SIDE_ANSWER, ScriptedLLM, command_marker

MB = 1024 * 1024


def test_server_details(agent: ohctl.AgentServer) -> None:
    info = agent.info()
    assert info.version and info.version.startswith("1.")
    assert agent.alive() and agent.ready()
    assert agent.health() == {"status": "ok"}
    tools = agent.tools()
    assert "terminal" in tools and "file_editor" in tools
    status = agent.vscode_status()
    assert isinstance(status.enabled, bool) and status.running is False
    assert agent.vscode_url() is None  # not running: no URL handed out
    assert agent.vscode_url(check=False) is None  # 1.58 itself answers null while VS Code is not running
    assert AGENT_KEY not in repr(agent)


def test_wrong_session_key(agent_peer: Peer) -> None:
    with ohctl.AgentServer(agent_peer.base_url, "not-the-key") as bad:
        with pytest.raises(ohctl.SessionKeyError, match="session API key") as info:
            bad.bash.execute("true")
        assert "not-the-key" not in str(info.value)
        assert bad.alive()  # the health routes need no key


def test_bash_execute(agent: ohctl.AgentServer, tmp_path: Path) -> None:
    result = agent.bash.execute("pwd; echo out; echo err >&2; exit 3", cwd=str(tmp_path))
    assert result.exit_code == 3 and not result.ok
    assert result.stdout.splitlines() == [str(tmp_path), "out"]
    assert result.stderr.strip() == "err"
    # More than one 1 MiB chunk: the whole output comes back, joined in order.
    big = agent.bash.execute("python3 -c \"print(''.join(str(i % 10) for i in range(2500000)))\"")
    assert big.ok and big.chunks >= 3
    assert big.stdout.rstrip("\n") == "".join(str(i % 10) for i in range(2500000))
    with pytest.raises(ValueError, match="empty"):
        agent.bash.execute("  ")


def test_bash_stream_follow_stop_and_events(agent: ohctl.AgentServer, tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "for i in range(3):\n"
        "    sys.stdout.write(str(i) * 1500000 + '\\n'); sys.stdout.flush(); time.sleep(1)\n"
    )
    started = time.monotonic()
    arrivals = []
    chunks = []
    for output in agent.bash.stream(f"python3 -c {shlex.quote(script)}"):
        arrivals.append(time.monotonic() - started)
        chunks.append(output)
    orders = [c.order for c in chunks]
    assert orders == sorted(orders) == list(range(len(chunks))) and len(chunks) >= 4
    assert chunks[-1].exit_code == 0 and all(c.exit_code is None for c in chunks[:-1])
    assert arrivals[0] < arrivals[-1] - 1.0  # output arrived while the command still ran
    text = "".join(c.stdout or "" for c in chunks)
    assert text == "".join(str(i) * 1500000 + "\n" for i in range(3))

    # The command says it runs by creating a file (the agent server runs on this machine): its output
    # is not a signal, since the agent server may hold a short output until the command ends.
    running = tmp_path / "running"
    command = agent.bash.start(f"echo begin; touch {shlex.quote(str(running))}; sleep 60; echo never")
    eventually(running.exists, timeout=30, interval=0.2, what="the command is running")
    assert agent.bash.stop(command) is True
    tail = list(agent.bash.follow(command, timeout=30))
    assert tail[-1].exit_code not in (None, 0)  # killed
    assert "never" not in "".join(o.stdout or "" for o in tail)

    outputs = list(agent.bash.events(command_id=command.id, kind="BashOutput"))
    assert [o.id for o in outputs] == [o.id for o in tail]
    [cmd_event] = [e for e in agent.bash.events(kind="BashCommand") if e.id == command.id]
    assert isinstance(cmd_event, ohctl.types.BashCommand) and cmd_event.command.startswith("echo begin")
    assert list(agent.bash.events(command_id=command.id, kind="BashOutput", after_order=tail[-1].order)) == []
    got = agent.bash.get_events([tail[-1].id or "", "0" * 32])
    assert got[0] is not None and got[0].id == tail[-1].id and got[1] is None
    assert len(list(agent.bash.events(page_size=2, limit=5))) == 5  # lazy paging across pages
    assert agent.bash.clear_events() >= 1
    assert list(agent.bash.events(command_id=command.id)) == []


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


def test_large_upload_download_flat_memory(agent: ohctl.AgentServer, agent_peer: Peer, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    with source.open("wb") as out:
        for _ in range(60):
            out.write(os.urandom(MB))
    remote = str(agent_peer.workdir / "files" / "nested" / "big.bin")
    local = tmp_path / "back.bin"
    tracemalloc.start()
    try:
        uploaded = agent.files.upload(source, remote)
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        download = agent.files.download(remote, local)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert uploaded.success and uploaded.file_size == 60 * MB
    assert download.bytes_written == 60 * MB and download.path == local
    assert _sha256(local) == _sha256(source) == _sha256(Path(remote))
    # 60 MiB went each way; the client never held more than a few chunks of it.
    assert upload_peak < 8 * MB, upload_peak
    assert download_peak < 8 * MB, download_peak
    assert not list(tmp_path.glob("*.part"))


def test_files_small_paths_archive(agent: ohctl.AgentServer, agent_peer: Peer, tmp_path: Path) -> None:
    root = agent_peer.workdir / "files" / "small"
    agent.files.upload(b"from bytes\n", f"{root}/a.txt")
    agent.files.upload(io.BytesIO(b"from a stream\n"), f"{root}/sub/b.txt")
    (tmp_path / "c.txt").write_text("from a path\n")
    agent.files.upload(tmp_path / "c.txt", f"{root}/c.txt")
    assert agent.files.read_text(f"{root}/a.txt") == "from bytes\n"
    assert agent.files.read_bytes(f"{root}/sub/b.txt") == b"from a stream\n"
    buffer = io.BytesIO()
    assert agent.files.download(f"{root}/c.txt", buffer).bytes_written == len(b"from a path\n")
    saved = agent.files.download(f"{root}/c.txt", tmp_path)  # a directory keeps the file name
    assert saved.path == tmp_path / "c.txt"
    with pytest.raises(ValueError, match="absolute"):
        agent.files.upload(b"x", "relative/path.txt")
    with pytest.raises(ohctl.NotFoundError):
        agent.files.download(f"{root}/missing.txt", tmp_path / "missing.txt")
    assert not (tmp_path / "missing.txt").exists() and not (tmp_path / "missing.txt.part").exists()

    assert agent.files.create_directory(f"{root}/made/deep") is True
    assert (root / "made" / "deep").is_dir()
    assert any(item.to_dict().get("name") == "made" for item in agent.files.subdirectories(str(root)))
    assert agent.files.home().to_dict().get("home")

    archive = agent.files.archive(str(root), tmp_path / "small.tar.gz")
    assert archive.bytes_written > 0
    unpacked = ohctl.safe_extract(tmp_path / "small.tar.gz", tmp_path / "unpacked")
    names = sorted(p.relative_to(tmp_path / "unpacked").as_posix() for p in unpacked)
    assert any(n.endswith("a.txt") for n in names) and any(n.endswith("sub/b.txt") for n in names)


def test_safe_extract_refuses_escapes(tmp_path: Path) -> None:
    for name in ("../evil.txt", "/abs/evil.txt", "ok/../../evil.txt", "C:/evil.txt"):
        bad = tmp_path / "bad.zip"
        with zipfile.ZipFile(bad, "w") as archive:
            archive.writestr("fine.txt", "fine")
            archive.writestr(name, "evil")
        with pytest.raises(ohctl.UnsafeArchiveError):
            ohctl.safe_extract(bad, tmp_path / "out")
        assert not (tmp_path / "out" / "fine.txt").exists()  # nothing written when one entry is bad
    link = tmp_path / "link.tar.gz"
    with tarfile.open(link, "w:gz") as archive:
        info = tarfile.TarInfo("escape")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(ohctl.UnsafeArchiveError, match="only files"):
        ohctl.safe_extract(link, tmp_path / "out2")


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "ohctl",
        "GIT_AUTHOR_EMAIL": "ohctl@example.invalid",
        "GIT_COMMITTER_NAME": "ohctl",
        "GIT_COMMITTER_EMAIL": "ohctl@example.invalid",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def test_git_changes_diff_commits(agent: ohctl.AgentServer, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "keep.txt").write_text("one\ntwo\n")
    (repo / "gone.txt").write_text("bye\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first commit")
    (repo / "keep.txt").write_text("one\n2\n")
    (repo / "gone.txt").unlink()
    (repo / "new.txt").write_text("hello\n")

    changes = {c.path: str(c.status) for c in agent.git.changes(str(repo))}
    assert changes["keep.txt"] == "UPDATED" and changes["gone.txt"] == "DELETED" and changes["new.txt"] == "ADDED"
    diff = agent.git.diff(str(repo / "keep.txt"))
    assert diff.original is not None and "two" in diff.original and "2" in (diff.modified or "")
    page = agent.git.commits(str(repo))
    assert [c.subject for c in page.commits] == ["first commit"] and page.has_more is False
    sha = page.commits[0].sha
    assert sorted(c.path for c in agent.git.commit_changes(sha, str(repo))) == ["gone.txt", "keep.txt"]
    with pytest.raises(ValueError, match="absolute"):
        agent.git.changes("repo")


def test_conversation_lifecycle(agent: ohctl.AgentServer, llm: ScriptedLLM, tmp_path: Path) -> None:
    conv = agent.conversations.start(
        "Count to three [ohctl:long:3]",
        workspace=str(tmp_path),
        llm=scripted_llm_settings(llm),
        tags={"suite": "ohctl"},
    )
    cid = conv.id
    done = agent.conversations.wait(cid, timeout=120)
    assert done.execution_status == "finished"
    assert agent.conversations.final_response(cid) == FINISH_MESSAGE

    events = list(agent.events.search(cid))
    assert agent.events.count(cid) == len(events) >= 10
    assert len({e.id for e in events}) == len(events)
    assert [e.timestamp for e in events] == sorted(e.timestamp or "" for e in events)
    actions = list(agent.events.search(cid, kind="ActionEvent"))
    assert [a.tool_name for a in actions] == ["terminal"] * 3 + ["finish"]  # type: ignore[attr-defined]
    assert agent.events.count(cid, kind=ohctl.types.MessageEvent) == 1
    assert agent.events.count(cid, source="user") == 1
    assert agent.events.count(cid, body="count to three") == 1
    newest = list(agent.events.search(cid, sort_order="TIMESTAMP_DESC", page_size=3, limit=4))
    assert [e.id for e in newest] == [e.id for e in reversed(events)][:4]
    unknown = "00000000-0000-4000-8000-000000000000"
    got = agent.events.get([events[0].id, unknown, events[-1].id], cid)
    assert got[0] is not None and got[0].id == events[0].id and got[1] is None and got[2] is not None
    assert agent.events.retrieve(unknown, cid) is None
    with pytest.raises(ValueError, match="Unknown event kind"):
        agent.events.search(cid, kind="NoSuchEvent")

    # The live stream of a finished conversation: the same events, once each, then it ends.
    streamed = list(agent.stream_events(cid, until_done=True))
    assert [e.id for e in streamed] == [e.id for e in events]

    info = agent.conversations.info(cid)
    assert info.tags == {"suite": "ohctl"} and info.last_user_message_id
    assert agent.conversations.update(cid, title="Renamed by ohctl", tags={"suite": "ohctl", "x": "1"})
    assert agent.conversations.info(cid).title == "Renamed by ohctl"
    assert agent.conversations.ask("What did you do?", cid) == SIDE_ANSWER
    assert agent.conversations.generate_title(cid, max_length=30) == SIDE_ANSWER
    assert agent.conversations.info(cid).title == SIDE_ANSWER

    # A message without running: stored, and the agent does not act on it until run.
    agent.conversations.send_message(cid, "Once more [ohctl:long:1]", run=False)
    assert agent.events.count(cid, kind="MessageEvent", source="user") == 2
    time.sleep(1.0)
    assert str(agent.conversations.info(cid).execution_status) in ("idle", "finished")
    assert agent.events.count(cid, kind="ActionEvent") == 4
    assert agent.conversations.run(cid) is True
    again = agent.conversations.wait(cid, timeout=120, fresh=True)
    assert again.execution_status == "finished"
    assert agent.events.count(cid, kind="ActionEvent") == 4 + 4  # the scripted scenario replays per run

    listed = [c.id for c in agent.conversations.search(page_size=1)]
    assert cid in listed
    assert agent.conversations.count() == len(listed)
    assert [c.id if c else None for c in agent.conversations.get([cid, unknown])] == [cid, None]

    zipped = agent.files.download_trajectory(tmp_path, cid)
    assert zipped.path is not None
    unpacked = ohctl.safe_extract(zipped.path, tmp_path / "trajectory")
    names = [p.name for p in unpacked]
    assert "base_state.json" in names
    assert sum(1 for n in names if n.startswith("event-")) == agent.events.count(cid)

    assert agent.conversations.delete(cid) is True
    assert agent.conversations.delete(cid) is False  # already gone
    with pytest.raises(ohctl.NotFoundError):
        agent.conversations.info(cid)


def test_confirmation_mode_approve(agent: ohctl.AgentServer, llm: ScriptedLLM, tmp_path: Path) -> None:
    marker = tmp_path / "approved.txt"
    conv = agent.conversations.start(
        f"Write a file {command_marker(f'echo yes > {marker}')}",
        workspace=str(tmp_path),
        llm=scripted_llm_settings(llm),
        confirmation_policy="AlwaysConfirm",
    )
    with pytest.raises(ohctl.NeedsInputError) as waiting:
        agent.conversations.wait(conv.id, timeout=120)
    assert str(waiting.value.conversation.execution_status) == "waiting_for_confirmation"
    assert not marker.exists()  # the command waits for approval
    approvals = 0
    while True:
        agent.conversations.approve(conv.id)
        approvals += 1
        try:
            done = agent.conversations.wait(conv.id, timeout=120, fresh=True)
            break
        except ohctl.NeedsInputError:
            assert approvals < 5
    assert done.execution_status == "finished"
    assert marker.read_text() == "yes\n"
    # Rejected: the command never runs and the rejection is recorded.
    rejected_marker = tmp_path / "rejected.txt"
    other = agent.conversations.start(
        f"Write a file {command_marker(f'echo no > {rejected_marker}')}",
        workspace=str(tmp_path),
        llm=scripted_llm_settings(llm),
        confirmation_policy="AlwaysConfirm",
    )
    with pytest.raises(ohctl.NeedsInputError):
        agent.conversations.wait(other.id, timeout=120)
    agent.conversations.reject(other.id, reason="not this one")
    _until(lambda: str(agent.conversations.info(other.id).execution_status) == "idle")  # waits for the user
    [rejection] = list(agent.events.search(other.id, kind="UserRejectObservation"))
    assert rejection.to_dict().get("rejection_reason") == "not this one"
    assert not rejected_marker.exists()
    agent.conversations.delete(other.id)
    with pytest.raises(ValueError, match="confirmation policy"):
        agent.conversations.set_confirmation_policy("Sometimes", conv.id)
    agent.conversations.set_confirmation_policy("NeverConfirm", conv.id)
    assert agent.conversations.info(conv.id).confirmation_policy == {"kind": "NeverConfirm"}
    agent.conversations.delete(conv.id)


def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def test_interrupt_pause_and_run(agent: ohctl.AgentServer, llm: ScriptedLLM, tmp_path: Path) -> None:
    def status(cid: str) -> str:
        return str(agent.conversations.info(cid).execution_status)

    settings = scripted_llm_settings(llm)
    slow = agent.conversations.start("Sleep [ohctl:slow:30]", workspace=str(tmp_path), llm=settings)
    _until(lambda: agent.events.count(slow.id, kind="ActionEvent") == 1)  # the 30 s command runs
    started = time.monotonic()
    agent.conversations.interrupt(slow.id)
    _until(lambda: status(slow.id) == "paused")
    assert time.monotonic() - started < 20  # cut short, not after the 30 s command
    assert agent.conversations.run(slow.id) is True
    assert agent.conversations.wait(slow.id, timeout=120, fresh=True).execution_status == "finished"

    steady = agent.conversations.start("Sleep [ohctl:slow:3]", workspace=str(tmp_path), llm=settings)
    _until(lambda: status(steady.id) == "running")
    agent.conversations.pause(steady.id)
    _until(lambda: status(steady.id) == "paused")
    assert agent.events.count(steady.id, kind="PauseEvent") == 1
    assert agent.conversations.run(steady.id) is True
    assert agent.conversations.wait(steady.id, timeout=120, fresh=True).execution_status == "finished"
