"""Generate the sync twin ``src/ohctl/_sync/`` from the async source ``src/ohctl/_async/``.

Run after changing anything under ``_async/``; ``--check`` (part of the test command) fails when the
checked-in twin is out of date. The sync code is never edited by hand.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

import tokenize_rt
import unasync

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "ohctl" / "_async"
DST = ROOT / "src" / "ohctl" / "_sync"
HEADER = "# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.\n"

REPLACEMENTS = {
    "_async": "_sync",
    "AsyncOpenHands": "OpenHands",
    "AsyncPager": "Pager",
    "AsyncClient": "Client",
    "AsyncAgentServer": "AgentServer",
    "AsyncEventStream": "EventStream",
    "async_sleep": "sync_sleep",
    "async_ws_connect": "sync_ws_connect",
    "async_ws_recv": "sync_ws_recv",
    "aclose": "close",
    "aiter_bytes": "iter_bytes",
    "aiter_raw": "iter_raw",
    "aread": "read",
}


def generate(out_dir: Path) -> dict[Path, str]:
    rule = unasync.Rule(fromdir=str(SRC), todir=str(out_dir), additional_replacements=REPLACEMENTS)
    files: dict[Path, str] = {}
    for source in sorted(SRC.rglob("*.py")):
        tokens = tokenize_rt.src_to_tokens(source.read_text())
        text = tokenize_rt.tokens_to_src(rule._unasync_tokens(tokens))
        target = out_dir / source.relative_to(SRC)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(HEADER + text)
        files[source.relative_to(SRC)] = ""
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(out_dir)], check=True, cwd=ROOT)
    subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--fix-only", "--quiet", "--select", "I,F401", str(out_dir)],
        check=True,
        cwd=ROOT,
    )
    return {rel: (out_dir / rel).read_text() for rel in files}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="fail if src/ohctl/_sync is out of date")
    args = parser.parse_args()
    if not args.check:
        for old in DST.rglob("*.py"):
            old.unlink()
        generate(DST)
        return 0
    with tempfile.TemporaryDirectory(dir=ROOT / "src" / "ohctl") as tmp:
        fresh = generate(Path(tmp))
    stale = []
    for rel, text in fresh.items():
        current = (DST / rel).read_text() if (DST / rel).exists() else ""
        if current != text:
            stale.append(rel)
            sys.stdout.writelines(
                difflib.unified_diff(current.splitlines(True), text.splitlines(True), str(rel), str(rel))
            )
    extra = {p.relative_to(DST) for p in DST.rglob("*.py")} - set(fresh)
    if stale or extra:
        print(
            f"src/ohctl/_sync is out of date ({len(stale)} changed, {len(extra)} extra): run python scripts/gen_sync.py"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
