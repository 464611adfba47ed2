"""Conversations, start tasks and events against the real app server."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

import ohctl
from ohctl.types import StartTaskStatus
from tests.support.peer_suite import LONG_STEPS, Shared, eventually
from tests.support.scripted_llm import FINISH_MESSAGE


def test_start_wait_finished(client: ohctl.OpenHands, shared: Shared) -> None:
    conv = client.conversations.retrieve(shared.id)
    assert conv.execution_status == "finished"
    assert conv.sandbox_status == "RUNNING"
    assert conv.title == "ohctl shared"  # set by PATCH after READY: the server ignores the start title
    assert conv.metrics is not None and conv.metrics.accumulated_token_usage is not None
    assert conv.metrics.accumulated_token_usage.prompt_tokens > 0
    assert conv.agent_server_url and conv.agent_server_url.startswith("http://")


def test_events_paged(client: ohctl.OpenHands, shared: Shared) -> None:
    minimum = 2 * LONG_STEPS + 2  # action+observation per step, plus finish
    total = eventually(lambda: (n := client.events.count(shared.id)) >= minimum and n, what=f"{minimum} events stored")
    pager = client.events.search(shared.id, page_size=5)
    pages = list(pager.pages())
    assert len(pages) >= 5 and all(len(p.items) <= 5 for p in pages)
    events = [e for p in pages for e in p.items]
    assert len(events) == total
    assert len({e.id for e in events}) == total  # no duplicates across pages
    stamps = [e.timestamp for e in events]
    assert stamps == sorted(stamps)  # TIMESTAMP order by default
    assert [e.id for e in client.events.search(shared.id, page_size=7)] == [e.id for e in events]
    newest = list(client.events.search(shared.id, sort_order="TIMESTAMP_DESC", limit=3))
    assert [e.id for e in newest] == [e.id for e in reversed(events)][:3]

    actions = list(client.events.search(shared.id, kind="ActionEvent"))
    assert all(isinstance(a, ohctl.types.ActionEvent) for a in actions)
    assert [a.tool_name for a in actions].count("terminal") == LONG_STEPS
    assert client.events.count(shared.id, kind="ActionEvent") == len(actions)
    observations = [e for e in events if isinstance(e, ohctl.types.ObservationEvent)]
    action_ids = {a.id for a in actions}
    assert observations and all(o.action_id in action_ids for o in observations)

    # time window: everything from the 5th event on
    since = events[4].timestamp
    assert client.events.count(shared.id, since=since) == total - 4
    assert client.events.count(shared.id, before=since) == 4

    got = client.events.get(shared.id, [events[0].id, events[-1].id])
    assert [g.id if g else None for g in got] == [events[0].id, events[-1].id]


@pytest.mark.anyio
async def test_events_async(aclient: ohctl.AsyncOpenHands, shared: Shared) -> None:
    first = await aclient.events.search(shared.id, page_size=3).first_page()
    assert len(first.items) == 3 and first.next_page_id
    ids = [e.id async for e in aclient.events.search(shared.id, page_size=50)]
    assert ids[:3] == [e.id for e in first.items]
    assert await aclient.events.count(shared.id) == len(ids)


def test_batch_get_and_search(client: ohctl.OpenHands, shared: Shared) -> None:
    missing = ohctl.ConversationId("0" * 32)
    got = client.conversations.get([shared.id, missing])
    assert got[0] is not None and got[0].id == shared.id and got[1] is None
    with pytest.raises(ohctl.NotFoundError):
        client.conversations.retrieve(missing)

    assert client.conversations.count() >= 1
    assert client.conversations.count(title_contains="ohctl shared") == 1
    found = list(client.conversations.search(title_contains="ohctl shared"))
    assert [c.id for c in found] == [shared.id]
    # The server's count includes sub-conversations; its search leaves them out unless asked.
    by_page = list(client.conversations.search(page_size=1, include_sub_conversations=True))
    assert len(by_page) == client.conversations.count()
    top_level = list(client.conversations.search())
    assert all(c.parent_conversation_id is None for c in top_level) and len(top_level) <= len(by_page)
    assert client.conversations.count(sandbox_id=shared.sandbox_id) >= 1


@pytest.mark.anyio
async def test_stream_start_on_shared_sandbox(aclient: ohctl.AsyncOpenHands, shared: Shared) -> None:
    updates = [
        t async for t in aclient.conversations.stream_start("Say hello [ohctl:default]", sandbox_id=shared.sandbox_id)
    ]
    statuses = [str(t.status) for t in updates]
    assert statuses[0] == "WORKING" and statuses[-1] == "READY"
    order = [s.value for s in StartTaskStatus]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    assert len({t.id for t in updates}) == 1
    ready = updates[-1]
    assert ready.app_conversation_id and ready.sandbox_id == shared.sandbox_id
    conv = await aclient.conversations.wait(ready.app_conversation_id, timeout=120)
    assert conv.execution_status == "finished"

    # The start task stays queryable, by id and by conversation.
    task = await aclient.start_tasks.retrieve(ready.id)
    assert task.is_ready and task.app_conversation_id == ready.app_conversation_id
    assert await aclient.start_tasks.count(conversation_id=ready.app_conversation_id) == 1
    listed = [t.id async for t in aclient.start_tasks.search(conversation_id=ready.app_conversation_id)]
    assert listed == [ready.id]
    assert await aclient.start_tasks.count() >= 2
    asc = [t.id async for t in aclient.start_tasks.search(sort_order="CREATED_AT", page_size=1)]
    assert len(asc) == await aclient.start_tasks.count()


def test_start_without_wait_then_follow(client: ohctl.OpenHands, shared: Shared) -> None:
    task = client.conversations.start("Hello [ohctl:default]", sandbox_id=shared.sandbox_id, wait=None)
    assert isinstance(task, ohctl.types.StartTask) and not task.is_ready
    # A start-task id is not a conversation id: a clear error instead of a bare 404.
    with pytest.raises(ohctl.IdKindError):
        client.conversations.retrieve(ohctl.ConversationId(task.id))  # refused before any request
    with pytest.raises(ohctl.IdKindError, match="start-task id"):
        client.conversations.retrieve(str(task.id))  # a plain string: the server's 'not found' is explained
    with pytest.raises(ohctl.IdKindError):
        client.conversations.send_message(task, "too early")
    ready = client.start_tasks.wait(task.id, timeout=120)
    assert ready.status == StartTaskStatus.READY
    conv = client.conversations.wait(ready, timeout=120)
    assert conv.execution_status == "finished"


def test_follow_up_message(client: ohctl.OpenHands, shared: Shared) -> None:
    conv = client.conversations.start(
        "First [ohctl:default]", sandbox_id=shared.sandbox_id, wait="finished", timeout=180
    )
    before = eventually(
        lambda: client.events.count(conv.id, kind="ActionEvent") >= 2 and client.events.count(conv.id),
        what="first run's events stored",
    )
    response = client.conversations.send_message(conv.id, "And again please", wait=True, timeout=120)
    assert response.success
    final = client.conversations.retrieve(conv.id)
    assert final.execution_status == "finished"
    texts = eventually(
        lambda: (
            [
                e.text
                for e in client.events.search(conv.id, kind="MessageEvent")
                if isinstance(e, ohctl.types.MessageEvent)
            ]
            if client.events.count(conv.id) > before
            else None
        ),
        what="follow-up events stored",
    )
    assert "And again please" in texts
    finishes = eventually(
        lambda: (
            (n := [a for a in client.events.search(conv.id, kind="ActionEvent") if a.tool_name == "finish"])
            and len(n) == 2
            and n
        ),
        what="second finish stored",
    )
    assert len(finishes) == 2  # the agent ran again for the follow-up

    queued = client.conversations.queue_message(conv.id, "queued note")
    assert queued.queued and queued.position == 1


def test_update_and_reads(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    conv = client.conversations.start(
        "Reads [ohctl:default]", sandbox_id=shared.sandbox_id, wait="finished", timeout=180
    )
    updated = client.conversations.update(conv.id, title="renamed by ohctl", public=False)
    assert updated.title == "renamed by ohctl"
    assert client.conversations.retrieve(conv.id).title == "renamed by ohctl"

    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "a.txt").write_text("one\n")
    subprocess.run([*git, "add", "a.txt"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    (repo / "a.txt").write_text("two\n")
    (repo / "b.txt").write_text("new\n")
    changes = client.conversations.git_changes(conv.id, str(repo))
    # Agent server 1.34 compares against the empty tree when the repository has no remote: every
    # file in the work tree is ADDED.
    assert {c.path for c in changes} == {"a.txt", "b.txt"}
    assert all(isinstance(c, ohctl.types.GitChange) and c.status for c in changes)
    diff = client.conversations.git_diff(conv.id, str(repo / "a.txt"))
    assert (diff.modified or "").strip() == "two"  # the server strips the trailing newline
    assert (diff.original or "").strip() in ("", "one")

    assert client.conversations.read_file(conv.id, str(repo / "b.txt")) == "new\n"
    assert client.conversations.read_file(conv.id, str(repo / "nope.txt")) == ""
    assert isinstance(client.conversations.skills(conv.id), list)
    assert isinstance(client.conversations.hooks(conv.id), list)


def test_download_zip(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    before = client.events.count(shared.id)  # events can still be arriving (webhook batches trail the agent)
    result = client.conversations.download(shared.id, tmp_path)
    after = client.events.count(shared.id)
    assert result.path is not None and result.path.parent == tmp_path
    assert result.path.name == f"conversation_{shared.id.hyphenated}.zip" or result.path.suffix == ".zip"
    assert result.bytes_written == result.path.stat().st_size > 0
    assert not list(tmp_path.glob("*.part"))
    with zipfile.ZipFile(result.path) as z:
        names = z.namelist()
        events = sorted(n for n in names if n.startswith("event_"))
        assert before <= len(events) <= after
        first = json.loads(z.read(events[0]))
        assert first["id"] in events[0]
        assert any("meta" in n for n in names)
    buffer = io.BytesIO()
    streamed = client.conversations.download(shared.id, buffer)
    assert streamed.path is None and streamed.bytes_written == len(buffer.getvalue()) == result.bytes_written


@pytest.mark.anyio
async def test_async_start_finished_and_delete(aclient: ohctl.AsyncOpenHands, shared: Shared) -> None:
    conv = await aclient.conversations.start(
        "Async [ohctl:default]", sandbox_id=shared.sandbox_id, wait="finished", timeout=180
    )
    assert conv.execution_status == "finished"
    final = [e async for e in aclient.events.search(conv.id, kind="ActionEvent")]
    assert final == [] or final[-1].tool_name in ("terminal", "finish")
    results = await aclient.conversations.wait_many([conv.id, shared.id], timeout=30)
    assert {str(r.outcome) for r in results.values()} == {"finished"}
    assert await aclient.conversations.delete(conv.id) is True
    with pytest.raises(ohctl.NotFoundError):
        await aclient.conversations.delete(conv.id)


def test_agent_final_message_in_events(client: ohctl.OpenHands, shared: Shared) -> None:
    finishes = [a for a in client.events.search(shared.id, kind="ActionEvent") if a.tool_name == "finish"]
    assert finishes and FINISH_MESSAGE in json.dumps(finishes[-1].action)
