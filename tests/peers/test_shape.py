"""The SDK's shape against the real app server: a user's title survives the server's auto-title, a
start-task id where a conversation id belongs raises IdKindError naming the right id, what the sync
client returns is the class ``ohctl`` exports, and the hand-off reuses the user's httpx client."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

import ohctl
from tests.support.peer_suite import Shared, eventually


def test_start_title_survives_the_auto_title(client: ohctl.OpenHands, shared: Shared) -> None:
    title = f"ohctl kept title {uuid.uuid4().hex[:8]}"
    conv = client.conversations.start(
        "Say hello [ohctl:default]", title=title, sandbox_id=shared.sandbox_id, wait="ready", timeout=180
    )
    assert conv.title == title
    client.conversations.wait(conv.id, timeout=180)
    # The server's title callback polls the agent server up to 4 times, 3 s apart, after the first
    # messages arrive: watch well past that window, and the title must never change.
    seen = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        seen.add(client.conversations.retrieve(conv.id).title)
        time.sleep(1)
    assert seen == {title}
    found = [c.id for c in client.conversations.search(title_contains=title)]
    assert found == [conv.id]


def test_update_title_sticks_after_a_follow_up(client: ohctl.OpenHands, shared: Shared) -> None:
    conv = client.conversations.start(
        "First [ohctl:default]", sandbox_id=shared.sandbox_id, wait="finished", timeout=180
    )
    title = f"renamed {uuid.uuid4().hex[:6]}"
    client.conversations.update(conv.id, title=title)
    client.conversations.send_message(conv.id, "Again [ohctl:default]", wait=True, timeout=180)
    time.sleep(8)
    assert client.conversations.retrieve(conv.id).title == title
    with client.conversations.agent(conv.id) as agent:
        assert agent.conversations.info(conv.id).title == title  # the agent server holds it too


def test_start_task_id_where_a_conversation_belongs(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    task = client.conversations.start("Hello [ohctl:default]", sandbox_id=shared.sandbox_id, wait=None)
    ready = client.start_tasks.wait(task.id, timeout=180)
    assert ready.app_conversation_id is not None
    task_id = str(task.id)  # the plain string a script would pass around
    expected = f"{task_id} is a start-task id.*conversation id is {ready.app_conversation_id}"
    calls = {
        "retrieve": lambda: client.conversations.retrieve(task_id),
        "wait": lambda: client.conversations.wait(task_id, timeout=30),
        "send_message": lambda: client.conversations.send_message(task_id, "hi"),
        "download": lambda: client.conversations.download(task_id, tmp_path / "x.zip"),
        "events.search": lambda: client.events.search(task_id).to_list(),
        "events.count": lambda: client.events.count(task_id),
        "update": lambda: client.conversations.update(task_id, title="x"),
    }
    for name, call in calls.items():
        with pytest.raises(ohctl.IdKindError, match=expected):
            call()
        assert not (tmp_path / "x.zip").exists(), name
    # The conversation id itself works, and the typed start task resolves to it.
    assert client.conversations.retrieve(ready).id == ready.app_conversation_id
    client.conversations.wait(ready, timeout=180)


def test_sync_returns_are_the_exported_classes(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    download = client.conversations.download(shared.id, f"{tmp_path}/not-yet-a-dir/")
    assert isinstance(download, ohctl.Download)
    assert download.path is not None and download.path.parent == tmp_path / "not-yet-a-dir"
    results = client.conversations.wait_many([shared.id], timeout=30)
    assert isinstance(results[shared.id], ohctl.WaitResult) and results[shared.id].ok
    polled = client.conversations.poll([shared.id])
    assert isinstance(polled[shared.id], ohctl.WaitResult) and polled[shared.id].outcome == ohctl.Outcome.FINISHED
    assert isinstance(client.conversations.search(limit=1), ohctl.Pager)
    trajectory = client.conversations.save_trajectory(shared.id, f"{tmp_path}/trajectories/")
    assert isinstance(trajectory, ohctl.types.TrajectoryResult)
    assert Path(trajectory.path).parent == tmp_path / "trajectories"


@pytest.mark.anyio
async def test_async_returns_are_the_exported_classes(aclient: ohctl.AsyncOpenHands, shared: Shared) -> None:
    results = await aclient.conversations.poll([shared.id])
    assert type(results[shared.id]) is ohctl.WaitResult
    assert isinstance(aclient.conversations.search(limit=1), ohctl.AsyncPager)


def test_hand_off_reuses_the_users_http_client(base_url: str, shared: Shared) -> None:
    ports: list[int | None] = []
    user_client = httpx.Client(event_hooks={"request": [lambda r: ports.append(r.url.port)]})
    with ohctl.OpenHands(base_url=base_url, http_client=user_client, max_retries=4) as client:
        with client.conversations.ensure_running(shared.id) as agent:
            assert agent._http.client is user_client
            assert agent.alive()
            agent_port = httpx.URL(agent.config.base_url).port
        assert agent_port in ports  # the agent server was reached through the user's client
        assert not user_client.is_closed
        with_options = client.with_options(timeout=30, max_retries=1)
        assert with_options.conversations.retrieve(shared.id).id == shared.id
    user_client.close()


def test_with_options_against_the_server(client: ohctl.OpenHands, shared: Shared) -> None:
    quick = client.with_options(timeout=20, max_retries=0, headers={"X-Ohctl-Test": "1"})
    assert quick.conversations.count(sandbox_id=shared.sandbox_id) >= 1
    assert eventually(lambda: quick.events.count(shared.id) > 0, what="events stored")
