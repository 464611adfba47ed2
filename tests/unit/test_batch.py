"""Batch input checks and the SQLite ledger (no server)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ohctl.batch import BatchInputError, Ledger, LedgerError, TaskSpec, parse_jsonl, parse_tasks
from ohctl.batch.ledger import CANCELLED, FINISHED, PENDING, RUNNING, STARTING, Ended
from ohctl.templates import Template, find


def fix_template(tmp_path: Path) -> Template:
    path = tmp_path / "fix.md.j2"
    path.write_text("Fix issue #{{ issue }} of {{ repo }}\n")
    return find(str(path))


def test_every_problem_is_reported_with_its_line_and_nothing_else_returned() -> None:
    lines = [
        '{"key": "a", "message": "one"}',
        "",
        "# a comment",
        "{not json",
        '{"key": "a", "message": "again"}',
        '{"mesage": "typo"}',
        '{"key": "c"}',
        '{"message": "x", "vars": {"a": "1"}}',
        '["a list"]',
        '{"message": "ok", "secrets": {"T": 1}}',
    ]
    with pytest.raises(BatchInputError) as caught:
        parse_jsonl(lines, source="tasks.jsonl")
    problems = {p.line: p.message for p in caught.value.problems}
    assert sorted(problems) == [4, 5, 6, 7, 8, 9]
    assert "not valid JSON" in problems[4]
    assert "duplicate task key 'a' (first on line 1)" in problems[5]
    assert "unknown field(s) 'mesage'" in problems[6]
    assert "no 'message'" in problems[7]
    assert "needs a template" in problems[8]
    assert "JSON object" in problems[9]
    assert "tasks.jsonl" in str(caught.value) and "nothing was started" in str(caught.value)


def test_template_variables_are_checked_per_line(tmp_path: Path) -> None:
    lines = [
        '{"vars": {"issue": "1"}, "repository": "o/r"}',
        '{"vars": {"issue": "2", "colour": "red"}, "repo": "o/r"}',
        '{"vars": {}}',
        '{"message": "not with a template"}',
    ]
    with pytest.raises(BatchInputError) as caught:
        parse_jsonl(lines, template=fix_template(tmp_path))
    problems = {p.line: p.message for p in caught.value.problems}
    assert sorted(problems) == [2, 3, 4]
    assert "unknown template variable(s) 'colour'" in problems[2]
    assert "needs the variable 'issue': add it to the line's 'vars'" in problems[3]
    [spec] = parse_jsonl(lines[:1], template=fix_template(tmp_path))
    assert spec.message == "Fix issue #1 of o/r\n" and spec.repository == "o/r" and spec.line == 1


def test_keys_are_stable_and_aliases_map_to_fields() -> None:
    item = {"prompt": "Do it", "repo": "o/r", "model": "m", "secrets": {"T": "s3cret"}}
    [one] = parse_tasks([item])
    [two] = parse_tasks([dict(item)])
    assert one.key == two.key and one.key.startswith("t-")
    assert (one.message, one.repository, one.llm_model) == ("Do it", "o/r", "m")
    assert "s3cret" not in repr(one) and one.public()["secrets"] == ["T"]
    assert TaskSpec.from_json(one.to_json()) == one
    with pytest.raises(BatchInputError, match="duplicate task key"):
        parse_tasks([item, item])


def test_the_ledger_records_each_step_and_guards_transitions(tmp_path: Path) -> None:
    specs = parse_tasks([{"key": "a", "message": "x", "secrets": {"T": "v"}}, {"key": "b", "message": "y"}])
    path = tmp_path / "l.db"
    ledger = Ledger.create(path, specs, {"concurrency": 2})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # it holds the tasks' secrets
    assert ledger.setting("concurrency") == 2 and len(ledger.batch_id) == 32
    assert ledger.same_tasks(specs) and not ledger.same_tasks(specs[:1])
    assert ledger.mark_starting("a") and not ledger.mark_starting("a")  # only from pending
    row = ledger.task("a")
    assert row.state == STARTING and row.attempts == 1 and row.starting_at and row.tag.endswith(":a")
    assert ledger.requeue("a", "refused") and ledger.task("a").state == PENDING
    assert ledger.mark_starting("a") and ledger.mark_running("a", "f" * 32)
    assert ledger.task("a").attempts == 2 and ledger.task("a").state == RUNNING
    # Another process cancelled it: the runner's late write changes nothing.
    assert ledger.end("a", CANCELLED, Ended(error="cancelled"))
    assert not ledger.end("a", FINISHED, Ended(cost=1.0))
    assert ledger.task("a").state == CANCELLED
    assert [e for _, k, e, _ in ledger.log() if k == "a"] == [
        "starting",
        "requeued",
        "starting",
        "running",
        "cancelled",
    ]
    counts, cost = ledger.summary()
    assert counts[PENDING] == 1 and counts[CANCELLED] == 1 and cost == 0.0
    ledger.close()
    with pytest.raises(LedgerError, match="already exists"):
        Ledger.create(path, specs, {})
    reopened = Ledger(path)
    assert json.loads(json.dumps(reopened.task("a").spec.to_json()))["secrets"] == {"T": "v"}
    reopened.close()


def test_one_runner_per_ledger_and_clear_errors_for_wrong_files(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    first = Ledger.create(path, parse_tasks([{"message": "x"}]), {})
    first.acquire()
    second = Ledger(path)
    assert second.locked_by_other()
    with pytest.raises(LedgerError, match="Another ohctl process"):
        second.acquire()
    first.release()
    assert not second.locked_by_other()
    with pytest.raises(LedgerError, match="No batch ledger"):
        Ledger(tmp_path / "missing.db")
    (tmp_path / "junk.db").write_text("not sqlite at all" * 100)
    with pytest.raises(LedgerError, match="not a batch ledger"):
        Ledger(tmp_path / "junk.db")


def test_a_batch_uses_the_client_it_is_given_whole(tmp_path: Path) -> None:
    """Organization, headers, timeout and retries of the given client reach the batch's requests (they
    were dropped: the tasks ran in the default organization)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import ohctl

    seen: list[dict[str, str]] = []

    class Refuse(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(401)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"detail": "no"}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    org = "7a3c1d6e-0b8f-4c52-9d3e-2f1a4b5c6d7e"
    try:
        client = ohctl.OpenHands(
            api_key="k", base_url=f"http://127.0.0.1:{server.server_port}", org=org, timeout=7, max_retries=0
        ).with_options(headers={"X-Team": "blue"})
        batch = ohctl.Batch(tmp_path / "b.db", [{"key": "one", "message": "hello"}], client=client)
        twin = batch._async_client()
        assert twin.config.org == org and twin.options.max_retries == 0 and twin.options.timeout.read == 7
        assert twin.options.headers == client.options.headers
        with pytest.raises(ohctl.AuthenticationError):
            list(batch.run())
    finally:
        server.shutdown()
        server.server_close()
    assert seen and seen[0]["x-org-id"] == org and seen[0]["x-team"] == "blue"
