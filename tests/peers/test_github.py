"""GitHub reporting end to end: ``ohctl github comment``, ``ohctl run --comment`` and the Action's
script (``python -m ohctl.github.action``) against the suite's REAL app server (scripted model) and a
local stand-in for the GitHub REST API (tests/support/github_fake.py) that checks what they send.

New conversations start in the suite's shared sandbox, so each takes seconds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ohctl
from ohctl.github import marker
from ohctl.github.workflow import read_outputs
from tests.support.cli_runner import Result, Run, secret
from tests.support.github_fake import FakeGitHub
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import FINISH_MESSAGE

# Every test with a config dir of its own and none of the machine's OPENHANDS_* / LLM_* variables.
pytestmark = pytest.mark.usefixtures("isolated")

HEX_ID = re.compile(r"^[0-9a-f]{32}$")
Oh = Callable[..., Result]


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    server.add_issue("octo/app", 7, comments=3)
    secret(server.token)
    yield server
    server.stop()


@pytest.fixture
def oh(run: Run, base_url: str, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Oh:
    """The command line against the suite's app server and the fake GitHub, with a valid token (and
    none of the GitHub variables of the machine, which CI on GitHub Actions has)."""
    for var in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(var, raising=False)

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        base = {"OPENHANDS_BASE_URL": base_url, "GITHUB_TOKEN": fake.token, "GITHUB_API_URL": fake.api_url}
        return run(*args, env={**base, **(env or {})})

    return invoke


def ours(fake: FakeGitHub) -> list[dict[str, object]]:
    return [c for c in fake.comments("octo/app", 7) if str(c["body"]).startswith("<!-- ohctl:comment")]


def test_comment_posts_the_outcome_then_edits_it_in_place(
    oh: Oh, fake: FakeGitHub, shared: Shared, base_url: str
) -> None:
    cid = str(shared.id)
    first = oh("github", "comment", "--repo", "octo/app", "--issue", "7", "--conversation", cid, "--json")
    assert first.code == 0, first
    posted = json.loads(first.stdout)
    assert posted["action"] == "created" and posted["issue"] == "octo/app#7" and posted["conversation_id"] == cid
    [comment] = ours(fake)
    body = str(comment["body"])
    assert body.startswith(marker(cid) + "\n")
    assert f"({base_url}/conversations/{cid})" in body
    assert "OpenHands finished" in body and "| Outcome | finished |" in body and "| Pull requests | none |" in body
    assert re.search(r"\| Cost \| \$\d+\.\d\d \([\d,]+ tokens\) \|", body)
    assert re.search(r"\| Duration \| \d+(m \d\d)?s \|", body)
    assert f"> {FINISH_MESSAGE}" in body
    [post] = fake.writes()
    assert post.headers["Authorization"] == f"Bearer {fake.token}" and set(post.body) == {"body"}

    again = oh("github", "comment", "--repo", "octo/app", "--issue", "7", "--conversation", cid, "--template", "brief")
    assert again.code == 0, again
    assert json.loads(again.stdout)["action"] == "updated"  # piped: JSON, like every command
    [comment] = ours(fake)
    assert comment["id"] == posted["comment_id"] and len(fake.comments("octo/app", 7)) == 4
    assert str(comment["body"]).splitlines()[1].startswith(f"OpenHands finished: [conversation {cid[:8]}]")
    assert [w.method for w in fake.writes()] == ["POST", "PATCH"]


def test_comment_failures_say_what_to_do(oh: Oh, fake: FakeGitHub, shared: Shared) -> None:
    cid = str(shared.id)
    args = ("github", "comment", "--repo", "octo/app", "--conversation", cid)
    refused = oh(*args, "--issue", "7", env={"GITHUB_TOKEN": "ghp_not_the_right_one_000000"})
    assert refused.code == 4 and "Bad credentials" in refused.stderr and "GITHUB_TOKEN" in refused.stderr
    assert "ghp_not_the_right_one" not in refused.everything
    missing = oh(*args, "--issue", "8")
    assert missing.code == 5 and "GitHub found nothing" in missing.stderr, missing
    no_token = oh(*args, "--issue", "7", env={"GITHUB_TOKEN": ""})
    assert no_token.code == 4 and "GITHUB_TOKEN or GH_TOKEN" in no_token.stderr
    dry = oh(*args, "--issue", "7", "--dry-run", env={"GITHUB_TOKEN": ""})
    assert dry.code == 0 and dry.stdout.startswith(marker(cid)) and "OpenHands finished" in dry.stdout
    assert fake.writes() == [] and ours(fake) == []


def test_run_comments_when_it_starts_and_when_it_ends(oh: Oh, fake: FakeGitHub, shared: Shared, base_url: str) -> None:
    result = oh(
        "run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", "--comment", "octo/app#7", "Hi [ohctl:default]"
    )
    assert result.code == 0, result
    cid = result.stdout.strip()
    assert HEX_ID.match(cid)
    assert fake.requests[0].method == "GET" and fake.requests[0].path.endswith("/repos/octo/app/issues/7")
    post, patch = fake.writes()
    assert (post.method, patch.method) == ("POST", "PATCH")
    assert (
        "OpenHands is working on this" in post.body["body"] and f"{base_url}/conversations/{cid}" in post.body["body"]
    )
    [comment] = ours(fake)
    assert patch.path.endswith(f"/issues/comments/{comment['id']}")
    assert "OpenHands finished" in str(comment["body"]) and FINISH_MESSAGE in str(comment["body"])
    assert "comment created on octo/app#7" in result.stderr and "comment updated on octo/app#7" in result.stderr


def test_run_checks_the_issue_before_starting_anything(oh: Oh, fake: FakeGitHub, shared: Shared) -> None:
    result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--comment", "octo/app#404", "Hi [ohctl:default]")
    assert result.code == 5 and "GitHub found nothing" in result.stderr, result
    assert "starting (" not in result.stderr and result.stdout == ""
    bad = oh("run", "--no-repo", "--comment", "octo/app", "Hi")
    assert bad.code == 2 and "owner/name#NUMBER" in bad.stderr


def test_the_action_script_writes_outputs_summary_and_comment(
    tmp_path: Path, fake: FakeGitHub, shared: Shared, base_url: str, client: ohctl.OpenHands
) -> None:
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENHANDS_", "OH_", "OHCTL_", "GITHUB_", "GH_"))}
    env.update(
        {
            "OHCTL_CONFIG_DIR": str(tmp_path / "config"),
            "OHCTL_KEYRING": "0",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_REPOSITORY": "octo/app",
            "GITHUB_API_URL": fake.api_url,
            "INPUT_PROMPT": "Hello from the action [ohctl:default]",
            "INPUT_REPOSITORY": "",
            "INPUT_SANDBOX_ID": shared.sandbox_id,
            "INPUT_WAIT": "true",
            "INPUT_TIMEOUT": "300",
            "INPUT_BASE_URL": base_url,
            "INPUT_COMMENT_ON": "7",
            "INPUT_GITHUB_TOKEN": fake.token,
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "ohctl.github.action"], env=env, capture_output=True, text=True, timeout=360
    )
    assert done.returncode == 0, done
    assert fake.token not in done.stdout + done.stderr
    outputs = read_outputs(str(output))
    cid = outputs["conversation-id"]
    assert HEX_ID.match(cid) and outputs["url"] == f"{base_url}/conversations/{cid}"
    assert (outputs["status"], outputs["outcome"], outputs["pr-numbers"]) == ("finished", "finished", "")
    assert float(outputs["cost"]) >= 0 and outputs["comment-url"].startswith("https://github.com/octo/app/")
    assert client.conversations.retrieve(cid).sandbox_id == shared.sandbox_id
    text = summary.read_text()
    assert "OpenHands finished" in text and outputs["url"] in text and FINISH_MESSAGE in text
    assert "<!--" not in text  # the marker belongs to comments only
    assert [w.method for w in fake.writes()] == ["POST", "PATCH"]
    [comment] = ours(fake)
    assert str(comment["body"]).startswith(marker(cid)) and "OpenHands finished" in str(comment["body"])
