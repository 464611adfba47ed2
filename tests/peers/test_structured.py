"""Structured output against the REAL app server and its agent server (scripted model): the task goes
out with the schema, and the agent's finish message is checked: valid the first time; invalid, then
fixed by the follow-up that quotes the problems; invalid after the retries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

import ohctl
from ohctl.local.scripted_model import json_marker
from tests.support.peer_suite import Shared


class Inventory(BaseModel):
    files: int
    names: list[str]


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"files": {"type": "integer"}, "names": {"type": "array", "items": {"type": "string"}}},
    "required": ["files", "names"],
    "additionalProperties": False,
}
GOOD = {"files": 2, "names": ["a.py", "b.py"]}


def user_messages(client: ohctl.OpenHands, cid: str) -> list[str]:
    with client.conversations.agent(cid) as agent:
        return [e.text for e in agent.events.search(cid, kind="MessageEvent") if e.source == "user"]


def test_a_valid_document_the_first_time(client: ohctl.OpenHands, shared: Shared) -> None:
    conv = client.conversations.start(
        f"List the files {json_marker(json.dumps(GOOD))}", output_schema=Inventory, sandbox_id=shared.sandbox_id
    )
    result = client.conversations.result(conv.id, Inventory, timeout=300)
    assert result.ok and result.value == Inventory(**GOOD) and result.attempts == 1, result
    assert result.document == GOOD and result.errors == [[]]
    assert result.raw is not None and result.raw.startswith("Done. The result:")
    # The agent was told, in its task, to end with a document matching the schema.
    [task] = user_messages(client, conv.id)
    assert "ONE JSON document" in task and '"names"' in task and json_marker(json.dumps(GOOD)) in task


def test_an_invalid_document_is_fixed_by_the_follow_up(client: ohctl.OpenHands, shared: Shared) -> None:
    bad = json.dumps({"files": "two", "names": ["a.py"], "extra": True})
    marker = json_marker(bad, after_followup=json.dumps(GOOD))
    conv = client.conversations.start(f"List the files {marker}", output_schema=SCHEMA, sandbox_id=shared.sandbox_id)
    result = client.conversations.result(conv.id, SCHEMA, timeout=300)
    assert result.ok and result.value == GOOD and result.attempts == 2, result
    first, second = result.errors
    assert "at $.files: 'two' is not of type 'integer'" in first and second == []
    assert any("Additional properties are not allowed ('extra' was unexpected)" in e for e in first)
    # The follow-up the agent got quotes the problems.
    _task, followup = user_messages(client, conv.id)
    assert "- at $.files: 'two' is not of type 'integer'" in followup and "attempt 1" in followup
    assert client.conversations.retrieve(conv.id).execution_status == "finished"


def test_invalid_after_the_retries(client: ohctl.OpenHands, shared: Shared) -> None:
    marker = json_marker('{"files": 1}', always=True)
    conv = client.conversations.start(f"List the files {marker}", output_schema=Inventory, sandbox_id=shared.sandbox_id)
    with pytest.raises(ohctl.InvalidOutputError, match="after 2 attempt") as caught:
        client.conversations.result(conv.id, Inventory, retries=1, timeout=300)
    result = caught.value.result
    assert result.outcome == ohctl.Outcome.INVALID_OUTPUT and result.attempts == 2 and not result.ok
    assert result.errors == [["at $.names: Field required"]] * 2
    assert len(user_messages(client, conv.id)) == 2  # the task and one follow-up
    assert ohctl.exit_code_for(result.outcome) == 11
