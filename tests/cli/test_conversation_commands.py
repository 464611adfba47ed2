"""The conversation commands in-process against the real app server: run, list, show, watch, send,
events, download, diff, exec, files, rename, delete, open, templates.

New conversations reuse the suite's shared sandbox (``--sandbox``), so each starts in seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import ohctl
from ohctl.cli.commands.run import Target, choose_target
from ohctl.cli.gitremote import parse_remote
from tests.support.cli_runner import Oh
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import FINISH_MESSAGE

HEX_ID = re.compile(r"^[0-9a-f]{32}$", re.MULTILINE)


@pytest.fixture
def started(oh: Oh, shared: Shared) -> Callable[[str], str]:
    """Start a conversation in the shared sandbox with ``run --wait``; its id."""

    def start(task: str) -> str:
        result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", task)
        assert result.code == 0, result
        return result.stdout.split()[0]

    return start


# -- run ------------------------------------------------------------------------------------


def test_run_wait_prints_the_id_then_the_outcome(oh: Oh, shared: Shared, client: ohctl.OpenHands) -> None:
    result = oh(
        "run", "--no-repo", "--sandbox", shared.sandbox_id, "--title", "cli run", "--wait", "Hi [ohctl:default]"
    )
    assert result.code == 0, result
    cid = result.stdout.strip()
    assert HEX_ID.fullmatch(cid), result.stdout  # stdout: the id alone, for ID=$(ohctl run ...)
    assert "starting (" in result.stderr and "READY" in result.stderr
    assert "ready in" in result.stderr and cid in result.stderr
    assert "finished in" in result.stderr and FINISH_MESSAGE in result.stderr
    assert client.conversations.retrieve(cid).title == "cli run"


def test_run_without_wait_returns_at_ready(oh: Oh, shared: Shared) -> None:
    result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--json", "id,sandbox_id", "Hi [ohctl:default]")
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert HEX_ID.fullmatch(data["id"]) and data["sandbox_id"] == shared.sandbox_id


def test_run_agent_failure_exits_6(oh: Oh, shared: Shared) -> None:
    result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", "Break [ohctl:fail]")
    assert result.code == 6, result
    cid = result.stdout.strip()
    assert "failed" in result.stderr and f"ohctl events {cid}" in result.stderr


def test_run_timeout_exits_8_and_says_how_to_follow(oh: Oh, shared: Shared) -> None:
    result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", "--timeout", "4", "Nap [ohctl:slow:12]")
    assert result.code == 8, result
    cid = result.stdout.strip()
    assert "timed out" in result.stderr and f"ohctl watch {cid}" in result.stderr


def test_run_follow_in_process_shows_the_actions(oh: Oh, shared: Shared) -> None:
    result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--follow", "Count [ohctl:long:3]")
    assert result.code == 0, result
    assert "$ echo step 3" in result.stdout and "step 3" in result.stdout
    assert f"finish: {FINISH_MESSAGE}" in result.stdout
    assert "\x1b[" not in result.stdout + result.stderr  # not a terminal: no colour


def test_run_json_after_wait_is_the_summary(oh: Oh, shared: Shared) -> None:
    result = oh(
        "run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", "--json", "outcome,last_agent_message", "x"
    )
    assert result.code == 0, result
    assert json.loads(result.stdout) == {"outcome": "finished", "last_agent_message": FINISH_MESSAGE}


def test_run_usage_errors(oh: Oh) -> None:
    assert oh("run", "--no-repo").code == 2  # no task
    assert oh("run", "--no-repo", "--wait", "--follow", "x").code == 2
    assert oh("run", "--no-repo", "--file", "f.md", "x").code == 2
    missing = oh("run", "--no-repo", "--template", "fix-issue", "--var", "repo=o/n")
    assert missing.code == 2 and "'issue'" in missing.stderr and "--var issue=" in missing.stderr
    assert "no prompt template named" in oh("run", "--template", "nope").stderr


def test_run_from_a_user_template_and_a_file(
    oh: Oh, shared: Shared, isolated: Path, tmp_path: Path, client: ohctl.OpenHands
) -> None:
    folder = isolated / "templates"
    folder.mkdir(parents=True)
    (folder / "greet.md.j2").write_text("{# Say a word #}\nSay {{ word }} from {{ place }} [ohctl:default]\n")
    result = oh(
        "run", "--no-repo", "--sandbox", shared.sandbox_id, "--template", "greet", "--var", "word=hello",
        env={"OHCTL_VAR_PLACE": "the environment"},
    )  # fmt: skip
    assert result.code == 0, result
    summary = client.conversations.summary(result.stdout.strip())
    assert summary.first_user_message == "Say hello from the environment [ohctl:default]\n"
    prompt = tmp_path / "prompt.md"
    prompt.write_text("From a file [ohctl:default]")
    result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--file", str(prompt))
    assert result.code == 0, result


# -- repository detection (no server) --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@github.com:octo/parser.git", ("octo/parser", "github")),
        ("https://github.com/octo/parser", ("octo/parser", "github")),
        ("ssh://git@github.com/octo/parser.git", ("octo/parser", "github")),
        ("https://gitlab.com/group/sub/proj.git", ("group/sub/proj", "gitlab")),
        ("git@gitlab.example.com:team/app.git", ("team/app", "gitlab")),
        ("https://example.com/a/b.git", None),
        ("/srv/git/repo.git", None),
    ],
)
def test_remote_urls(url: str, expected: tuple[str, str] | None) -> None:
    assert parse_remote(url) == expected


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_repository_from_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git(tmp_path, "init", "-q", "-b", "feature/x")
    _git(tmp_path, "remote", "add", "origin", "git@github.com:octo/parser.git")
    monkeypatch.chdir(tmp_path)
    assert choose_target(None, None, None, False) == Target("octo/parser", "feature/x", "github", detected=True)
    assert choose_target(None, "main", None, False).branch == "main"
    explicit = choose_target("other/repo", None, None, False)
    assert explicit == Target("other/repo", None, "github")  # --repo wins, and takes no branch from here
    assert choose_target(None, None, None, True) == Target(None, None, None)  # --no-repo
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert choose_target(None, None, None, False).repository is None


# -- reading ---------------------------------------------------------------------------------


def test_list_ndjson_table_and_filters(oh: Oh, shared: Shared) -> None:
    piped = oh("list", "--limit", "3")
    assert piped.code == 0, piped
    rows = [json.loads(line) for line in piped.stdout.splitlines()]
    assert len(rows) == 3 and all(HEX_ID.fullmatch(r["id"]) for r in rows)
    assert all(r.get("session_api_key") is None for r in rows)
    titled = oh("list", "--title", "ohctl shared", "--since", "1d", "--json", "id,title")
    assert any(r["id"] == shared.id for r in json.loads(titled.stdout))
    assert all(r["title"] == "ohctl shared" for r in json.loads(titled.stdout))
    table = oh("list", "--limit", "2", tty=True)
    assert table.stdout.splitlines()[0].split()[:4] == ["ID", "TITLE", "REPO", "STATUS"]
    assert oh("list", "--repo", "nobody/nothing", "--json").stdout.strip() == "[]"
    assert oh("list", "--since", "yesterday-ish").code == 2


def test_show_in_both_id_forms(oh: Oh, shared: Shared) -> None:
    data = json.loads(oh("show", shared.id.hyphenated, "--json").stdout)
    assert data["id"] == shared.id and data["outcome"] == "finished"
    assert data["last_agent_message"] == FINISH_MESSAGE
    human = oh("show", str(shared.id), tty=True)
    assert human.code == 0
    assert "ohctl shared" in human.stdout and "last agent message" in human.stdout
    assert f"/conversations/{shared.id}" in human.stdout
    assert oh("show", shared.id, "--jq", ".event_count").stdout.strip().isdigit()


def test_ids_bad_unknown_and_start_task(oh: Oh, shared: Shared, client: ohctl.OpenHands) -> None:
    assert oh("show", "not-an-id").code == 2
    unknown = oh("show", "0" * 32)
    assert unknown.code == 5 and "not found" in unknown.stderr
    [task] = list(client.start_tasks.search(conversation_id=shared.id, limit=1))
    kind = oh("show", str(task.id))
    assert kind.code == 5 and str(shared.id) in kind.stderr  # the SDK's IdKindError names the right id


@pytest.mark.parametrize(
    "args", [("events",), ("events", "--follow", "--timeout", "30"), ("watch",), ("watch", "--exit-status")]
)
def test_an_unknown_conversation_is_not_found_everywhere(oh: Oh, args: tuple[str, ...]) -> None:
    """Like show, send and download: exit 5 and one error line (events printed nothing and exited 0;
    watch --exit-status exited 1 after a "not found" status line on stdout)."""
    unknown = "0" * 32
    result = oh(args[0], unknown, *args[1:])
    assert result.code == 5, (result.code, result.stdout, result.stderr)
    assert result.stdout == "" and f"{unknown} not found" in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1


def test_events_table_kind_and_jq(oh: Oh, shared: Shared) -> None:
    messages = [json.loads(line) for line in oh("events", shared.id, "--kind", "MessageEvent").stdout.splitlines()]
    assert messages and all(m["kind"] == "MessageEvent" for m in messages)
    kinds = oh("events", shared.id, "-L", "4", "--jq", ".[].kind").stdout.split()
    assert len(kinds) == 4
    table = oh("events", shared.id, "-L", "12", tty=True)
    assert table.stdout.splitlines()[0].split() == ["TIME", "KIND", "SOURCE", "TEXT"]
    assert "[ohctl:long:" in table.stdout  # brackets are text, not rich markup
    assert "$ echo step 1" in table.stdout  # an action reads as what it does


def test_events_follow_of_a_finished_conversation_ends(oh: Oh, shared: Shared) -> None:
    result = oh("events", shared.id, "--follow")
    assert result.code == 0, result
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(e.get("tool_name") == "finish" for e in lines)


def test_watch_exit_status(oh: Oh, shared: Shared, started: Callable[[str], str]) -> None:
    done = oh("watch", shared.id, "--exit-status")
    assert done.code == 0 and "finished" in done.stdout and shared.id[:8] in done.stdout
    failed = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--wait", "Break [ohctl:fail]").stdout.strip()
    both = oh("watch", shared.id, failed, "--exit-status")
    assert both.code == 6 and both.stdout.count("\n") >= 2
    assert oh("watch", shared.id, failed).code == 0  # without --exit-status: 0 once all ended


def test_watch_timeout_exits_8(oh: Oh, shared: Shared) -> None:
    cid = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "Nap [ohctl:slow:15]").stdout.strip()
    result = oh("watch", cid, "--timeout", "3", "--interval", "1")
    assert result.code == 8 and "still running" in result.stderr
    assert "running" in result.stdout


def test_send_wait(oh: Oh, started: Callable[[str], str], client: ohctl.OpenHands) -> None:
    cid = started("First [ohctl:default]")
    result = oh("send", cid, "Again [ohctl:long:2]", "--wait")
    assert result.code == 0, result
    assert "finished" in result.stderr
    texts = [e.text for e in client.events.search(cid, kind="MessageEvent")]
    assert "Again [ohctl:long:2]" in texts


# -- the sandbox -----------------------------------------------------------------------------


def test_exec_passes_output_and_exit_code(oh: Oh, shared: Shared) -> None:
    result = oh("exec", shared.id, "--", "echo out; echo err >&2; exit 3")
    assert result.code == 3
    assert result.stdout == "out\n" and "err" in result.stderr
    assert oh("exec", shared.id, "--", "printf", "%s-%s", "a b", "c").stdout == "a b-c"


def test_files_put_and_get(oh: Oh, shared: Shared, tmp_path: Path) -> None:
    local = tmp_path / "in.txt"
    local.write_text("payload\n")
    put = oh("files", "put", shared.id, str(local), "cli-files/")
    assert put.code == 0, put
    assert put.stdout.strip().endswith("cli-files/in.txt (8 bytes)")
    got = oh("files", "get", shared.id, "cli-files/in.txt", str(tmp_path / "out.txt"))
    assert got.code == 0, got
    assert (tmp_path / "out.txt").read_text() == "payload\n"


def test_diff_shows_changed_and_new_files(oh: Oh, shared: Shared) -> None:
    setup = (
        "rm -rf cli-diff && mkdir cli-diff && cd cli-diff && git init -q && printf 'one\\ntwo\\n' > a.txt && "
        "git add a.txt && git -c user.email=t@t -c user.name=t commit -qm init && "
        "printf 'one\\n2\\n' > a.txt && echo new > b.txt"
    )
    assert oh("exec", shared.id, "--", setup).code == 0
    result = oh("diff", shared.id, "--path", "cli-diff")
    assert result.code == 0, result
    assert "--- a/a.txt" in result.stdout and "-two" in result.stdout and "+2" in result.stdout
    assert "+++ b/b.txt" in result.stdout and "+new" in result.stdout
    stat = oh("diff", shared.id, "--path", "cli-diff", "--stat")
    assert "a.txt" in stat.stdout and "1 file changed" in stat.stdout
    data = json.loads(oh("diff", shared.id, "--path", "cli-diff", "--json").stdout)
    assert data["repository"].endswith("/cli-diff") and "+new" in data["diff"]


def test_download_the_trajectory(oh: Oh, shared: Shared, tmp_path: Path) -> None:
    result = oh("download", shared.id, "-o", str(tmp_path / "dl") + "/", "--json")
    assert result.code == 0, result
    data = json.loads(result.stdout)
    path = Path(data["path"])
    assert path.parent == tmp_path / "dl" and data["bytes"] == path.stat().st_size > 0
    with zipfile.ZipFile(path) as archive:
        assert any(name.endswith(".json") for name in archive.namelist())
    assert not list((tmp_path / "dl").glob("*.part"))
    named = oh("download", shared.id, "-o", str(tmp_path / "t.zip"))
    assert named.code == 0 and (tmp_path / "t.zip").stat().st_size > 0


# -- changing --------------------------------------------------------------------------------


def test_rename_open_and_delete(oh: Oh, started: Callable[[str], str], client: ohctl.OpenHands) -> None:
    cid = started("Short [ohctl:default]")
    assert oh("rename", cid, "Renamed by the CLI").code == 0
    assert client.conversations.retrieve(cid).title == "Renamed by the CLI"
    opened = oh("open", cid)  # not a terminal: the URL is printed
    assert opened.code == 0 and opened.stdout.strip().endswith(f"/conversations/{cid}")
    refused = oh("delete", cid)  # no terminal to confirm on
    assert refused.code == 2 and "--yes" in refused.stderr
    deleted = oh("delete", cid, "--yes")
    assert deleted.code == 0, deleted
    assert oh("show", cid).code == 5


# -- templates -------------------------------------------------------------------------------


def test_templates_list_and_show(oh: Oh, isolated: Path) -> None:
    names = [json.loads(line)["name"] for line in oh("templates", "list").stdout.splitlines()]
    assert {"fix-issue", "review-pr", "explain-repo", "add-tests"} <= set(names)
    (isolated / "templates").mkdir(parents=True)
    (isolated / "templates" / "fix-issue.md.j2").write_text("{# mine #}\nFix {{ issue }} my way\n")
    mine = json.loads(oh("templates", "show", "fix-issue", "--json").stdout)
    assert mine["source"] == "user" and mine["variables"] == ["issue"] and mine["description"] == "mine"
    assert oh("templates", "show", "review-pr", tty=True).stdout.startswith("{# Review")
    assert oh("templates", "show", "nope").code == 1


def test_list_json_fields_match_the_table_and_jq_errors_are_usage_errors(oh: Oh, shared: Shared) -> None:
    [row] = json.loads(oh("list", "--title", "ohctl shared", "-L", "1", "--json", "id,title,status").stdout)
    assert row["id"] == shared.id and row["status"] == "finished"  # was null while the table said finished
    wrong = oh("list", "-L", "1", "--json", "id", "--jq", ".id")
    assert wrong.code == 2 and "Cannot index array" in wrong.stderr and "bug in ohctl" not in wrong.stderr
    unknown = oh("list", "-L", "1", "--json", "id,nope")
    assert unknown.code == 2 and "unknown --json field nope" in unknown.stderr and "status" in unknown.stderr
    assert {"id", "title", "status", "execution_status"} <= set(oh("list", "-L", "1", "--json", "help").stdout.split())


def test_noun_verb_form(oh: Oh, shared: Shared) -> None:
    data = json.loads(oh("conversations", "show", shared.id, "--json", "id,status").stdout)
    assert data == {"id": shared.id, "status": "finished"}
    assert len(oh("conversations", "list", "-L", "2").stdout.splitlines()) == 2
