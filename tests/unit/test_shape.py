"""The SDK's public shape: one class per public name for both flavours, request options, typed
references and the errors bad input gets."""

from __future__ import annotations

import inspect
import io
from pathlib import Path

import httpx
import pytest

import ohctl
from tests.support.helpers import Recorder, conversation, json_response, make_async_client, make_client

CID = "a" * 32
TASK = "b" * 32


def test_public_names_come_from_outside_the_async_tree_unless_async() -> None:
    """What the sync client returns must be the class ``ohctl`` exports: a public class defined in
    the async source would differ from its generated twin."""
    wrong = []
    for name in ohctl.__all__:
        value = getattr(ohctl, name)
        module = getattr(value, "__module__", "") or ""
        if inspect.isclass(value) and module.startswith("ohctl._async") and not name.startswith("Async"):
            wrong.append(f"{name} ({module})")
        if inspect.isclass(value) and module.startswith("ohctl._sync") and name.startswith("Async"):
            wrong.append(f"{name} ({module})")
    assert not wrong


def test_download_and_wait_result_are_the_exported_classes(tmp_path: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/download"):
            return httpx.Response(
                200, content=b"PK-zip", headers={"content-disposition": 'attachment; filename="t.zip"'}
            )
        return json_response(200, [conversation(CID, execution="finished")])

    client, _ = make_client(Recorder(answer))
    got = client.conversations.download(CID, tmp_path)
    assert isinstance(got, ohctl.Download) and isinstance(got, ohctl.types.Download)
    results = client.conversations.wait_many([CID], timeout=5)
    assert isinstance(results[ohctl.ConversationId(CID)], ohctl.WaitResult)
    polled = client.conversations.poll([CID])
    assert isinstance(polled[ohctl.ConversationId(CID)], ohctl.WaitResult)
    assert polled[ohctl.ConversationId(CID)].outcome == ohctl.Outcome.FINISHED


@pytest.mark.anyio
async def test_async_download_returns_the_same_class(tmp_path: Path) -> None:
    recorder = Recorder(httpx.Response(200, content=b"zip"))
    client, _ = make_async_client(recorder)
    got = await client.conversations.download(CID, tmp_path / "x.zip")
    assert type(got) is ohctl.Download and got.bytes_written == 3


@pytest.mark.parametrize("destination", ["new-dir/", "a/b/c/"])
def test_download_to_a_missing_directory_named_with_a_separator(tmp_path: Path, destination: str) -> None:
    client, _ = make_client(Recorder(httpx.Response(200, content=b"zipbytes")))
    got = client.conversations.download(CID, f"{tmp_path}/{destination}")
    assert got.path == tmp_path / destination / f"conversation_{CID}.zip"
    assert got.path.read_bytes() == b"zipbytes"


def test_download_to_a_file_path_creates_its_parent(tmp_path: Path) -> None:
    client, _ = make_client(Recorder(httpx.Response(200, content=b"z")))
    got = client.conversations.download(CID, tmp_path / "out" / "run.zip")
    assert got.path == tmp_path / "out" / "run.zip" and got.path.is_file()


def test_download_to_a_stream() -> None:
    client, _ = make_client(Recorder(httpx.Response(200, content=b"abc")))
    sink = io.BytesIO()
    assert client.conversations.download(CID, sink).bytes_written == 3 and sink.getvalue() == b"abc"


def test_with_options_changes_only_the_copy() -> None:
    recorder = Recorder(json_response(200, 3))
    client, _ = make_client(recorder)
    fast = client.with_options(timeout=2.5, max_retries=0, headers={"X-Trace": "t1"}, params={"x": "1"})
    assert fast.options.max_retries == 0 and fast.options.timeout.read == 2.5
    assert client.options.max_retries == 2 and client.options.timeout.read == 60.0
    assert fast.conversations.count() == 3
    sent = recorder.requests[-1]
    assert sent.headers["X-Trace"] == "t1" and sent.url.params["x"] == "1"
    assert sent.extensions["timeout"]["read"] == 2.5
    assert client.conversations.count() == 3
    assert "X-Trace" not in recorder.requests[-1].headers
    fast.close()  # shares the pool: the original keeps working
    assert client.conversations.count() == 3


def test_with_options_retries_as_told() -> None:
    recorder = Recorder(json_response(503, {"detail": "busy"}), json_response(200, 1))
    client, slept = make_client(recorder)
    with pytest.raises(ohctl.InternalServerError):
        client.with_options(max_retries=0).conversations.count()
    assert len(recorder.requests) == 1 and slept == []


def test_extra_headers_never_replace_the_credentials() -> None:
    recorder = Recorder(json_response(200, 0))
    client = ohctl.OpenHands(
        api_key="k-123",
        base_url="http://127.0.0.1:9",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )
    client.with_options(headers={"Authorization": "Bearer other"}).conversations.count()
    assert recorder.requests[-1].headers["Authorization"] == "Bearer k-123"


def test_bad_options_are_refused() -> None:
    client, _ = make_client(Recorder(json_response(200, 0)))
    with pytest.raises(ohctl.InvalidArgumentError):
        client.with_options(max_retries=-1)
    with pytest.raises(ohctl.InvalidArgumentError):
        client.with_options(timeout=0)


def test_a_single_string_is_not_read_as_a_list_of_ids() -> None:
    client, _ = make_client(Recorder(json_response(200, [None])))
    with pytest.raises(ohctl.InvalidArgumentError, match="bad id!"):
        client.conversations.get("bad id!")
    with pytest.raises(ohctl.InvalidArgumentError, match="list of"):
        client.conversations.get(CID)


def test_a_malformed_id_names_the_whole_value() -> None:
    client, _ = make_client(Recorder(json_response(200, [None])))
    with pytest.raises(ohctl.InvalidIdError, match=r"'bad id!' is not a valid conversation id") as err:
        client.conversations.retrieve("bad id!")
    assert isinstance(err.value, ohctl.OhctlError) and isinstance(err.value, ValueError)
    with pytest.raises(ohctl.InvalidIdError, match="12"):
        ohctl.ConversationId(12)  # type: ignore[arg-type]


def _start_task_server(request: httpx.Request) -> httpx.Response:
    """A server that knows TASK only as a start task (READY, conversation CID)."""
    path = request.url.path
    if path.endswith("/start-tasks"):
        ids = request.url.params.get_list("ids")
        return json_response(
            200, [{"id": TASK, "status": "READY", "app_conversation_id": CID} if i == TASK else None for i in ids]
        )
    if path == "/api/v1/app-conversations":
        return json_response(200, [None for _ in request.url.params.get_list("ids")])
    if path.endswith("/events/search"):
        return json_response(200, {"items": [], "next_page_id": None})
    if path.endswith("/events/count"):
        return json_response(200, 0)
    return json_response(404, {"detail": "Not Found"})


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.conversations.retrieve(TASK),
        lambda c: c.conversations.get([TASK]),
        lambda c: c.conversations.wait(TASK, timeout=5, live=False),
        lambda c: c.conversations.send_message(TASK, "hi"),
        lambda c: c.conversations.update(TASK, title="t"),
        lambda c: c.conversations.delete(TASK),
        lambda c: c.conversations.download(TASK, io.BytesIO()),
        lambda c: c.conversations.git_changes(TASK, "/workspace/project"),
        lambda c: c.conversations.skills(TASK),
        lambda c: c.events.search(TASK).to_list(),
        lambda c: c.events.count(TASK),
        lambda c: c.conversations.poll([TASK]),
    ],
)
def test_a_start_task_id_where_a_conversation_belongs(call: object) -> None:
    client, _ = make_client(Recorder(_start_task_server))
    with pytest.raises(ohctl.IdKindError, match=f"{TASK} is a start-task id.*conversation id is {CID}"):
        call(client)  # type: ignore[operator]


def test_the_happy_path_costs_no_start_task_lookup() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events/search"):
            return json_response(200, {"items": [{"id": "e1", "kind": "PauseEvent"}], "next_page_id": None})
        if request.url.path.endswith("/events/count"):
            return json_response(200, 4)
        return json_response(200, [conversation(CID)])

    recorder = Recorder(answer)
    client, _ = make_client(recorder)
    client.conversations.retrieve(CID)
    client.events.search(CID).to_list()
    client.events.count(CID)
    assert not [r for r in recorder.requests if "start-tasks" in r.url.path]


def test_a_typed_start_task_id_is_refused_before_any_request() -> None:
    recorder = Recorder(json_response(200, [None]))
    client, _ = make_client(recorder)
    with pytest.raises(ohctl.IdKindError, match=r"start_tasks\.wait"):
        client.conversations.retrieve(ohctl.StartTaskId(TASK))  # type: ignore[arg-type]
    assert recorder.requests == []


def _remote_sandbox(request: httpx.Request) -> httpx.Response:
    conv = conversation(CID)
    conv.update(conversation_url=f"http://10.1.2.3:8000/api/conversations/{CID}", session_api_key="sk-remote")
    return json_response(200, [conv])


def test_the_hand_off_carries_allow_insecure_and_the_users_http_client() -> None:
    seen: list[str] = []
    transport = httpx.MockTransport(lambda r: (seen.append(str(r.url.host)), _remote_sandbox(r))[1])
    user_client = httpx.Client(transport=transport)
    client = ohctl.OpenHands(
        base_url="http://127.0.0.1:9", http_client=user_client, allow_insecure=True, timeout=7, max_retries=5
    )
    agent = client.conversations.agent(CID)
    assert agent._http.client is user_client  # the user's pool, proxies and hooks
    assert agent._http.options.max_retries == 5 and agent._http.options.timeout.read == 7
    agent.close()
    assert not user_client.is_closed  # not the agent's to close

    strict = ohctl.OpenHands(base_url="http://127.0.0.1:9", http_client=httpx.Client(transport=transport))
    with pytest.raises(ohctl.ConfigurationError, match="plain http"):
        strict.conversations.agent(CID)


def test_agent_with_options_shares_the_pool_and_the_default_conversation() -> None:
    recorder = Recorder(json_response(200, {"id": CID, "title": "t"}))
    agent = ohctl.AgentServer(
        "http://127.0.0.1:8011",
        "sk-session",
        conversation_id=CID,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )
    quick = agent.with_options(timeout=3, max_retries=0, headers={"X-Trace": "a"})
    assert quick.options.max_retries == 0 and agent.options.max_retries == 2
    assert quick.conversations.info().title == "t"  # the default conversation carried over
    sent = recorder.requests[-1]
    assert sent.headers["X-Trace"] == "a" and sent.headers["X-Session-API-Key"] == "sk-session"
    assert sent.extensions["timeout"]["read"] == 3
    quick.close()
    assert agent.conversations.info().title == "t"


@pytest.mark.parametrize(
    ("metrics", "where"),
    [
        ({"accumulated_cost": "abc"}, "metrics.accumulated_cost"),
        ({"accumulated_token_usage": {"prompt_tokens": "x"}}, "prompt_tokens"),
        ({"accumulated_token_usage": {"completion_tokens": [1]}}, "completion_tokens"),
    ],
)
def test_a_cost_of_the_wrong_type_is_a_shape_error_not_zero(metrics: dict[str, object], where: str) -> None:
    """Costs and token counts feed spending limits, ledgers and reports: a wrong type raised nothing
    and read as 0. Null still reads as 0 (servers send null for "not set")."""
    from tests.support.helpers import Recorder, json_response, make_client

    body = {"id": "0" * 32, "execution_status": "finished", "sandbox_status": "RUNNING", "metrics": metrics}
    client, _ = make_client(Recorder(json_response(200, [body])))
    with client, pytest.raises(ohctl.UnexpectedResponseError, match=where):
        client.conversations.get(["0" * 32])
    nulls = {"accumulated_cost": None, "accumulated_token_usage": {"prompt_tokens": None, "completion_tokens": None}}
    client, _ = make_client(Recorder(json_response(200, [{**body, "metrics": nulls}])))
    with client:
        [conv] = client.conversations.get(["0" * 32])
    assert conv is not None and conv.cost == 0.0 and conv.metrics is not None
    usage = conv.metrics.accumulated_token_usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (0, 0)


def test_a_tolerated_wrong_type_is_logged_once_at_debug() -> None:
    """A wrong type on a field with a default (not one that ids, statuses, waits or costs depend on)
    still reads as the default, and the first one per model and field is logged at debug. The check
    is built with the model's validator when debug logging is on (a fresh process here, so the
    model is first used with debug on)."""
    import subprocess
    import sys

    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='%(name)s %(message)s')\n"
        "from ohctl.types.conversations import AppConversation\n"
        "for value in ('x', 'y', None):\n"
        "    c = AppConversation.model_validate({'id': '0' * 32, 'pr_number': value})\n"
        "    assert c.pr_number == [], c.pr_number\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    logged = [line for line in out.splitlines() if line.startswith("ohctl.types")]
    assert logged == ["ohctl.types AppConversation.pr_number: the server sent str, read as the default"]


def test_every_model_builds_with_debug_logging_on() -> None:
    """The debug check wraps fields' validators; a union's discriminator (``TextContent.type``) must
    stay unwrapped (pydantic refuses a wrap validator there: the MCP server's start_task failed)."""
    import subprocess
    import sys

    code = (
        "import logging, inspect, pydantic\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "import ohctl.types as t\n"
        "from ohctl.types.conversations import UserMessage\n"
        "built = 0\n"
        "for name in dir(t):\n"
        "    obj = getattr(t, name)\n"
        "    if inspect.isclass(obj) and issubclass(obj, pydantic.BaseModel):\n"
        "        if not obj.__pydantic_generic_metadata__['parameters']:\n"
        "            obj.model_rebuild(force=True); built += 1\n"
        "UserMessage.of('hello')\n"
        "print(built)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out.strip()) > 50
