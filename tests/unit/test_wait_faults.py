"""Waits under faults, against stubs: an outage is ridden through, a refusal is not, the deadline
holds while a request hangs, a refused live socket falls back to polling; messages say what to do."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from websockets.datastructures import Headers
from websockets.http11 import Response
from websockets.sync.server import ServerConnection, serve

import ohctl
from tests.support.helpers import Recorder, conversation, json_response, make_client

CID = "c" * 32
TASK = "d" * 32


def test_a_wait_rides_through_an_outage() -> None:
    outage = [json_response(503, {"detail": "maintenance"})] * 7 + [httpx.ConnectError("refused")] * 5
    recorder = Recorder(
        *outage,
        json_response(200, [conversation(CID, "RUNNING", "running")]),
        json_response(200, [conversation(CID, "RUNNING", "finished")]),
    )
    client, slept = make_client(recorder)
    done = client.conversations.wait(CID, timeout=600, live=False)
    assert done.execution_status == "finished"
    assert len(recorder.requests) == 14 and len(slept) >= 5


def test_a_start_task_wait_rides_through_an_outage() -> None:
    ready = {"id": TASK, "status": "READY", "app_conversation_id": CID}
    recorder = Recorder(*[httpx.ReadError("")] * 6, json_response(502, "bad gateway"), json_response(200, [ready]))
    client, _ = make_client(recorder)
    assert client.start_tasks.wait(TASK, timeout=600).app_conversation_id == CID


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, ohctl.AuthenticationError), (403, ohctl.PermissionDeniedError), (404, ohctl.NotFoundError)],
)
def test_a_refusal_ends_the_wait_at_once(status: int, error: type[Exception]) -> None:
    recorder = Recorder(json_response(status, {"detail": "no"}))
    client, slept = make_client(recorder)
    with pytest.raises(error):
        client.conversations.wait(CID, timeout=600, live=False)
    assert len(recorder.requests) == 1 and slept == []


def test_wait_many_rides_through_an_outage_too() -> None:
    recorder = Recorder(
        *[json_response(500, "boom")] * 4, json_response(200, [conversation(CID, "RUNNING", "finished")])
    )
    client, _ = make_client(recorder)
    results = client.conversations.wait_many([CID], timeout=600)
    assert results[ohctl.ConversationId(CID)].ok


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers (a hung server or proxy)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    listener.close()


# How late a deadline may end on a busy machine: real slack, and still far below the 60 s a request
# waits for its answer (what a call that ignored the deadline would take).
SLACK = 10.0


@pytest.mark.parametrize("timeout", [1.0, 2.5])
def test_the_deadline_holds_while_requests_hang(silent_server: int, timeout: float) -> None:
    with ohctl.OpenHands(base_url=f"http://127.0.0.1:{silent_server}", timeout=60) as client:
        started = time.monotonic()
        with pytest.raises(ohctl.WaitTimeoutError) as err:
            client.conversations.wait(CID, timeout=timeout, live=False)
        overshoot = time.monotonic() - started - timeout
    # SLACK is far below a request's own 60 s timeout, which a wait that ignored its deadline would reach.
    assert overshoot < SLACK, f"ended {overshoot:.2f}s after its deadline"
    assert "failing" in str(err.value)  # says what it saw: the server not answering


def test_a_start_task_wait_deadline_holds_while_requests_hang(silent_server: int) -> None:
    with ohctl.OpenHands(base_url=f"http://127.0.0.1:{silent_server}", timeout=60) as client:
        started = time.monotonic()
        with pytest.raises(ohctl.WaitTimeoutError):
            client.start_tasks.wait(TASK, timeout=1.5)
    assert time.monotonic() - started < 1.5 + SLACK


def test_ohctl_deadline_bounds_any_call(silent_server: int) -> None:
    with ohctl.OpenHands(base_url=f"http://127.0.0.1:{silent_server}", timeout=60, max_retries=5) as client:
        started = time.monotonic()
        with ohctl.deadline(1.0), pytest.raises(ohctl.APITimeoutError):
            client.conversations.count()
    assert time.monotonic() - started < 1.0 + SLACK


def test_no_retry_pause_runs_past_the_deadline() -> None:
    busy = httpx.Response(503, headers={"Retry-After": "30"})
    recorder = Recorder(busy, busy, json_response(200, 1))
    client, slept = make_client(recorder)
    with ohctl.deadline(5), pytest.raises(ohctl.InternalServerError):
        client.conversations.count()
    assert slept == [] and len(recorder.requests) == 1
    assert client.conversations.count() == 1  # without a deadline the Retry-After is honoured
    assert slept == [30.0]


@pytest.fixture
def refusing_socket() -> Iterator[int]:
    """A WebSocket server that refuses every handshake with 401, counting the attempts."""
    attempts: list[str] = []

    def refuse(connection: ServerConnection, request: object) -> Response:
        attempts.append(getattr(request, "path", ""))
        return Response(401, "Unauthorized", Headers({"Content-Length": "0"}), b"")

    with serve(lambda ws: None, "127.0.0.1", 0, process_request=refuse) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield server.socket.getsockname()[1]
        server.shutdown()


def test_a_refused_live_socket_falls_back_to_polling(refusing_socket: int, caplog: pytest.LogCaptureFixture) -> None:
    running = conversation(CID, "RUNNING", "running")
    running.update(conversation_url=f"http://127.0.0.1:{refusing_socket}/api/conversations/{CID}", session_api_key="k")
    finished = {**running, "execution_status": "finished"}
    recorder = Recorder(json_response(200, [running]), json_response(200, [running]), json_response(200, [finished]))
    client, _ = make_client(recorder)
    caplog.set_level(logging.INFO, logger="ohctl")
    done = client.conversations.wait(CID, timeout=60, live=True)
    assert done.execution_status == "finished"
    notes = [r for r in caplog.records if "live status unavailable" in r.getMessage()]
    assert len(notes) == 1 and "401" in notes[0].getMessage()


def test_a_create_that_may_have_reached_the_server_says_so() -> None:
    recorder = Recorder(httpx.ReadError(""))
    client, _ = make_client(recorder)
    with pytest.raises(ohctl.APIConnectionError) as err:
        client.conversations.start("hello", wait=None)
    text = str(err.value)
    assert "may have reached the server" in text and "not repeated" in text
    assert "check base_url" not in text
    assert "ReadError" in text  # never an empty reason
    assert len(recorder.requests) == 1


def test_a_create_that_never_reached_the_server_is_retried() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), json_response(200, {"id": TASK, "status": "WORKING"}))
    client, _ = make_client(recorder)
    assert client.conversations.start("hello", wait=None).id == TASK
    assert len(recorder.requests) == 2
