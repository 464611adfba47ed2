"""``--json`` and ``--jq``: a jq expression that does not fit the data is the user's error (exit 2 with
what jq said, not "a bug in ohctl"); JSON fields have the values the table shows, under the same names;
an unknown field, or ``--json help``, lists the fields there are."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest

from ohctl.cli.output import Output

COLUMNS = [("id", lambda c: c["id"]), ("status", lambda c: "finished" if c["execution_status"] else "?")]
ITEMS = [{"id": "a1", "title": "one", "execution_status": "finished", "session_api_key": "sk-oh-secret"}]


def printed(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_a_jq_error_in_the_users_expression_is_a_usage_error() -> None:
    with pytest.raises(click.UsageError, match=r"--jq '\.id' failed on this data: Cannot index array"):
        Output(json_fields=["id"], jq=".id", tty=False).emit_list(list(ITEMS), COLUMNS)
    with pytest.raises(click.UsageError, match="bad --jq expression"):
        Output(jq=".[", tty=False).emit_list(list(ITEMS), COLUMNS)


def test_json_fields_are_what_the_table_shows(capsys: pytest.CaptureFixture[str]) -> None:
    Output(json_fields=["id", "title", "status"], tty=False).emit_list(list(ITEMS), COLUMNS)
    assert printed(capsys) == [{"id": "a1", "title": "one", "status": "finished"}]
    Output(json_fields=["session_api_key"], tty=False).emit_list(list(ITEMS), COLUMNS)
    [chosen] = printed(capsys)
    assert list(chosen) == ["session_api_key"] and "sk-oh-secret" not in json.dumps(chosen)  # still redacted


def test_an_unknown_field_lists_the_fields(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(click.UsageError, match=r"unknown --json field nope: the fields are id, title, .*status"):
        Output(json_fields=["id", "nope"], tty=False).emit_list(list(ITEMS), COLUMNS)
    assert Output(json_fields=["help"], tty=False).emit_list(list(ITEMS), COLUMNS) == 0
    assert capsys.readouterr().out.split() == ["id", "title", "execution_status", "session_api_key", "status"]
    Output(json_fields=["help"], tty=False).emit_list([], COLUMNS)  # nothing to look at: the columns
    assert capsys.readouterr().out.split() == ["id", "status"]
