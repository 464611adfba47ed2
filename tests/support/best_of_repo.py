"""A repository for best-of-N tests: ``calc.add`` subtracts, and its unit test says so. Each scripted
attempt clones it into a directory of its own (the attempts share the suite's sandbox, and with it
one working directory) and changes it: only the fix makes the selection command (``SELECT``) pass."""

from __future__ import annotations

import shlex
import subprocess
import uuid
from pathlib import Path

SELECT = "python3 -m unittest -q"
BROKEN = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n"
TEST = (
    "import unittest\n\nfrom calc import add\n\n\n"
    "class AddTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n"
)
FIX = "sed -i 's/a - b/a + b/' calc.py"
WRONG_FIX = "sed -i 's/a - b/a * b/' calc.py"  # 1 file, +1 -1: as small as the fix, but the test fails
NO_FIX = "printf '# looked at it\\n' >> calc.py"  # +1: the smallest change, and the test fails


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_origin(where: Path) -> Path:
    where.mkdir(parents=True)
    git(where, "init", "-q", "-b", "main")
    (where / "calc.py").write_text(BROKEN)
    (where / "test_calc.py").write_text(TEST)
    git(where, "add", "-A")
    git(where, "commit", "-qm", "init")
    return where


def work_path() -> str:
    """``best_of``'s ``path`` for one run: a directory per attempt (``{attempt}``), relative to the
    working directory, new for each test."""
    return f"best-of-{uuid.uuid4().hex[:8]}-{{attempt}}"


def attempt_commands(origin: Path, path: str, changes: list[str]) -> list[str]:
    """What each scripted attempt runs: clone the origin into its directory, then make its change."""
    commands = []
    for index, change in enumerate(changes, 1):
        where = shlex.quote(path.replace("{attempt}", str(index)))
        commands.append(f"git clone -q {shlex.quote(str(origin))} {where} && cd {where} && {change}")
    return commands
