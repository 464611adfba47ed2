"""``ohctl stop`` (and continuing with ``send``), the bulk commands' dry runs and confirmations
(``delete --older-than``, ``sandboxes prune``), and ``--on-done`` hooks, against the REAL app server
and its agent server (scripted model). New conversations reuse the suite's shared sandbox."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import ohctl
from ohctl.batch import Batch
from tests.support.cli_runner import Oh, Result
from tests.support.peer_suite import Shared, eventually

# A hook that appends its OHCTL_* variables to a file, one JSON object per run.
HOOK_SCRIPT = (
    "import json, os, sys; "
    "names = ['OHCTL_CONVERSATION_ID', 'OHCTL_OUTCOME', 'OHCTL_COST', 'OHCTL_URL', 'OHCTL_PR_NUMBERS']; "
    "open(sys.argv[1], 'a').write(json.dumps({n: os.environ.get(n) for n in names}) + '\\n')"
)


def hook_command(path: Path) -> str:
    return f'{sys.executable} -c "{HOOK_SCRIPT}" {path}'


def execution(client: ohctl.OpenHands, cid: str) -> str:
    return str(client.conversations.retrieve(cid).execution_status)


def test_stop_pauses_the_agent_and_send_continues_it_to_finished(
    oh: Oh, shared: Shared, client: ohctl.OpenHands
) -> None:
    started = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "Take your time [ohctl:slow:8]")
    assert started.code == 0, started
    cid = started.stdout.split()[0]
    eventually(lambda: execution(client, cid) == "running", timeout=60, what="the agent runs")
    planned = oh("stop", "--all-running", "--dry-run")  # this suite's server runs no other agent now
    assert planned.code == 0, planned
    [line] = planned.stdout.splitlines()
    assert line.startswith(f"stop conversation {cid}") and line.endswith(": the agent is running"), planned
    assert execution(client, cid) == "running"  # a dry run stops nothing

    stopped = oh("stop", cid)
    assert stopped.code == 0, stopped
    assert f"stopped {cid}: agent paused" in stopped.stderr
    paused = eventually(
        lambda: execution(client, cid) in ("paused", "finished") and execution(client, cid),
        timeout=90,
        what="the agent pauses",
    )
    assert paused == "paused"  # stopped, not run to its end
    conv = client.conversations.retrieve(cid)
    assert str(conv.sandbox_status) == "RUNNING"  # the sandbox and the conversation stay

    nothing = oh("stop", "--all-running", "--yes")
    assert nothing.code == 0 and "nothing to stop" in nothing.stderr, nothing

    continued = oh("send", cid, "Go on", "--wait", "--timeout", "180")
    assert continued.code == 0, continued
    assert execution(client, cid) == "finished"


def test_bulk_delete_lists_first_and_deletes_only_with_yes(oh: Oh, shared: Shared, client: ohctl.OpenHands) -> None:
    token = f"bulk-{uuid.uuid4().hex[:8]}"
    ids = []
    for n in (1, 2):
        result = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--title", f"{token} {n}", "--wait", "Hi")
        assert result.code == 0, result
        ids.append(result.stdout.split()[0])
    # Old enough (a second) and both listed by the server's title search.
    eventually(
        lambda: len(client.conversations.plan_delete(older_than="1s", title_contains=token)) == 2,
        timeout=30,
        what="both conversations planned",
    )

    dry = oh("delete", "--older-than", "1s", "--status", "finished", "--title-contains", token, "--dry-run")
    assert dry.code == 0, dry
    listed = sorted(line.split()[2] for line in dry.stdout.splitlines())
    assert listed == sorted(ids), dry
    assert all(line.startswith("delete conversation ") for line in dry.stdout.splitlines())
    assert "dry run: 2 conversations would be affected; nothing was changed" in dry.stderr
    assert None not in client.conversations.get(ids)  # nothing deleted

    refused = oh("delete", "--older-than", "1s", "--title-contains", token)  # not a terminal, no --yes
    assert refused.code == 2, refused
    declined = oh("delete", "--older-than", "1s", "--title-contains", token, tty=True, input="n\n")
    assert declined.code == 1, declined
    assert None not in client.conversations.get(ids)

    deleted = oh("delete", "--older-than", "1s", "--title-contains", token, "--yes")
    assert deleted.code == 0, deleted
    assert "delete: 2 done, 0 failed" in deleted.stderr
    assert client.conversations.get(ids) == [None, None]


def test_sandboxes_prune_dry_run_changes_nothing(oh: Oh, shared: Shared, client: ohctl.OpenHands) -> None:
    # The shared sandbox has no agent at work now; once its conversations are a second old it is idle.
    def planned() -> Result | None:
        result = oh("sandboxes", "prune", "--idle", "1s", "--dry-run")
        return result if f"pause sandbox {shared.sandbox_id}" in result.stdout else None

    dry = eventually(planned, timeout=30, what="the shared sandbox planned for pausing")
    assert dry.code == 0, dry
    assert "nothing was changed" in dry.stderr
    assert str(client.sandboxes.retrieve(shared.sandbox_id).status) == "RUNNING"
    refused = oh("sandboxes", "prune", "--idle", "1s")  # not a terminal, no --yes
    assert refused.code == 2, refused
    assert str(client.sandboxes.retrieve(shared.sandbox_id).status) == "RUNNING"
    bad = oh("sandboxes", "prune", "--idle", "soon", "--dry-run")
    assert bad.code == 2 and "not a duration" in bad.stderr, bad


def test_on_done_hooks_get_each_ended_conversation(
    oh: Oh, shared: Shared, client: ohctl.OpenHands, base_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "hooks.jsonl"
    ran = oh("run", "--no-repo", "--sandbox", shared.sandbox_id, "--on-done", hook_command(out), "Hi")
    assert ran.code == 0, ran  # --on-done implies --wait: the outcome's exit code
    cid = ran.stdout.split()[0]
    [env] = [json.loads(line) for line in out.read_text().splitlines()]
    conv = client.conversations.retrieve(cid)
    assert env == {
        "OHCTL_CONVERSATION_ID": cid,
        "OHCTL_OUTCOME": "finished",
        "OHCTL_COST": "" if conv.metrics is None else f"{conv.metrics.accumulated_cost:.4f}",
        "OHCTL_URL": ohctl.conversation_web_url(base_url, cid),
        "OHCTL_PR_NUMBERS": "",
    }

    # watch over two ended conversations: one hook run each, then the worst outcome's exit code.
    out.unlink()
    watched = oh("watch", cid, str(shared.id), "--exit-status", "--on-done", hook_command(out))
    assert watched.code == 0, watched
    runs = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["OHCTL_CONVERSATION_ID"] for r in runs) == sorted([cid, str(shared.id)])
    assert {r["OHCTL_OUTCOME"] for r in runs} == {"finished"}

    # A failing hook is reported, not fatal.
    failing = oh("watch", cid, "--on-done", f"{sys.executable} -c 'raise SystemExit(3)'")
    assert failing.code == 0, failing
    assert f"warning: hook for {cid}: hook command exited with status 3" in failing.stderr


def test_batch_on_task_done_runs_once_per_task(oh: Oh, shared: Shared, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    lines = [json.dumps({"key": f"t{n}", "message": "Hi", "sandbox_id": shared.sandbox_id}) for n in (1, 2)]
    tasks.write_text("\n".join(lines) + "\n")
    out = tmp_path / "hooks.jsonl"
    ran = oh(
        "batch", "run", str(tasks), "--concurrency", "2", "--poll-interval", "1", "--on-task-done", hook_command(out)
    )
    assert ran.code == 0, ran
    runs = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["OHCTL_OUTCOME"] for r in runs] == ["finished", "finished"]
    ended = {r.conversation_id for r in Batch(str(tasks.with_suffix(".batch.db"))).results()}
    assert {r["OHCTL_CONVERSATION_ID"] for r in runs} == ended
    assert all(r["OHCTL_URL"] for r in runs)
