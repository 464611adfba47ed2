"""Outcomes belong to the library: a wait can return its result instead of raising, each outcome has
one exit code, and a failure's message, hint and exit code are chosen by the exception's type."""

from __future__ import annotations

import httpx
import pytest

import ohctl
from tests.support.helpers import Recorder, conversation, json_response, make_client

CID = "c" * 32


@pytest.mark.parametrize(
    ("execution", "sandbox", "outcome", "code"),
    [
        ("finished", "RUNNING", ohctl.Outcome.FINISHED, 0),
        ("error", "RUNNING", ohctl.Outcome.FAILED, 6),
        ("stuck", "RUNNING", ohctl.Outcome.FAILED, 6),
        ("running", "ERROR", ohctl.Outcome.FAILED, 6),
        ("waiting_for_confirmation", "RUNNING", ohctl.Outcome.NEEDS_INPUT, 7),
    ],
)
def test_a_wait_can_return_its_result_instead_of_raising(
    execution: str, sandbox: str, outcome: ohctl.Outcome, code: int
) -> None:
    client, _ = make_client(Recorder(json_response(200, [conversation(CID, sandbox, execution)])))
    result = client.conversations.wait(CID, timeout=5, live=False, raise_on_outcome=False)
    assert isinstance(result, ohctl.WaitResult)
    assert result.outcome == outcome and result.conversation is not None
    assert ohctl.exit_code_for(result.outcome) == code


def test_a_deadline_is_an_outcome_of_none_with_its_own_code() -> None:
    client, _ = make_client(Recorder(json_response(200, [conversation(CID, "RUNNING", "running")])))
    result = client.conversations.wait(CID, timeout=0, live=False, raise_on_outcome=False)
    assert result.outcome is None and not result.ok
    assert ohctl.exit_code_for(None) == ohctl.ExitCode.PENDING == 8
    with pytest.raises(ohctl.WaitTimeoutError):  # the default still raises
        client.conversations.wait(CID, timeout=0, live=False)


def test_an_unknown_outcome_has_no_exit_code() -> None:
    with pytest.raises(ValueError, match="not an outcome"):
        ohctl.exit_code_for("exploded")


def test_every_exit_code_is_documented() -> None:
    assert [int(c) for c in ohctl.ExitCode] == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 130]
    assert all(code.description for code in ohctl.ExitCode)


def not_found(resource: str) -> ohctl.ResourceNotFoundError:
    return ohctl.ResourceNotFoundError(
        f"No {resource} x", resource=resource, id="x", url="http://h/api/v1/app-conversations?ids=x"
    )


def status_error(cls: type[ohctl.APIStatusError], status: int, path: str, body: object) -> ohctl.APIStatusError:
    response = httpx.Response(status, json=body, request=httpx.Request("GET", f"http://h{path}"))
    return cls("refused", response=response, body=body)


@pytest.mark.parametrize(
    ("exc", "code", "hint"),
    [
        (not_found("conversation"), 5, "ohctl list"),
        (not_found("sandbox"), 5, None),
        (status_error(ohctl.NotFoundError, 404, "/api/v1/nope", {"detail": "Not Found"}), 5, "--legacy"),
        (ohctl.MissingAPIKeyError("whatever the words"), 4, "ohctl auth login"),
        (ohctl.ConfigurationError("an API key is mentioned here"), 1, None),  # words never choose a hint
        (ohctl.NeedsInputError("waits", conversation=None), 7, "approve"),
        (ohctl.WaitTimeoutError("late"), 8, "ohctl watch"),
        (ohctl.StalledError("silent", conversation=None), 9, "ohctl events"),
        (ohctl.ConversationFailedError("failed", conversation=None), 6, "ohctl events"),
        (ValueError("a bug"), 1, "bug in ohctl"),
    ],
)
def test_a_failure_is_described_by_its_type(exc: BaseException, code: int, hint: str | None) -> None:
    failure = ohctl.describe_failure(exc)
    assert failure.code == code
    if hint is None:
        assert failure.hint is None
    else:
        assert failure.hint is not None and hint in failure.hint


@pytest.mark.parametrize(
    ("path", "conversation_hint"),
    [
        ("/api/v1/app-conversations/abc/download", True),
        ("/api/conversations/abc/events/search", True),
        ("/api/v1/sandboxes/sb/pause", False),
        ("/api/v1/secrets/NAME", False),
        ("/api/organizations/org", False),
    ],
)
def test_a_404_hints_at_conversation_ids_only_on_conversation_routes(path: str, conversation_hint: bool) -> None:
    """Every 404 (a sandbox, a secret, an organization) used to say where conversation ids come from."""
    exc = status_error(ohctl.NotFoundError, 404, path, {"detail": "missing"})
    assert ("app_conversation_id" in str(exc)) is conversation_hint
    assert "Check the id" in str(exc)
