"""The request pipeline: retries, Retry-After, create safety, error mapping, non-JSON bodies."""

import httpx
import pytest

import ohctl
from tests.support.helpers import Recorder, json_response, make_async_client, make_client

CID = "a" * 32


def test_get_retried_on_5xx_with_backoff() -> None:
    recorder = Recorder(json_response(503, {"detail": "x"}), json_response(502, "bad"), json_response(200, 7))
    client, slept = make_client(recorder)
    assert client.conversations.count() == 7
    assert len(recorder.requests) == 3 and len(slept) == 2
    assert 0.25 <= slept[0] <= 0.5 and 0.5 <= slept[1] <= 1.0  # exponential, jittered


def test_retry_after_is_honoured_and_capped() -> None:
    recorder = Recorder(
        json_response(429, {"message": "Too many requests"}, {"Retry-After": "2"}), json_response(200, 1)
    )
    client, slept = make_client(recorder)
    assert client.conversations.count() == 1
    assert slept == [2.0]
    recorder = Recorder(json_response(503, "x", {"Retry-After": "3600"}), json_response(200, 1))
    client, slept = make_client(recorder)
    client.conversations.count()
    assert slept == [60.0]


def test_retries_exhausted_raise_mapped_error() -> None:
    recorder = Recorder(json_response(500, {"detail": "Internal Server Error", "exception": "boom"}))
    client, slept = make_client(recorder, max_retries=3)
    with pytest.raises(ohctl.InternalServerError, match="Internal Server Error") as info:
        client.conversations.count()
    assert len(recorder.requests) == 4 and info.value.status_code == 500 and len(slept) == 3


def test_create_not_retried_after_it_may_have_reached_the_server() -> None:
    for failure in (json_response(503, "x"), json_response(500, "x"), httpx.ReadError("reset"), httpx.ReadTimeout("t")):
        recorder = Recorder(failure, json_response(200, {"id": CID, "status": "WORKING"}))
        client, _ = make_client(recorder)
        with pytest.raises(ohctl.OhctlError):
            client.conversations.start("task", wait=None)
        assert len(recorder.requests) == 1, failure
    recorder = Recorder(httpx.ReadError("reset"), json_response(200, {"success": True}))
    client, _ = make_client(recorder)
    with pytest.raises(ohctl.APIConnectionError):
        client.conversations.send_message(CID, "hi")
    assert len(recorder.requests) == 1


def test_create_retried_when_it_provably_never_arrived() -> None:
    started = json_response(200, {"id": CID, "status": "WORKING"})
    for failure in (httpx.ConnectError("refused"), json_response(429, {"error": "Rate limit exceeded: 10/s"})):
        recorder = Recorder(failure, started)
        client, _ = make_client(recorder)
        task = client.conversations.start("task", wait=None)
        assert task.id == CID and len(recorder.requests) == 2


def test_connection_errors_mapped() -> None:
    client, _ = make_client(Recorder(httpx.ConnectError("refused")), max_retries=1)
    with pytest.raises(ohctl.APIConnectionError, match="base_url"):
        client.users.me()
    client, _ = make_client(Recorder(httpx.ReadTimeout("slow")), max_retries=0)
    with pytest.raises(ohctl.APITimeoutError, match="timeout"):
        client.users.me()


@pytest.mark.parametrize(
    ("status", "body", "cls", "detail"),
    [
        (400, {"detail": "Too many ids requested. Maximum is 99."}, ohctl.BadRequestError, "Maximum is 99"),
        (401, {"error": "ExpiredError"}, ohctl.AuthenticationError, "ExpiredError"),
        (401, "Invalid token", ohctl.AuthenticationError, "Invalid token"),
        (403, {"detail": "Git provider token required"}, ohctl.PermissionDeniedError, "Git provider"),
        (404, {"detail": "Not Found"}, ohctl.NotFoundError, "Not Found"),
        (409, {"detail": "Sandbox is not running; resume"}, ohctl.ConflictError, "resume"),
        (410, {"detail": "archived"}, ohctl.GoneError, "archived"),
        (
            422,
            {
                "detail": [
                    {
                        "type": "uuid_parsing",
                        "loc": ["query", "ids", 0],
                        "msg": "Input should be a valid UUID",
                        "input": "x",
                    }
                ]
            },
            ohctl.UnprocessableEntityError,
            "query.ids.0: Input should be a valid UUID",
        ),
        (429, {"detail": {"error": "DAILY_SANDBOX_LIMIT_REACHED", "message": "daily"}}, ohctl.DailyLimitError, "daily"),
        (
            429,
            {"detail": {"error": "CONCURRENCY_LIMIT_REACHED", "message": "limit of 3", "limit": 3, "current": 3}},
            ohctl.ConcurrencyLimitError,
            "limit of 3",
        ),
        (418, {"detail": "teapot"}, ohctl.APIStatusError, "teapot"),
    ],
)
def test_error_shapes(status: int, body: object, cls: type, detail: str) -> None:
    client, _ = make_client(Recorder(json_response(status, body, {"x-request-id": "req-1"})), max_retries=0)
    with pytest.raises(cls) as info:
        client.users.me()
    err = info.value
    assert type(err) is cls and err.status_code == status and detail in err.detail and detail in str(err)
    assert err.request_id == "req-1"


def test_plain_text_500_and_html_bodies() -> None:
    client, _ = make_client(Recorder(httpx.Response(500, text="Internal Server Error")), max_retries=0)
    with pytest.raises(ohctl.InternalServerError, match="Internal Server Error"):
        client.events.count(CID)
    page = httpx.Response(200, text="<!doctype html><html>app</html>", headers={"content-type": "text/html"})
    client, _ = make_client(Recorder(page))
    with pytest.raises(ohctl.UnexpectedResponseError, match="web page"):
        client.conversations.count()
    client, _ = make_client(Recorder(httpx.Response(200, text="not json", headers={"content-type": "text/plain"})))
    with pytest.raises(ohctl.UnexpectedResponseError, match="not JSON"):
        client.conversations.count()


@pytest.mark.anyio
async def test_async_shares_the_pipeline() -> None:
    recorder = Recorder(json_response(503, "x"), json_response(200, 3))
    client, slept = make_async_client(recorder)
    async with client:
        assert await client.conversations.count() == 3
    assert len(slept) == 1
    recorder = Recorder(json_response(503, "x"))
    client, _ = make_async_client(recorder)
    with pytest.raises(ohctl.InternalServerError):
        await client.conversations.start("t", wait=None)
    assert len(recorder.requests) == 1


def test_a_resource_not_found_is_a_status_error_with_a_response() -> None:
    """A batch get that answers null raises ResourceNotFoundError, an APIStatusError: it carries a
    response like every other one (it was None), the 404 a single lookup would give."""
    from tests.support.helpers import Recorder, json_response, make_client

    cid = "0" * 32
    recorder = Recorder(json_response(200, [None]))
    client, _ = make_client(recorder)
    with client, pytest.raises(ohctl.ResourceNotFoundError) as caught:
        client.conversations.retrieve(cid)
    error = caught.value
    assert isinstance(error, ohctl.APIStatusError) and isinstance(error.response, httpx.Response)
    assert error.response.status_code == error.status_code == 404
    assert error.response.json() == {"detail": f"Conversation {cid} not found"} == error.body
    assert str(error.response.request.url) == f"http://127.0.0.1:9/api/v1/app-conversations?ids={cid}"
    assert error.method == "GET" and error.url == "http://127.0.0.1:9/api/v1/app-conversations"  # redacted: no query


def test_one_conversation_web_url_for_every_caller() -> None:
    from ohctl.github import conversation_url
    from ohctl.mcp import tools

    assert (
        ohctl.conversation_web_url("https://app.all-hands.dev/", "ab12")
        == "https://app.all-hands.dev/conversations/ab12"
    )
    assert conversation_url is tools.web_url is ohctl.conversation_web_url  # github, MCP, CLI, batch: one copy


def test_one_duration_format_for_the_cli_and_comments() -> None:
    from ohctl.cli.render import duration

    assert [ohctl.format_duration(s) for s in (0, 42.9, 187, 7500)] == ["0s", "42s", "3m 07s", "2h 05m"]
    assert duration(187) == "3m 07s" and ohctl.format_duration(None) == ""  # the CLI's (comments: "3m 07s" too)
