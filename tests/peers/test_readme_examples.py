"""The documentation's Python examples (README.md and every page of docs/), run as written against
the suite's real app server.

Each page's blocks run in page order in one namespace of their own (a later block uses ``client``
and ``conv`` from an earlier one on the same page), from a scratch working directory, with
``OPENHANDS_BASE_URL`` pointing at the local server (exactly how the documentation says to reach a
self-hosted server) and no API key (the local server has no auth). Only what cannot be the same on
this machine is substituted, each with its reason in ``SUBSTITUTIONS``; every substituted text must
still be in the documentation, so the test breaks when the documentation changes under it. The test
then checks what the examples did: what they printed, the files they wrote locally and in the
sandbox.

Arranged beforehand (not substitutions): the project directory the examples work in (a git repository
with a test, a Makefile whose ``build`` target writes ``report.html``, and one uncommitted change)
and the local ``fixtures.tar.gz`` that the example uploads.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

import ohctl
from tests.support.peer_suite import Shared
from tests.support.readme_blocks import name, python_blocks, python_pages
from tests.support.scripted_llm import FINISH_MESSAGE, json_marker

PROJECT = "/workspace/project"
# What the scripted model answers to the structured-output page's tasks.
INVENTORY = {"files": 2, "names": ["src/parser.py", "tests/test_parser.py"]}
LICENCE = {"name": "MIT License", "spdx": "MIT"}

# (documentation text, replacement, why). The replacement keeps the line count, so tracebacks point at
# the page's own lines.
SUBSTITUTIONS: list[tuple[str, str, str]] = [
    (
        'repository="octo/parser", branch="main", git_provider="github",',
        "sandbox_id=SHARED_SANDBOX_ID,",
        "The local server has no GitHub token and no network access to clone octo/parser. The "
        "conversation runs in the suite's shared sandbox instead: a fresh sandbox would only add a "
        "minute and another agent-server process on a machine shared with the other tests.",
    ),
    (
        "timeout=1800",
        "timeout=300",
        "A stuck start should fail this test within its budget rather than after 30 minutes.",
    ),
    (
        '"List the Python files of the project and count them."',
        repr("List the Python files of the project and count them. " + json_marker(json.dumps(INVENTORY))),
        "The scripted model answers what its marker says: this one ends with a document for the "
        "Inventory model (the real agent would count the files of octo/parser).",
    ),
    (
        '"Which licence does the project use? Give its name and SPDX id."',
        repr(
            "Which licence does the project use? "
            + json_marker(json.dumps({"name": "MIT License"}), after_followup=json.dumps(LICENCE))
        ),
        "The scripted model answers what its marker says: first a document without the SPDX id, then, "
        "after the follow-up that quotes the problem, a complete one (the page's example shows both).",
    ),
    (
        PROJECT,
        "{project}",  # the prepared directory's path
        "/workspace/project is the checkout in Docker and Cloud sandboxes. This suite's process "
        "sandboxes share the host's filesystem, so the example works in a project directory the test "
        "prepares under tmp_path.",
    ),
]


def _run(cmd: list[str], cwd: Path) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)


def _prepare_project(project: Path) -> None:
    project.mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "tests" / "test_parser.py").write_text("def test_parses():\n    assert int('42') == 42\n")
    (project / "Makefile").write_text("build:\n\t@echo building the report\n\t@echo '<h1>report</h1>' > report.html\n")
    (project / "CHANGELOG.md").write_text("# Changelog\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    _run([*git, "init", "-q"], project)
    _run([*git, "add", "."], project)
    _run([*git, "commit", "-qm", "initial"], project)
    (project / "CHANGELOG.md").write_text("# Changelog\n\n- parser fix\n")


def _substituted(code: str, project: Path) -> str:
    for old, new, _why in SUBSTITUTIONS:
        code = code.replace(old, new.replace("{project}", str(project)))
    return code


def test_readme_examples_run(
    base_url: str, shared: Shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = python_pages()
    all_code = "".join(b.code for page in pages for b in python_blocks(path=page))
    for old, _new, why in SUBSTITUTIONS:
        assert old in all_code, f"the documentation no longer contains {old!r} (substituted because: {why})"

    project = tmp_path / "project"
    _prepare_project(project)
    work = tmp_path / "work"
    work.mkdir()
    fixtures = work / "fixtures.tar.gz"
    with tarfile.open(fixtures, "w:gz") as archive:
        data = b'{"input": "42"}\n'
        info = tarfile.TarInfo("fixtures/case.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))

    monkeypatch.chdir(work)
    for var in ("OPENHANDS_API_KEY", "OPENHANDS_CLOUD_API_KEY", "OH_API_KEY", "OPENHANDS_APP_BASE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENHANDS_BASE_URL", base_url)

    spaces: dict[str, dict[str, Any]] = {}
    outputs: dict[str, str] = {}
    for page in pages:
        namespace: dict[str, Any] = {"__name__": "doc_example", "SHARED_SANDBOX_ID": shared.sandbox_id}
        spaces[name(page)] = namespace
        try:
            for block in python_blocks(path=page):
                code = "\n" * (block.first_line - 1) + _substituted(block.code, project)
                exec(compile(code, name(page), "exec"), namespace)
        finally:
            client = namespace.get("client")
            if client is not None:
                client.close()
        outputs[name(page)] = capsys.readouterr().out
    for page_name, printed in outputs.items():  # what each page printed, shown by ``pytest -rP``
        print(f"--- {page_name}\n{printed}")
    pages_run = set(outputs)
    assert {"README.md", "docs/sdk/clients.md", "docs/sdk/agent-server.md"} <= pages_run, pages_run

    # Every page that starts a task ran it in the shared sandbox, to the end, and each follow-up it
    # sent (README, clients: "Also update the changelog"; agent server: "Now run the linters") ran
    # the agent again: two finish actions in each of those conversations.
    for page, space in spaces.items():
        conv = space.get("conv")
        if conv is None:
            continue
        assert conv.sandbox_id == shared.sandbox_id, page
        if page in ("README.md", "docs/sdk/clients.md"):  # they print the title, status, cost and PRs
            title_line = rf"^{re.escape(str(conv.title))} finished \$\d+\.\d\d \[\]$"
            assert re.search(title_line, outputs[page], re.M), outputs[page]
        with ohctl.OpenHands(base_url=base_url) as check:
            assert str(check.conversations.retrieve(conv.id).execution_status) == "finished", page
            with check.conversations.agent(conv.id) as agent:
                finishes = [
                    e for e in agent.events.search(kind="ActionEvent") if e.to_dict().get("tool_name") == "finish"
                ]
        # The structured-output page's last conversation got one follow-up quoting its document's problem.
        followed_up = page in (
            "README.md",
            "docs/sdk/clients.md",
            "docs/sdk/agent-server.md",
            "docs/structured-output.md",
        )
        assert len(finishes) == (2 if followed_up else 1), (page, len(finishes))

    # The README and the clients page: the finished conversation, its messages, the downloaded zip.
    for page in ("README.md", "docs/sdk/clients.md"):
        lines = outputs[page].splitlines()
        assert "user Fix the failing test in tests/test_parser.py and open a PR" in lines, page
    downloaded = list((work / "trajectories").glob("*.zip"))
    assert downloaded, "client.conversations.download wrote no zip into trajectories/"
    with zipfile.ZipFile(downloaded[0]) as archive:
        assert any(n.startswith("event_") for n in archive.namelist())

    # The agent server page: bash, streamed bash, upload, download, git, a message, live events,
    # the trajectory.
    out = outputs["docs/sdk/agent-server.md"]
    assert re.search(r"^1 passed", out, re.M), out  # pytest -q in the project, run by the agent server
    assert "building the report" in out
    assert (project / "fixtures.tar.gz").read_bytes() == fixtures.read_bytes()
    assert (work / "out" / "report.html").read_text() == "<h1>report</h1>\n"
    assert "CHANGELOG.md" in out  # agent.git.changes lists the uncommitted change
    assert "MessageEvent Now run the linters" in out.splitlines()  # event.text of the live stream
    assert "ObservationEvent hello from ohctl" in out.splitlines()  # a tool's output
    assert any(line.startswith("ObservationEvent") and FINISH_MESSAGE in line for line in out.splitlines())
    result = spaces["docs/sdk/agent-server.md"]["result"]
    assert result.source in ("app-zip", "agent-zip", "events")
    assert f"{result.source} {result.path}" in out.splitlines()
    unpacked = [p.name for p in (work / "unpacked").rglob("*") if p.is_file()]
    assert unpacked, "safe_extract wrote nothing into unpacked/"

    # The answering page: the pending action it printed (with the agent's own rating), then the outcome.
    answered = outputs["docs/answer.md"].splitlines()
    assert answered == ["LOW $ echo hello from ohctl - scripted", "finished"], answered

    # The options page printed one look at its conversation; the batch page ran its two tasks.
    assert re.search(r"^[0-9a-f]{32} finished$", outputs["docs/sdk/options.md"], re.M), outputs["docs/sdk/options.md"]
    retried = outputs["docs/batch-retries.md"].splitlines()  # the decision, then a batch with retries=2
    assert retried == [
        "sandbox_missing True",
        "agent_error False",
        "infrastructure agent",
        "hello finished 1 []",
        "{}",
    ], retried
    batch_lines = outputs["docs/batches.md"].splitlines()
    assert {line.split()[0] for line in batch_lines if line.split()} >= {"hello", "tests"}, batch_lines

    # The structured-output page: the Inventory the first time, the licence after one follow-up.
    assert outputs["docs/structured-output.md"].splitlines() == [
        "2 files: src/parser.py, tests/test_parser.py (1 attempt)",
        f"finished {LICENCE} after 2 attempt(s)",
        "attempt 1: at $: 'spdx' is a required property",
        "attempt 2: matched",
    ], outputs["docs/structured-output.md"]
