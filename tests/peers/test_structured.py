"""Structured output against the REAL app server and its agent server (scripted model): the task goes
out with the schema, and the agent's finish message is checked: valid the first time; invalid, then
fixed by the follow-up that quotes the problems; invalid after the retries."""

from __future__ import annotations

import json
from pathlib import Path
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


def test_a_batch_line_with_a_schema(client: ohctl.OpenHands, shared: Shared, tmp_path: Path) -> None:
    schema_file = tmp_path / "inventory.schema.json"
    schema_file.write_text(json.dumps(SCHEMA))
    fix = json_marker(json.dumps({"files": 2}), after_followup=json.dumps(GOOD))
    lines = [
        {"key": "fixed", "message": f"List {fix}", "output_schema": str(schema_file), "sandbox_id": shared.sandbox_id},
        {
            "key": "never",
            "message": f"List {json_marker('[]', always=True)}",
            "output_schema": SCHEMA,
            "schema_retries": 0,
            "sandbox_id": shared.sandbox_id,
        },
        {"key": "plain", "message": "Hello [ohctl:default]", "sandbox_id": shared.sandbox_id},
    ]
    events: list[ohctl.batch.BatchEvent] = []
    ledger = tmp_path / "b.db"
    batch = ohctl.Batch(ledger, lines, client=client, max_starting=1, poll_interval=1, on_event=events.append)
    results = {r.key: r for r in batch.run()}
    assert {k: r.state for k, r in results.items()} == {
        "fixed": "finished",
        "never": "invalid_output",
        "plain": "finished",
    }, {k: r.error for k, r in results.items()}
    fixed, never, plain = results["fixed"], results["never"], results["plain"]
    assert fixed.document == GOOD and fixed.output is not None and fixed.output["attempts"] == 2
    assert fixed.output["errors"][0] == ["at $: 'names' is a required property"]
    assert fixed.to_json()["document"] == GOOD and fixed.input["output_schema"] == SCHEMA
    assert never.document is None and never.output is not None and never.output["attempts"] == 1
    assert never.error is not None and "did not match the schema after 1 attempt(s)" in never.error
    assert plain.document is None and plain.output is None
    assert [e.key for e in events if e.kind == "output_retry"] == ["fixed"]
    # The ledger keeps the documents: reopened, the results are the same.
    reopened = {r.key: r.document for r in ohctl.Batch(ledger, client=client).results()}
    assert reopened == {"fixed": GOOD, "never": None, "plain": None}


@pytest.mark.anyio
async def test_the_mcp_tools_return_the_document(base_url: str, shared: Shared) -> None:
    from mcp import Client

    from ohctl.mcp import create_server

    fix = json_marker(json.dumps({"files": "two", "names": []}), after_followup=json.dumps(GOOD))
    async with (
        ohctl.AsyncOpenHands(base_url=base_url, max_retries=4) as aclient,
        Client(create_server(aclient)) as mcp,
    ):
        tools = {t.name: t for t in (await mcp.list_tools()).tools}
        assert "output_schema" in tools["start_task"].input_schema["properties"]
        started = await mcp.call_tool("start_task", {"message": f"List {fix}", "output_schema": SCHEMA, "timeout": 300})
        assert not started.is_error and started.structured_content is not None, started
        cid = started.structured_content["conversation_id"]
        done = await mcp.call_tool("wait_for_conversation", {"conversation_id": cid, "timeout": 300})
        result = done.structured_content
        assert not done.is_error and result is not None, done
        assert result["outcome"] == "finished" and result["document"] == GOOD and result["schema_attempts"] == 2
        assert result["schema_errors"][0] == ["at $.files: 'two' is not of type 'integer'"]
        bad = await mcp.call_tool("start_task", {"message": "x", "output_schema": {"type": "thing"}})
        assert bad.is_error and "not a valid JSON Schema" in str(bad.content)
