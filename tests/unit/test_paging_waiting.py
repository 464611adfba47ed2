"""Lazy pagination, batch chunking, and the waiting rules (injected sleep; no real time passes)."""

import httpx
import pytest

import ohctl
from ohctl._wait_logic import Outcome, classify
from ohctl.types import AppConversation
from tests.support.helpers import Recorder, conversation, json_response, make_async_client, make_client

CID = "a" * 32
TASK = "b" * 32


def paged(pages: dict[str | None, tuple[list[int], str | None]]):
    def answer(request: httpx.Request) -> httpx.Response:
        items, nxt = pages[request.url.params.get("page_id")]
        return json_response(200, {"items": [{"name": f"S{i}"} for i in items], "next_page_id": nxt})

    return answer


def test_pager_is_lazy_and_walks_all_pages() -> None:
    recorder = Recorder(paged({None: ([1, 2], "p2"), "p2": ([3, 4], "p3"), "p3": ([5], None)}))
    client, _ = make_client(recorder)
    pager = client.secrets.search(page_size=2)
    assert recorder.requests == []
    it = iter(pager)
    assert next(it).name == "S1" and len(recorder.requests) == 1
    assert [s.name for s in it] == ["S2", "S3", "S4", "S5"] and len(recorder.requests) == 3
    assert recorder.requests[0].url.params["limit"] == "2"
    assert [len(p.items) for p in pager.pages()] == [2, 2, 1]
    assert [s.name for s in client.secrets.search(limit=3)] == ["S1", "S2", "S3"]
    with pytest.raises(ValueError, match="page_size"):
        client.secrets.search(page_size=101)


def test_pager_stops_on_a_repeated_page_id() -> None:
    client, _ = make_client(Recorder(paged({None: ([1], "same"), "same": ([2], "same")})))
    assert [s.name for s in client.secrets.search()] == ["S1", "S2"]  # no endless loop


def test_batch_get_chunks_by_99_and_keeps_none() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = request.url.params.get_list("ids")
        return json_response(200, [conversation(i) if i.endswith("0") else None for i in ids])

    recorder = Recorder(answer)
    client, _ = make_client(recorder)
    ids = [f"{n:032x}" for n in range(250)]
    got = client.conversations.get(ids)
    gets = [r for r in recorder.requests if r.url.path == "/api/v1/app-conversations"]
    assert [len(r.url.params.get_list("ids")) for r in gets] == [99, 99, 52]
    # The unknown ids are then looked up once as start tasks (100 per call), to explain a mix-up.
    lookups = [r for r in recorder.requests if r.url.path.endswith("/start-tasks")]
    assert [len(r.url.params.get_list("ids")) for r in lookups] == [100, 100, 34]  # 234 unknown
    assert len(got) == 250 and [g.id if g else None for g in got] == [i if i.endswith("0") else None for i in ids]


@pytest.mark.parametrize(
    ("sandbox", "execution", "outcome"),
    [
        ("RUNNING", "finished", Outcome.FINISHED),
        ("RUNNING", "error", Outcome.FAILED),
        ("RUNNING", "stuck", Outcome.FAILED),
        ("RUNNING", "waiting_for_confirmation", Outcome.NEEDS_INPUT),
        ("ERROR", None, Outcome.FAILED),
        ("MISSING", None, Outcome.FAILED),
        ("PAUSED", None, None),
        ("STARTING", None, None),
        ("RUNNING", "running", None),
        ("RUNNING", "idle", None),
        ("RUNNING", "paused", None),
        ("RUNNING", "some_future_status", None),
    ],
)
def test_classify(sandbox: str, execution: str | None, outcome: Outcome | None) -> None:
    assert classify(AppConversation.model_validate(conversation(CID, sandbox, execution))) == outcome


def test_wait_goes_through_paused_to_finished() -> None:
    states = [
        ("STARTING", None),
        ("RUNNING", "running"),
        ("PAUSED", None),
        ("RUNNING", "running"),
        ("RUNNING", "finished"),
    ]
    client, slept = make_client(Recorder(*[json_response(200, [conversation(CID, s, e)]) for s, e in states]))
    conv = client.conversations.wait(CID, timeout=None)
    assert conv.execution_status == "finished" and len(slept) == 4
    assert all(0 < d <= 12 for d in slept) and slept[-1] > slept[0] * 0.8  # growing, jittered


def test_wait_failures_and_timeout() -> None:
    client, _ = make_client(Recorder(json_response(200, [conversation(CID, "RUNNING", "error")])))
    with pytest.raises(ohctl.ConversationFailedError, match="agent error"):
        client.conversations.wait(CID)
    client, _ = make_client(Recorder(json_response(200, [conversation(CID, "RUNNING", "waiting_for_confirmation")])))
    with pytest.raises(ohctl.NeedsInputError):
        client.conversations.wait(CID)
    client, _ = make_client(Recorder(json_response(200, [conversation(CID, "PAUSED", None)])))
    with pytest.raises(ohctl.WaitTimeoutError, match="sandbox PAUSED") as info:
        client.conversations.wait(CID, timeout=0)
    assert info.value.last.sandbox_status == "PAUSED"


def test_start_task_wait() -> None:
    steps = ["WORKING", "WAITING_FOR_SANDBOX", "STARTING_CONVERSATION", "READY"]
    answers = [
        json_response(200, [{"id": TASK, "status": s, "app_conversation_id": CID if s == "READY" else None}])
        for s in steps
    ]
    client, slept = make_client(Recorder(*answers))
    ready = client.start_tasks.wait(TASK)
    assert ready.app_conversation_id == CID and len(slept) == 3
    client, _ = make_client(
        Recorder(json_response(200, [{"id": TASK, "status": "ERROR", "detail": "500: Sandbox not found"}]))
    )
    with pytest.raises(ohctl.StartTaskFailedError, match="Sandbox not found") as info:
        client.start_tasks.wait(TASK)
    assert info.value.task.detail == "500: Sandbox not found"


@pytest.mark.anyio
async def test_wait_many_batches() -> None:
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        ids = request.url.params.get_list("ids")
        calls.append(len(ids))
        done = len(calls) > 2
        return json_response(200, [conversation(i, "RUNNING", "finished" if done else "running") for i in ids])

    client, _ = make_async_client(Recorder(answer))
    ids = [f"{n:032x}" for n in range(150)]
    results = await client.conversations.wait_many(ids, timeout=None)
    assert all(r.ok for r in results.values()) and len(results) == 150
    assert calls == [99, 51, 99, 51]  # one call per 99 ids per round, not one per conversation


def test_a_wait_on_an_unknown_id_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """It spun until the whole timeout (the MCP wait: 45 s of a 45 s timeout, 600 s by default)."""
    import ohctl._wait_logic as wait_logic

    monkeypatch.setattr(wait_logic, "UNKNOWN_GRACE", 0.0)
    recorder = Recorder(json_response(200, [None]))  # every lookup: unknown (and not a start task either)
    client, slept = make_client(recorder)
    with pytest.raises(ohctl.ResourceNotFoundError, match=f"Conversation {CID} not found"):
        client.conversations.wait(CID, timeout=600)
    assert len(slept) == 1 and len(recorder.requests) <= 8  # two looks (each with its start-task check), no more


def test_a_conversation_listed_late_is_waited_for() -> None:
    """Within the grace, a conversation the server does not list yet (just created) is waited for."""
    answers = [json_response(200, [None]), json_response(200, [None])]  # the look and its start-task check
    answers += [json_response(200, [conversation(CID, "RUNNING", "finished")])]
    client, _ = make_client(Recorder(*answers))
    assert client.conversations.wait(CID, timeout=600).execution_status == "finished"


def test_the_wait_after_a_follow_up_skips_the_previous_runs_finished() -> None:
    """send_message(wait=True): the first polls still show the previous run's ``finished`` (the server
    has not picked the message up yet); the wait returns only the ``finished`` that follows the agent
    running again. No real time passes (the grace for an agent too fast to be seen is 10 s)."""

    def state(execution: str, title: str) -> httpx.Response:
        return json_response(200, [{**conversation(CID, "RUNNING", execution), "title": title}])

    recorder = Recorder(
        json_response(200, {"success": True}),
        state("finished", "previous run"),
        state("finished", "previous run"),
        state("running", "this run"),
        state("finished", "this run"),
    )
    client, slept = make_client(recorder)
    client.conversations.send_message(CID, "one more thing", wait=True, timeout=None)
    assert [r.method for r in recorder.requests] == ["POST", "GET", "GET", "GET", "GET"]
    assert len(slept) == 3
    # and without a follow-up, the same first answer ends the wait at once
    recorder = Recorder(state("finished", "previous run"), state("running", "this run"))
    client, _ = make_client(recorder)
    assert client.conversations.wait(CID, timeout=None).title == "previous run" and len(recorder.requests) == 1
