# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""An agent's change as a ``Patch``, made in its sandbox by git through the agent server: the diff
(binary, untracked files included, the servers' own files left out) against the commit the agent
started from, found in the repository's reflog. A paused sandbox is resumed first; for a deleted
one, the error names what the agent pushed (branches from its ``git push`` output, and PRs)."""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..._errors import SandboxFailedError, WorkspaceDiffError
from ..._ids import ConversationRef, conversation_id
from ..._patch import Patch
from ..._patch_apply import PatchUnavailableError
from ..._wait_logic import FAILED_SANDBOX
from ...types.conversations import AppConversation
from ...types.events import ObservationEvent
from .handoff import ensure_fetched_running
from .workspace_diff import repository_root

if TYPE_CHECKING:
    from ..client import OpenHands

GIT_TIMEOUT = 120
# How many of the newest observations are read for the agent's `git push` output when the sandbox is gone.
PUSH_SCAN = 500

# What the servers write into a workspace, never the agent's work: the process sandbox's agent-server
# log, the agent server's conversations and bash events (relative to its working directory), and the
# planning tool's directory (.agents_tmp; agents-tmp-config for GitLab and Azure DevOps).
SERVER_FILES = (
    "**/.openhands-agent-server.log",
    "**/workspace/conversations/**",
    "**/workspace/bash_events/**",
    "**/.agents_tmp/**",
    "**/agents-tmp-config/**",
)
EXCLUDES = " ".join(shlex.quote(f":(exclude,glob){p}") for p in SERVER_FILES)

# ``started``: the conversation's first event's time, which the agent server writes in the sandbox's
# local time without a zone: the sandbox's own `date` turns it into seconds since the epoch.
STATE_SCRIPT = (
    "cd {root} || exit 2; "
    "[ -n {started} ] && printf 'start %s\\n' \"$(date -d {started} +%s 2>/dev/null)\"; "
    "printf 'head %s\\n' \"$(git rev-parse -q --verify HEAD)\"; "
    "printf 'branch %s\\n' \"$(git symbolic-ref -q --short HEAD)\"; "
    "git reflog show --date=unix --format='reflog %H %gd %gs' HEAD -- 2>/dev/null; exit 0"
)

# The diff of the work tree against the base with every untracked file that .gitignore does not hide,
# made in a copy of the index, so the agent's own index is left as it was. Written to a file, read
# as bytes (the text may hold any bytes), then removed.
DIFF_SCRIPT = (
    "cd {root} || exit 2; tmp=$(mktemp -d) || exit 3; idx=$(git rev-parse --git-path index); "
    'if [ -f "$idx" ]; then cp "$idx" "$tmp/index"; fi; '
    'base={base}; [ -n "$base" ] || base=$(git hash-object -t tree /dev/null); '
    'GIT_INDEX_FILE="$tmp/index" git add -A -- . {excludes} >/dev/null 2>"$tmp/err" '
    '&& GIT_INDEX_FILE="$tmp/index" git --no-pager diff --cached --binary --full-index --no-color '
    '--no-ext-diff --no-textconv --src-prefix=a/ --dst-prefix=b/ "$base" -- . {excludes} '
    '>"$tmp/patch" 2>"$tmp/err" || {{ cat "$tmp/err" >&2; rm -rf "$tmp"; exit 4; }}; echo "$tmp"'
)

_PUSHED = re.compile(
    r"^\s*(?:\*\s+\[new branch\]|\+?\s*[0-9a-f]{7,}\.{2,3}[0-9a-f]{7,}|-\s+\[deleted\])?\s*\S+\s+->\s+(\S+)"
)


@dataclass(frozen=True)
class ReflogEntry:
    commit: str
    time: float
    message: str


@dataclass(frozen=True)
class SandboxState:
    head: str | None
    branch: str | None
    entries: list[ReflogEntry]  # HEAD's reflog, newest first
    started: float | None  # the first event's time in seconds since the epoch, when the sandbox could say


def parse_state(output: str) -> SandboxState:
    """``STATE_SCRIPT``'s output."""
    head = branch = None
    started: float | None = None
    entries: list[ReflogEntry] = []
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "start" and rest.strip().isdigit():
            started = float(rest.strip())
        elif kind == "head":
            head = rest.strip() or None
        elif kind == "branch":
            branch = rest.strip() or None
        elif kind == "reflog":
            found = re.match(r"([0-9a-f]{40,64}) \S*@\{(\d+)\} ?(.*)", rest)
            if found:
                entries.append(ReflogEntry(found.group(1), float(found.group(2)), found.group(3)))
    return SandboxState(head, branch, entries, started)


def start_time(state: SandboxState, created_at: datetime | None) -> float | None:
    """When the conversation started: the earlier of its first event (the sandbox's clock) and the
    app server's ``created_at`` (saved after the agent server took the conversation, so a fast agent
    may act before it)."""
    times = [state.started] if state.started is not None else []
    if created_at is not None:
        times.append((created_at if created_at.tzinfo else created_at.replace(tzinfo=timezone.utc)).timestamp())
    return min(times) if times else None


def choose_base(head: str | None, entries: list[ReflogEntry], started: float | None) -> tuple[str | None, str]:
    """The commit the agent started from and how it was found: HEAD when the conversation started
    (``start``); else the repository's first recorded HEAD, which is the clone the server made for
    the conversation (``first``); None when the agent made the first commit itself (``created``:
    every file is new). Without a reflog, the sandbox's HEAD (``head``). The reflog counts whole
    seconds: an entry of the second the conversation started in may be the agent's, so only those
    of earlier seconds count as before it."""
    if not entries:
        return head, "head"
    if started is not None:
        before = [e for e in entries if e.time < math.floor(started)]
        if before:
            return before[0].commit, "start"
    oldest = entries[-1]
    if oldest.message.startswith("commit (initial)"):
        return None, "created"
    return oldest.commit, "first"


def pushed_branches(text: str) -> list[str]:
    """The remote branches ``git push`` output names (``* [new branch] a -> a``, ``1a2b..3c4d a -> a``)."""
    found: list[str] = []
    pushing = False
    for line in text.splitlines():
        if line.startswith("To "):
            pushing = True
            continue
        match = _PUSHED.match(line) if pushing else None
        if match and "[deleted]" not in line and "[rejected]" not in line and "!" not in line[:3]:
            name = match.group(1).removeprefix("refs/heads/")
            if name not in found:
                found.append(name)
    return found


def _gone(client: OpenHands, conv: AppConversation) -> PatchUnavailableError:
    branches: list[str] = []
    for event in client.events.search(conv.id, kind="ObservationEvent", sort_order="TIMESTAMP_DESC", limit=PUSH_SCAN):
        if isinstance(event, ObservationEvent):
            for name in pushed_branches(event.text):
                if name not in branches:
                    branches.append(name)
    repo = f" of {conv.selected_repository}" if conv.selected_repository else ""
    where = []
    if branches:
        where.append(f"the agent pushed {', '.join(branches)}{repo}")
    if conv.pr_number:
        where.append(
            f"its pull request{'s' if len(conv.pr_number) > 1 else ''}{repo}: "
            + ", ".join(f"#{n}" for n in conv.pr_number)
        )
    found = "; ".join(where) if where else "nothing pushed from it can be seen in its events"
    return PatchUnavailableError(
        f"The sandbox of conversation {conv.id} is {conv.sandbox_status or 'gone'}: the change that was not "
        f"pushed went with it ({found})",
        pushed_branches=branches,
        pr_numbers=list(conv.pr_number),
    )


def conversation_patch(
    client: OpenHands,
    conversation: ConversationRef,
    *,
    path: str | None = None,
    resume_timeout: float | None = 300.0,
) -> Patch:
    cid = conversation_id(conversation)
    conv = client.conversations.retrieve(cid)
    if not conv.sandbox_id or str(conv.sandbox_status) in FAILED_SANDBOX:
        raise _gone(client, conv)
    try:
        agent = ensure_fetched_running(client, conv, timeout=resume_timeout)
    except SandboxFailedError:
        raise _gone(client, client.conversations.retrieve(cid)) from None
    try:
        root = repository_root(agent, cid, conv.selected_repository, path)
        quoted = shlex.quote(root)
        first = [event.timestamp for event in agent.events.search(cid, limit=1)]
        script = STATE_SCRIPT.format(root=quoted, started=shlex.quote(first[0] if first and first[0] else ""))
        found = agent.bash.execute(script, timeout=GIT_TIMEOUT)
        if not found.ok:
            raise WorkspaceDiffError(f"git failed in {root}: {(found.stderr or found.stdout).strip()[:500]}")
        state = parse_state(found.stdout)
        head, branch = state.head, state.branch
        base, how = choose_base(head, state.entries, start_time(state, conv.created_at))
        script = DIFF_SCRIPT.format(root=quoted, base=shlex.quote(base or ""), excludes=EXCLUDES)
        made = agent.bash.execute(script, timeout=GIT_TIMEOUT)
        where = made.stdout.strip().splitlines()[-1] if made.ok and made.stdout.strip() else ""
        if not where.startswith("/"):
            raise WorkspaceDiffError(f"git diff failed in {root}: {(made.stderr or made.stdout).strip()[:500]}")
        try:
            data = agent.files.read_bytes(f"{where}/patch")
        finally:
            agent.bash.execute(f"rm -rf {shlex.quote(where)}", timeout=60)
    finally:
        agent.close()
    return Patch.from_text(
        data.decode("utf-8", "surrogateescape"),
        conversation_id=cid,
        title=conv.title,
        repository_path=root,
        base_commit=base,
        base=how,
        head_commit=head,
        branch=branch,
    )
