"""``ohctl run --output-schema`` against the REAL app server (scripted model): the document alone on
stdout, fixed by a follow-up when needed; exit 11 with every attempt's problems when it never
matches; a schema file that is wrong is a usage error before anything starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ohctl
from ohctl.local.scripted_model import json_marker
from tests.support.cli_runner import Oh, Result
from tests.support.peer_suite import Shared

SCHEMA = {
    "type": "object",
    "properties": {"files": {"type": "integer"}, "names": {"type": "array", "items": {"type": "string"}}},
    "required": ["files", "names"],
}
GOOD = {"files": 2, "names": ["a.py", "b.py"]}


@pytest.fixture
def schema_file(tmp_path: Path) -> str:
    path = tmp_path / "inventory.schema.json"
    path.write_text(json.dumps(SCHEMA))
    return str(path)


def structured_run(oh: Oh, shared: Shared, schema: str, task: str, *more: str) -> Result:
    return oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--output-schema", schema, *more, task)


def test_the_document_alone_on_stdout_after_a_follow_up(oh: Oh, shared: Shared, schema_file: str) -> None:
    marker = json_marker(json.dumps({"files": "two"}), after_followup=json.dumps(GOOD))
    done = structured_run(oh, shared, schema_file, f"List the files {marker}", "--timeout", "300")
    assert done.code == 0, done
    assert json.loads(done.stdout) == GOOD and done.stdout.count("\n") == 1  # nothing else on stdout
    assert "conversation " in done.stderr and "(2 attempt(s))" in done.stderr, done.stderr


def test_invalid_after_the_retries_exits_11_with_the_problems(oh: Oh, shared: Shared, schema_file: str) -> None:
    marker = json_marker('{"files": 1}', always=True)
    done = structured_run(oh, shared, schema_file, f"List the files {marker}", "--schema-retries", "1")
    assert done.code == int(ohctl.ExitCode.INVALID_OUTPUT) == 11, done
    assert done.stdout == ""
    assert "attempt 1: the document did not match the schema:" in done.stderr
    assert "attempt 2: the document did not match the schema:" in done.stderr
    assert "at $: 'names' is a required property" in done.stderr and "invalid output in" in done.stderr


def test_a_bad_schema_file_is_a_usage_error(oh: Oh, shared: Shared, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "thing"}')
    done = structured_run(oh, shared, str(bad), "Anything")
    assert done.code == 2 and "not a valid JSON Schema" in done.stderr, done
    assert "--follow" in oh("run", "--output-schema", str(bad), "--follow", "x").stderr
