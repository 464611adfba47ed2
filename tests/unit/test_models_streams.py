"""Tolerant models, typed ids, the incremental JSON-array reader, and stream-start edge cases."""

import httpx
import pytest

import ohctl
from ohctl._streams import JSONArrayReader
from ohctl.types import AppConversation, ExecutionStatus, SandboxStatus, StartTask, StartTaskStatus, parse_event
from tests.support.helpers import Recorder, json_response, make_client

TASK = "b" * 32
CID = "a" * 32


def test_unknown_enum_values_and_fields_are_kept() -> None:
    conv = AppConversation.model_validate(
        {"id": CID, "sandbox_status": "HIBERNATING", "execution_status": "thinking_hard", "brand_new": {"x": 1}}
    )
    assert conv.sandbox_status == "HIBERNATING" and conv.execution_status == "thinking_hard"
    assert conv.model_extra == {"brand_new": {"x": 1}}
    known = AppConversation.model_validate({"id": CID, "sandbox_status": "PAUSED", "execution_status": "finished"})
    assert known.sandbox_status is SandboxStatus.PAUSED and known.execution_status is ExecutionStatus.FINISHED
    task = StartTask.model_validate({"id": TASK, "status": "WARMING_UP"})
    assert task.status == "WARMING_UP" and not task.is_terminal
    assert StartTask.model_validate({"id": TASK, "status": "READY"}).status is StartTaskStatus.READY


def test_ids_are_normalised_and_typed() -> None:
    hyphenated = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    assert ohctl.ConversationId(hyphenated) == CID
    assert ohctl.ConversationId(CID).hyphenated == hyphenated
    with pytest.raises(ValueError, match="not a valid conversation id"):
        ohctl.ConversationId("nope")
    with pytest.raises(ohctl.IdKindError, match="app_conversation_id"):
        ohctl.ConversationId(ohctl.StartTaskId(TASK))
    task = StartTask.model_validate({"id": TASK, "status": "WORKING"})
    assert isinstance(task.id, ohctl.StartTaskId)
    client, _ = make_client(Recorder(json_response(200, [])))
    with pytest.raises(ohctl.IdKindError, match="wait for it to be READY"):
        client.conversations.send_message(task, "hi")


def test_retrieve_explains_a_start_task_id() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if "start-tasks" in request.url.path:
            return json_response(200, [{"id": TASK, "status": "READY", "app_conversation_id": CID}])
        return json_response(200, [None])

    client, _ = make_client(Recorder(answer))
    with pytest.raises(ohctl.IdKindError, match=f"its conversation id is {CID}"):
        client.conversations.retrieve(TASK)


def test_events_parse_by_kind() -> None:
    msg = parse_event(
        {
            "id": "1",
            "kind": "MessageEvent",
            "llm_message": {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        }
    )
    assert isinstance(msg, ohctl.types.MessageEvent) and msg.text == "hi" and msg.role == "user"
    other = parse_event({"id": "2", "kind": "SomethingNew", "payload": 1})
    assert type(other) is ohctl.types.Event and other.model_extra == {"payload": 1}


def test_secret_values_not_in_repr() -> None:
    from ohctl._async.resources.conversations import AsyncConversations

    req = AsyncConversations.build_request("t", secrets={"TOKEN": "hunter2"})
    assert "hunter2" not in repr(req)
    assert req.model_dump()["secrets"] == {"TOKEN": "hunter2"}  # still sent


def test_json_array_reader_any_chunking() -> None:
    payload = b'[\n{"id": 1, "s": "a,b]"},\n{"id": 2, "nested": [1, {"x": "]"}]}\n]'
    for size in (1, 2, 5, len(payload)):
        reader = JSONArrayReader()
        got = []
        for i in range(0, len(payload), size):
            got.extend(reader.feed(payload[i : i + size]))
        got.extend(reader.close())
        assert [g["id"] for g in got] == [1, 2]
    truncated = JSONArrayReader()
    assert list(truncated.feed(b'[{"id": 1},\n{"id": 2')) == [{"id": 1}]
    with pytest.raises(ohctl.StreamError, match="before the JSON array was complete"):
        truncated.close()
    with pytest.raises(ohctl.StreamError, match="malformed"):
        list(JSONArrayReader().feed(b"[{]"))


def test_stream_start_truncated_and_error() -> None:
    body = (
        b'[\n{"id": "'
        + TASK.encode()
        + b'", "status": "WORKING"},\n{"id": "'
        + TASK.encode()
        + b'", "status": "WAITING'
    )
    client, _ = make_client(Recorder(httpx.Response(200, content=body, headers={"content-type": "application/json"})))
    seen = []
    with pytest.raises(ohctl.StreamError) as info:
        for task in client.conversations.stream_start("t"):
            seen.append(task)
    assert [str(t.status) for t in seen] == ["WORKING"] and info.value.last is seen[0]
    error = (
        b'[{"id": "'
        + TASK.encode()
        + b'", "status": "WORKING"},{"id": "'
        + TASK.encode()
        + b'", "status": "ERROR", "detail": "no sandbox"}]'
    )
    client, _ = make_client(Recorder(httpx.Response(200, content=error)))
    final = list(client.conversations.stream_start("t"))[-1]
    assert final.is_error and final.detail == "no sandbox"
    with pytest.raises(ValueError, match="not both"):
        list(
            client.conversations.stream_start(
                "t",
                suggested_task={
                    "git_provider": "github",
                    "task_type": "OPEN_ISSUE",
                    "repo": "a/b",
                    "issue_number": 1,
                    "title": "x",
                },
            )
        )


STREAM_START = "/api/v1/app-conversations/stream-start"
READY_STREAM = b'[{"id": "' + TASK.encode() + b'", "status": "READY", "app_conversation_id": "' + CID.encode() + b'"}]'


@pytest.mark.parametrize(
    "failure",
    [
        json_response(502, {"detail": "bad gateway"}),
        json_response(503, {"detail": "unavailable"}),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset by peer"),
        httpx.ReadTimeout("timed out waiting for the headers"),
    ],
    ids=["502", "503", "disconnect", "reset", "read-timeout"],
)
def test_stream_start_is_never_sent_twice(failure: httpx.Response | Exception) -> None:
    """The start runs inside the stream: a 5xx or a connection lost before the headers may come after
    the server began a sandbox, so the POST is not repeated (a retry would start a second one), even
    though the same failure of a GET is retried."""
    recorder = Recorder(failure, httpx.Response(200, content=READY_STREAM))
    client, slept = make_client(recorder)
    with pytest.raises((ohctl.APIStatusError, ohctl.APIConnectionError)) as info:
        list(client.conversations.stream_start("t"))
    starts = [r for r in recorder.requests if r.url.path == STREAM_START]
    assert len(starts) == 1 and slept == []
    if isinstance(info.value, ohctl.APIConnectionError):
        assert "start_tasks.search" in str(info.value)  # says how to find a start that did begin


def test_stream_start_is_retried_when_it_never_reached_the_server() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"), httpx.Response(200, content=READY_STREAM))
    client, slept = make_client(recorder)
    assert [str(t.status) for t in client.conversations.stream_start("t")] == ["READY"]
    assert len(recorder.requests) == 2 and len(slept) == 1
