"""The live flows as a person sees them: ``ohctl`` as a real process in a real terminal (tmux), with
keys sent and the screen read back. Each test uses a private tmux server (``tmux -L <unique>``) that
is killed at the end. Checked: the live display, no colour codes when piped, a clean Ctrl-C with the
re-attach hint while the conversation goes on on the server, and no key on any screen."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import ohctl
from tests.support.peer_suite import Shared
from tests.support.scripted_llm import FINISH_MESSAGE

TMUX = shutil.which("tmux") or "/usr/bin/tmux"
OHCTL = f"{shlex.quote(sys.executable)} -m ohctl"
EXIT = re.compile(r"^EXIT=(\d+)\s*$", re.MULTILINE)

HAVE_TMUX = Path(TMUX).exists()
# On a developer's machine without tmux these tests skip; in CI (CI is set) they fail instead, so that
# the live terminal is never left untested there: scripts/setup installs tmux.
pytestmark = pytest.mark.skipif(
    not HAVE_TMUX and not os.environ.get("CI"), reason="tmux is not installed (scripts/setup installs it)"
)


class Terminal:
    """One tmux server on a private socket, one 200x50 window running bash."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        if not HAVE_TMUX:
            pytest.fail("tmux is not installed, and CI is set: run scripts/setup (it installs tmux)")
        self.socket = f"ohctl-test-{uuid.uuid4().hex[:12]}"
        shell_env = {**env, "PS1": "$ ", "TERM": "xterm-256color"}
        shell_env.pop("NO_COLOR", None)
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "200", "-y", "50", "-c", str(cwd),
            "bash --norc --noprofile", env=shell_env,
        )  # fmt: skip
        self._tmux("set-option", "-t", "main", "history-limit", "5000")
        self.socket_path = Path(self._tmux("display-message", "-p", "#{socket_path}").strip())

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, env=env, check=True, timeout=30
        )
        return done.stdout

    def type(self, line: str) -> None:
        self._tmux("send-keys", "-t", "main", "-l", line)
        self._tmux("send-keys", "-t", "main", "Enter")

    def ctrl_c(self) -> None:
        self._tmux("send-keys", "-t", "main", "C-c")

    def screen(self, *, escapes: bool = False) -> str:
        args = ["capture-pane", "-p", "-J", "-t", "main", "-S", "-5000"]
        return self._tmux(*args, *(["-e"] if escapes else []))

    def wait_for(self, pattern: str, timeout: float = 120.0) -> str:
        found = re.compile(pattern, re.MULTILINE)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.screen()
            if found.search(text):
                return text
            time.sleep(0.3)
        raise AssertionError(f"{pattern!r} did not appear within {timeout}s; the screen:\n{self.screen()}")

    def run(self, command: str, timeout: float = 180.0) -> tuple[int, str]:
        """Type ``command``, wait for it to end; its exit code and the screen."""
        self._tmux("clear-history", "-t", "main")
        self.type("clear")
        self.type(f"{command}; echo EXIT=$?")
        screen = self.wait_for(r"^EXIT=\d+", timeout)
        match = EXIT.search(screen)
        assert match is not None
        return int(match.group(1)), screen

    def kill(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, check=False, timeout=30)
        self.socket_path.unlink(missing_ok=True)


@pytest.fixture
def term(base_url: str, tmp_path: Path, isolated: Path) -> Iterator[Terminal]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENHANDS_", "OH_", "OHCTL_", "LLM_"))}
    env.update({"OPENHANDS_BASE_URL": base_url, "OHCTL_CONFIG_DIR": str(isolated), "OHCTL_KEYRING": "0"})
    terminal = Terminal(env, tmp_path)
    try:
        yield terminal
    finally:
        terminal.kill()


def keys_of(client: ohctl.OpenHands, shared: Shared) -> list[str]:
    return [c.session_api_key for c in client.conversations.search(sandbox_id=shared.sandbox_id) if c.session_api_key]


def assert_no_keys(text: str, client: ohctl.OpenHands, shared: Shared) -> None:
    leaked = [key for key in keys_of(client, shared) if key in text]
    assert not leaked, f"a session key is on the screen:\n{text}"


def conversation_id(screen: str) -> str:
    found = re.search(r"ready in \S+: conversation ([0-9a-f]{32})", screen)
    assert found, screen
    return found.group(1)


def test_run_follow_live_with_colour(term: Terminal, shared: Shared, client: ohctl.OpenHands) -> None:
    code, screen = term.run(f'{OHCTL} run --no-repo --sandbox {shared.sandbox_id} --follow "Count [ohctl:long:4]"')
    assert code == 0, screen
    for expected in ("starting (", "READY", "$ echo step 1", "$ echo step 4", f"finish: {FINISH_MESSAGE}"):
        assert expected in screen, screen
    assert re.search(r"^finished in \d+s · \d+ events", screen, re.MULTILINE), screen
    # the order a person reads: start-up, the id, the agent's steps, the summary
    assert screen.index("READY") < screen.index("$ echo step 1") < screen.index("$ echo step 4")
    assert screen.index("$ echo step 4") < screen.index("finished in")
    assert "\x1b[" in term.screen(escapes=True)  # a terminal: colours
    assert_no_keys(screen, client, shared)


def test_piped_output_has_no_colour(term: Terminal, shared: Shared, tmp_path: Path, client: ohctl.OpenHands) -> None:
    out = tmp_path / "out.txt"
    code, screen = term.run(
        f'{OHCTL} run --no-repo --sandbox {shared.sandbox_id} --follow "Count [ohctl:long:2]" 2>&1 | cat > {out}'
    )
    assert code == 0, screen
    text = out.read_text()
    assert "$ echo step 2" in text and "finished in" in text
    assert "\x1b" not in text
    for command in (f"show {shared.id}", "list --limit 3", f"events {shared.id} -L 5", f"diff {shared.id} --stat"):
        out.unlink(missing_ok=True)
        term.run(f"{OHCTL} {command} > {out} 2>&1")
        assert "\x1b" not in out.read_text(), command
        assert_no_keys(out.read_text(), client, shared)


def test_ctrl_c_leaves_the_agent_running_then_watch(term: Terminal, shared: Shared, client: ohctl.OpenHands) -> None:
    term._tmux("clear-history", "-t", "main")
    task = "Count [ohctl:long:40]"  # many short steps: the Ctrl-C lands in the middle of the run
    term.type(f'{OHCTL} run --no-repo --sandbox {shared.sandbox_id} --follow "{task}"; echo EXIT=$?')
    screen = term.wait_for(r"\$ echo step 3$")
    cid = conversation_id(screen)
    term.ctrl_c()
    screen = term.wait_for(r"^EXIT=\d+", 30)
    assert "EXIT=130" in screen, screen
    assert f"interrupted: conversation {cid} keeps running on the server" in screen
    assert f"re-attach: ohctl watch {cid}" in screen and f"ohctl events {cid} --follow" in screen
    assert "Traceback" not in screen and "finished in" not in screen
    conv = client.conversations.retrieve(cid)
    assert str(conv.execution_status) in ("running", "finished"), conv  # not stopped by the Ctrl-C
    # watch re-attaches: a status line now, another when it finishes, and the outcome's exit code
    code, screen = term.run(f"{OHCTL} watch {cid} --exit-status --interval 1")
    assert code == 0, screen
    assert re.search(rf"{cid[:8]} .*finished", screen), screen
    summary = client.conversations.summary(cid)
    assert summary.outcome == "finished" and summary.last_agent_message == FINISH_MESSAGE
    assert_no_keys(screen, client, shared)


def test_events_follow_live(term: Terminal, shared: Shared, client: ohctl.OpenHands) -> None:
    conv = client.conversations.start("Nap [ohctl:slow:5]", sandbox_id=shared.sandbox_id, wait="ready")
    code, screen = term.run(f"{OHCTL} events {conv.id} --follow")
    assert code == 0, screen
    assert "$ sleep 5.0" in screen and f"finish: {FINISH_MESSAGE}" in screen, screen
    assert screen.index("$ sleep 5.0") < screen.index("finish:")
    assert_no_keys(screen, client, shared)


def test_events_follow_ctrl_c(term: Terminal, shared: Shared, client: ohctl.OpenHands) -> None:
    conv = client.conversations.start("Nap [ohctl:slow:10]", sandbox_id=shared.sandbox_id, wait="ready")
    term._tmux("clear-history", "-t", "main")
    term.type(f"{OHCTL} events {conv.id} --follow; echo EXIT=$?")
    term.wait_for(r"\$ sleep 10")
    term.ctrl_c()
    screen = term.wait_for(r"^EXIT=\d+", 30)
    assert "EXIT=130" in screen and f"re-attach: ohctl watch {conv.id}" in screen, screen
    assert "Traceback" not in screen


def test_download_in_a_terminal(term: Terminal, shared: Shared, tmp_path: Path) -> None:
    code, screen = term.run(f"{OHCTL} download {shared.id} -o dl/")
    assert code == 0, screen
    [saved] = (tmp_path / "dl").glob("*.zip")
    assert f"{saved.name} ({saved.stat().st_size:,} bytes)" in screen
    assert not list((tmp_path / "dl").glob("*.part"))
