"""Structured output: finding the document in the agent's final message, checking it, the messages
sent, and the follow-ups (httpx MockTransport; no real time passes)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import ohctl
from ohctl._structured import Schema, correction, documents, instruction
from ohctl.local.scripted_model import FINISH_MESSAGE, json_marker, plan
from tests.support.helpers import Recorder, json_response, make_async_client, make_client

CID = "c" * 32


class Count(BaseModel):
    files: int
    names: list[str]


COUNT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"files": {"type": "integer"}, "names": {"type": "array", "items": {"type": "string"}}},
    "required": ["files", "names"],
}


# -- finding the document --------------------------------------------------------------------------
def test_the_whole_message_as_json() -> None:
    assert documents('  {"files": 2, "names": ["a", "b"]}\n') == [{"files": 2, "names": ["a", "b"]}]


def test_a_fenced_block_among_prose() -> None:
    text = 'I counted them.\n```json\n{"files": 1, "names": ["x"]}\n```\nThat is all {not json}.'
    assert documents(text) == [{"files": 1, "names": ["x"]}]


def test_a_fence_without_a_language_and_with_crlf() -> None:
    assert documents("Result:\r\n```\r\n[1, 2]\r\n```") == [[1, 2]]


def test_json_written_in_prose_without_a_fence() -> None:
    text = 'The answer is {"files": 3, "names": []} as requested.'
    assert documents(text) == [{"files": 3, "names": []}]


def test_several_documents_in_order_and_nested_ones_counted_once() -> None:
    text = 'First {"a": {"b": [1, {"c": 2}]}} then [3, 4] and finally {"d": 5}.'
    assert documents(text) == [{"a": {"b": [1, {"c": 2}]}}, [3, 4], {"d": 5}]


def test_braces_and_fences_inside_strings() -> None:
    text = 'Here: {"code": "if (x) { return \\"}\\"; }", "md": "```"} done'
    assert documents(text) == [{"code": 'if (x) { return "}"; }', "md": "```"}]


def test_broken_json_before_a_good_document() -> None:
    assert documents('{"files": 1,, oops} and {"files": 2}') == [{"files": 2}]


def test_nothing_to_find() -> None:
    assert documents("No JSON here, only [brackets] and {braces}.") == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
prose = st.text(alphabet=st.characters(blacklist_characters='{}[]`"', blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(document=st.dictionaries(st.text(max_size=8), json_values, max_size=5), before=prose, after=prose)
def test_round_trip_a_document_in_prose(document: dict[str, Any], before: str, after: str) -> None:
    for text in (
        f"{before}{json.dumps(document)}{after}",
        f"{before}\n```json\n{json.dumps(document, indent=2)}\n```\n{after}",
    ):
        assert documents(text)[-1] == document


@settings(max_examples=100, deadline=None)
@given(first=st.dictionaries(st.text(max_size=5), json_values, max_size=3), files=st.integers(), before=prose)
def test_the_last_matching_document_wins(first: dict[str, Any], files: int, before: str) -> None:
    good = {"files": files, "names": ["n"]}
    text = f"{before} example {json.dumps(first)} and the answer {json.dumps(good)}"
    checked = Schema(Count).check(text)
    assert checked.ok and checked.value == Count(files=files, names=["n"]) and checked.document == good


# -- checking, and what the agent is told -------------------------------------------------------------
def test_pydantic_problems_name_where_they_are() -> None:
    checked = Schema(Count).check('```json\n{"files": "many", "names": [1]}\n```')
    assert checked.found and not checked.ok
    assert checked.errors == [
        "at $.files: Input should be a valid integer, unable to parse string as an integer",
        "at $.names[0]: Input should be a valid string",
    ]


def test_json_schema_problems_name_where_they_are() -> None:
    checked = Schema(COUNT_SCHEMA).check('{"files": 1.5, "names": ["a", 2]}')
    assert checked.errors == ["at $.files: 1.5 is not of type 'integer'", "at $.names[1]: 2 is not of type 'string'"]
    missing = Schema(COUNT_SCHEMA).check('{"files": 1}')
    assert missing.errors == ["at $: 'names' is a required property"]


def test_no_document_and_an_empty_message() -> None:
    assert Schema(COUNT_SCHEMA).check("I could not do it.").errors == [
        "the final message holds no JSON document (nothing parses as JSON)"
    ]
    assert not Schema(COUNT_SCHEMA).check(None).found


def test_a_json_schema_value_is_the_document_and_a_model_value_is_the_model() -> None:
    assert Schema(COUNT_SCHEMA).check('{"files": 1, "names": []}').value == {"files": 1, "names": []}
    assert Schema(Count).check('{"files": 1, "names": []}').value == Count(files=1, names=[])


def test_a_bad_schema_is_refused_before_anything_starts() -> None:
    with pytest.raises(ohctl.OutputSchemaError, match=r"not a valid JSON Schema.*at \$\.type"):
        Schema({"type": "thing"})
    with pytest.raises(ohctl.OutputSchemaError, match="pydantic model class or a JSON Schema"):
        Schema(42)
    assert isinstance(ohctl.OutputSchemaError("x"), ohctl.InvalidArgumentError)


def test_load_output_schema(tmp_path: Path) -> None:
    good = tmp_path / "s.json"
    good.write_text(json.dumps(COUNT_SCHEMA))
    assert ohctl.load_output_schema(good) == COUNT_SCHEMA
    assert ohctl.load_output_schema(COUNT_SCHEMA) == COUNT_SCHEMA
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(ohctl.OutputSchemaError, match=r"bad\.json' is not JSON"):
        ohctl.load_output_schema(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(ohctl.OutputSchemaError, match="JSON Schema object, not list"):
        ohctl.load_output_schema(tmp_path / "list.json")
    with pytest.raises(ohctl.OutputSchemaError, match="Cannot read"):
        ohctl.load_output_schema(tmp_path / "missing.json")


def test_the_correction_quotes_the_problems_and_the_schema() -> None:
    schema = Schema(COUNT_SCHEMA)
    text = correction([f"at $.x{i}: wrong" for i in range(25)], schema, attempt=1)
    assert "- at $.x0: wrong" in text and "- at $.x19: wrong" in text and "at $.x20" not in text
    assert "... and 5 more" in text and schema.pretty() in text


def test_start_sends_the_instruction_with_the_schema() -> None:
    from ohctl._sync.resources.starting import ConversationStarts

    body = ConversationStarts.build_request("Count the files", output_schema=Count)
    text = body.initial_message.text if body.initial_message else ""
    assert text.startswith("Count the files\n\n---\n") and text.endswith(instruction(Schema(Count)))
    assert '"files"' in text and len(body.initial_message.content) == 1  # type: ignore[union-attr]
    with pytest.raises(ohctl.InvalidArgumentError, match="needs a task"):
        ConversationStarts.build_request(None, output_schema=COUNT_SCHEMA)


# -- the scripted model's scenarios -----------------------------------------------------------------
def _messages(task: str, followups: int, step: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "s"}, {"role": "user", "content": task}]
    for n in range(followups):
        messages += [{"role": "assistant", "content": "x"}, {"role": "user", "content": f"fix it {n}"}]
    return messages + [{"role": "assistant", "content": "x"}] * step


def test_scripted_json_scenarios() -> None:
    def finish(task: str, followups: int) -> str:
        _, first = plan(_messages(task, followups, 0))
        assert first is not None and first.tool == "terminal"
        _, last = plan(_messages(task, followups, 1))
        assert last is not None and last.tool == "finish"
        return str(last.arguments["message"])

    valid = json_marker('{"a": 1}')
    assert documents(finish(f"go {valid}", 0)) == [{"a": 1}]
    fix = json_marker('{"a": "x"}', after_followup='{"a": 2}')
    assert [documents(finish(f"go {fix}", n)) for n in (0, 1, 2)] == [[{"a": "x"}], [{"a": 2}], [{"a": 2}]]
    bad = json_marker("not json", always=True)
    assert [documents(finish(f"go {bad}", n)) for n in (0, 3)] == [[], []]
    assert FINISH_MESSAGE not in finish(f"go {fix}", 0)


# -- waiting, checking and following up (a fake app server) ----------------------------------------
class FakeRun:
    """An app server whose agent finishes each run with the next of ``finals`` (its finish message)."""

    def __init__(self, *finals: str) -> None:
        self.finals = list(finals)
        self.run = 0
        self.looks_since_message = 0
        self.sent: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/send-message"):
            self.sent.append(json.loads(request.content)["content"][0]["text"])
            self.run += 1
            self.looks_since_message = 0
            return json_response(200, {"success": True})
        if request.method == "GET" and path == "/api/v1/app-conversations":
            self.looks_since_message += 1
            status = "running" if self.run and self.looks_since_message == 1 else "finished"
            conv = {"id": CID, "sandbox_id": "sb", "sandbox_status": "RUNNING", "execution_status": status}
            return json_response(200, [conv])
        if path == f"/api/v1/conversation/{CID}/events/search":
            finish = {
                "id": f"finish-{self.run}",
                "kind": "ActionEvent",
                "source": "agent",
                "tool_name": "finish",
                "action": {"message": self.finals[min(self.run, len(self.finals) - 1)]},
                "timestamp": "2026-01-02T03:04:05",
            }
            return json_response(200, {"items": [finish], "next_page_id": None})
        return json_response(404, {"detail": "Not Found"})


def test_a_valid_document_the_first_time() -> None:
    fake = FakeRun('Done.\n```json\n{"files": 2, "names": ["a", "b"]}\n```')
    client, _ = make_client(Recorder(fake))
    result = client.conversations.result(CID, Count)
    assert result.ok and result.value == Count(files=2, names=["a", "b"]) and result.attempts == 1
    assert result.errors == [[]] and fake.sent == [] and result.outcome == ohctl.Outcome.FINISHED
    assert result.document == {"files": 2, "names": ["a", "b"]} and result.raw is not None and "Done." in result.raw


def test_an_invalid_document_fixed_by_the_follow_up() -> None:
    fake = FakeRun('{"files": "two"}', '{"files": 2, "names": []}')
    client, _ = make_client(Recorder(fake))
    result = client.conversations.result(CID, COUNT_SCHEMA)
    assert result.ok and result.value == {"files": 2, "names": []} and result.attempts == 2
    assert result.errors == [["at $: 'names' is a required property", "at $.files: 'two' is not of type 'integer'"], []]
    [followup] = fake.sent
    assert "attempt 1" in followup and "- at $.files: 'two' is not of type 'integer'" in followup


def test_invalid_after_the_retries_raises_with_every_attempt() -> None:
    fake = FakeRun("no document at all")
    client, _ = make_client(Recorder(fake))
    with pytest.raises(ohctl.InvalidOutputError, match="after 3 attempt") as caught:
        client.conversations.result(CID, Count, retries=2)
    result = caught.value.result
    assert result.outcome == ohctl.Outcome.INVALID_OUTPUT and not result.ok and result.attempts == 3
    assert len(fake.sent) == 2 and len(result.errors) == 3 and all(result.errors)
    assert ohctl.exit_code_for(result.outcome) == ohctl.ExitCode.INVALID_OUTPUT == 11
    assert isinstance(caught.value, ohctl.WaitError)


def test_retries_zero_and_no_raise() -> None:
    client, _ = make_client(Recorder(FakeRun("{}")))
    result = client.conversations.result(CID, Count, retries=0, raise_on_outcome=False)
    assert result.outcome == "invalid_output" and result.attempts == 1
    assert result.to_json()["errors"] == [["at $.files: Field required", "at $.names: Field required"]]
    with pytest.raises(ohctl.InvalidArgumentError, match="retries"):
        client.conversations.result(CID, Count, retries=-1)


def test_an_agent_that_fails_is_the_wait_s_outcome_not_an_invalid_document() -> None:
    failed = {"id": CID, "sandbox_id": "sb", "sandbox_status": "RUNNING", "execution_status": "error"}
    client, _ = make_client(Recorder(json_response(200, [failed])))
    result = client.conversations.result(CID, Count, raise_on_outcome=False)
    assert result.outcome == ohctl.Outcome.FAILED and result.attempts == 0 and not result.ok
    with pytest.raises(ohctl.ConversationFailedError):
        client.conversations.result(CID, Count)


def test_the_async_client_follows_up_too() -> None:
    fake = FakeRun("[]", '{"files": 0, "names": []}')

    async def go() -> ohctl.StructuredResult[Count]:
        client, _ = make_async_client(Recorder(fake))
        async with client:
            return await client.conversations.result(CID, Count)

    result = asyncio.run(go())
    assert result.value == Count(files=0, names=[]) and result.attempts == 2 and len(fake.sent) == 1


# -- batch lines and the ledger ------------------------------------------------------------------------
def test_a_batch_line_takes_a_schema_object_or_file(tmp_path: Path) -> None:
    from ohctl.batch import BatchInputError, parse_jsonl

    path = tmp_path / "s.json"
    path.write_text(json.dumps(COUNT_SCHEMA))
    lines = [
        json.dumps({"key": "a", "message": "m", "output_schema": COUNT_SCHEMA, "schema_retries": 0}),
        json.dumps({"key": "b", "message": "m", "output_schema": str(path)}),
        json.dumps({"key": "c", "message": "m"}),
    ]
    a, b, c = parse_jsonl(lines)
    assert a.output_schema == b.output_schema == COUNT_SCHEMA and a.schema_retries == 0 and b.schema_retries is None
    assert c.output_schema is None and "output_schema" not in c.to_json()  # older ledgers' specs are unchanged
    bad = [
        json.dumps({"message": "m", "output_schema": {"type": "thing"}}),
        json.dumps({"message": "m", "output_schema": str(tmp_path / "missing.json")}),
        json.dumps({"message": "m", "output_schema": 3}),
        json.dumps({"message": "m", "schema_retries": 1}),
        json.dumps({"message": "m", "output_schema": COUNT_SCHEMA, "schema_retries": -1}),
    ]
    with pytest.raises(BatchInputError) as caught:
        parse_jsonl(bad)
    assert [(p.line, p.message.split(":")[0]) for p in caught.value.problems] == [
        (1, "The output schema is not a valid JSON Schema (at $.type)"),
        (2, "Cannot read the output schema file '" + str(tmp_path / "missing.json") + "'"),
        (3, "'output_schema' must be a JSON Schema object or a file's path, not int"),
        (4, "'schema_retries' needs an 'output_schema'"),
        (5, "'schema_retries' must be a whole number, 0 or more"),
    ]


def test_a_ledger_written_before_the_output_column_opens_and_gets_it(tmp_path: Path) -> None:
    import sqlite3

    from ohctl.batch import Ledger, parse_tasks
    from ohctl.batch.ledger import Ended
    from ohctl.batch.results import results

    path = tmp_path / "old.db"
    Ledger.create(path, parse_tasks([{"key": "k", "message": "m"}]), {"concurrency": 1}).close()
    with sqlite3.connect(path) as db:  # as an older ohctl wrote it: no ``output`` column
        db.execute("ALTER TABLE tasks DROP COLUMN output")
        assert "output" not in {row[1] for row in db.execute("PRAGMA table_info(tasks)")}
    ledger = Ledger(path)
    try:
        [before] = results(ledger)
        assert before.output is None and before.document is None and before.to_json()["document"] is None
        assert ledger.mark_starting("k") and ledger.mark_running("k", "t" * 32)
        output = {"document": {"files": 1, "names": []}, "attempts": 1, "errors": [[]]}
        assert ledger.end("k", "finished", Ended(output=output))
        [after] = results(ledger)
        assert after.output == output and after.document == {"files": 1, "names": []}
    finally:
        ledger.close()


class SchemaStub:
    """The batch stub app server (bench/batch_stub.py), whose agents finish each run with the next of
    the documents their task names (``[good]``, ``[fix]``: invalid then valid, ``[bad]``: never
    valid), and run again on a follow-up."""

    FINALS = {
        "[good]": ['{"files": 1, "names": ["a"]}'],
        "[fix]": ['{"files": "one"}', '{"files": 1, "names": []}'],
        "[bad]": ["no JSON here"],
    }

    def __init__(self) -> None:
        import importlib
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
        stub_class: Any = importlib.import_module("batch_stub").StubAppServer
        self.stub = stub_class(agent_url="http://127.0.0.1:9")
        self.followups: dict[str, list[str]] = {}
        self.sent_at: dict[str, float] = {}

    def _finals(self, cid: str) -> list[str]:
        task = next(t for t in self.stub.tasks.values() if t["cid"] == cid)
        message = json.dumps(task["request"]["initial_message"])
        return next(v for k, v in self.FINALS.items() if k in message)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        import time
        import uuid

        path = request.url.path
        if path.endswith("/send-message"):
            cid = path.split("/")[4]
            self.followups.setdefault(cid, []).append(json.loads(request.content)["content"][0]["text"])
            self.sent_at[cid] = time.time()
            return json_response(200, {"success": True})
        if path.startswith("/api/conversations/") and path.endswith("/events/search"):
            cid = uuid.UUID(path.split("/")[3]).hex
            run = len(self.followups.get(cid, []))
            finals = self._finals(cid)
            finish = {
                "id": f"finish-{run}",
                "kind": "ActionEvent",
                "source": "agent",
                "tool_name": "finish",
                "action": {"message": finals[min(run, len(finals) - 1)]},
            }
            return json_response(200, {"items": [finish], "next_page_id": None})
        response = await self.stub.handle(request)
        if request.method == "GET" and path == "/api/v1/app-conversations":
            body = json.loads(response.content)
            for conv in body:  # a follow-up runs the agent again for a moment
                if conv is not None and time.time() - self.sent_at.get(conv["id"], 0.0) < 0.1:
                    conv["execution_status"] = "running"
            return json_response(200, body)
        return response


def test_a_batch_checks_documents_and_follows_up(tmp_path: Path) -> None:
    from ohctl.batch import AsyncBatch, TaskResult

    server = SchemaStub()
    lines = [
        {"key": key, "message": f"count {key}", "output_schema": COUNT_SCHEMA, "schema_retries": 1}
        for key in ("[good]", "[fix]", "[bad]")
    ] + [{"key": "plain", "message": "no schema [good]"}]
    events: list[Any] = []

    async def go() -> list[TaskResult]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
        async with ohctl.AsyncOpenHands(base_url="http://127.0.0.1:9", http_client=http, max_retries=0) as client:
            batch = AsyncBatch(client, tmp_path / "b.db", lines, poll_interval=0.02, on_event=events.append)
            try:
                return [r async for r in batch.run()]
            finally:
                batch.close()

    results = {r.key: r for r in asyncio.run(go())}
    assert {k: r.state for k, r in results.items()} == {
        "[good]": "finished",
        "[fix]": "finished",
        "[bad]": "invalid_output",
        "plain": "finished",
    }
    assert results["[good]"].document == {"files": 1, "names": ["a"]} and results["[good]"].output is not None
    assert results["[good]"].output["attempts"] == 1
    fixed = results["[fix]"]
    assert fixed.document == {"files": 1, "names": []} and fixed.output is not None
    assert fixed.output["errors"] == [
        ["at $: 'names' is a required property", "at $.files: 'one' is not of type 'integer'"],
        [],
    ]
    bad = results["[bad]"]
    assert bad.document is None and bad.output is not None and bad.output["attempts"] == 2
    assert bad.error is not None and "after 2 attempt(s)" in bad.error
    assert results["plain"].output is None
    # One follow-up each for [fix] and [bad] (schema_retries 1), quoting the problems; none for the others.
    sent = {cid: texts for cid, texts in server.followups.items()}
    assert sorted(len(t) for t in sent.values()) == [1, 1]
    assert any("- at $.files: 'one' is not of type 'integer'" in t[0] for t in sent.values())
    assert sorted(e.key for e in events if e.kind == "output_retry") == ["[bad]", "[fix]"]
    # The task's first message carried the instruction and the schema.
    [task] = [t for t in server.stub.tasks.values() if "count [good]" in json.dumps(t["request"])]
    assert "ONE JSON document" in task["request"]["initial_message"]["content"][0]["text"]


def test_help_exit_codes_names_the_commands_that_give_11() -> None:
    from click.testing import CliRunner

    from ohctl.cli.main import cli

    text = CliRunner().invoke(cli, ["help", "exit-codes"]).output
    assert "  11  the agent's result did not match --output-schema, after the retries" in text
    assert "11 comes from run --output-schema, and from batch run" in text


def test_the_ledger_counts_output_retries_of_the_current_conversation_only(tmp_path: Path) -> None:
    from ohctl.batch import Ledger, parse_tasks

    ledger = Ledger.create(tmp_path / "b.db", parse_tasks([{"key": "k", "message": "m"}]), {})
    try:
        ledger.note("output_retry", '["first"]', key="k")
        assert ledger.task_notes("k", "output_retry") == ['["first"]']
        assert ledger.mark_starting("k") and ledger.mark_running("k", "t" * 32)
        assert ledger.retry("k", "stalled")  # started afresh: a new conversation, a new count
        assert ledger.task_notes("k", "output_retry") == []
        ledger.note("output_retry", '["second"]', key="k")
        assert ledger.task_notes("k", "output_retry") == ['["second"]'] and ledger.task_notes("k", "retry") == [
            "stalled"
        ]
    finally:
        ledger.close()


def test_an_invalid_output_error_is_exit_code_11_everywhere() -> None:
    result: ohctl.StructuredResult[Any] = ohctl.StructuredResult(
        ohctl.ConversationId(CID), ohctl.Outcome.INVALID_OUTPUT
    )
    failure = ohctl.describe_failure(ohctl.InvalidOutputError("no match", result=result))
    assert failure.code == ohctl.ExitCode.INVALID_OUTPUT == 11 and failure.hint is not None
