"""Generate the sync twin ``src/ohctl/_sync/`` from the async source ``src/ohctl/_async/``.

Run after changing anything under ``_async/``; ``--check`` (part of the test command) fails when the
checked-in twin is out of date. The sync code is never edited by hand.
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

import unasync

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "ohctl" / "_async"
DST = ROOT / "src" / "ohctl" / "_sync"
HEADER = "# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.\n"

# Every name ``AsyncX`` becomes ``X`` (``AsyncOpenHands`` -> ``OpenHands``, ``AsyncCloud`` -> ``Cloud``,
# ``httpx.AsyncClient`` -> ``httpx.Client``): the sync twin's classes are the public ones, under their own
# names. These are the other renames.
REPLACEMENTS = {
    "async_sleep": "sync_sleep",
    "async_spawn": "sync_spawn",
    "async_settle": "sync_settle",
    "async_gather_parts": "sync_gather_parts",
    "async_ws_connect": "sync_ws_connect",
    "async_ws_recv": "sync_ws_recv",
    "aclose": "close",
    "aiter_bytes": "iter_bytes",
    "aread": "read",
}


def unused_rules(sources: list[Path]) -> list[str]:
    """Replacement rules that match no token of the source: a renamed helper would otherwise leave a
    rule that silently does nothing (and an async name in the sync twin)."""
    names: set[str] = set()
    for source in sources:
        for token in tokenize.generate_tokens(io.StringIO(source.read_text()).readline):
            if token.type == tokenize.NAME:
                names.add(token.string)
            elif token.type == tokenize.STRING:
                names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", token.string))
    return sorted(rule for rule in REPLACEMENTS if rule not in names)


def sync_name(name: str) -> str | None:
    """The sync twin of an ``AsyncX`` name (``X``), or None for any other name."""
    if len(name) > 5 and name.startswith("Async") and name[5].isupper():
        return name[5:]
    return None


class Rule(unasync.Rule):  # type: ignore[misc]
    """unasync's rule with ``AsyncX -> X`` in place of its ``AsyncX -> SyncX``."""

    def _unasync_name(self, name: str) -> str:
        if name in self.token_replacements:
            return str(self.token_replacements[name])
        return sync_name(name) or name


def collisions(sources: list[Path]) -> list[str]:
    """``AsyncX`` names whose twin ``X`` is already a name in the same module (``AsyncSettings`` beside a
    ``Settings`` model): the generated module would bind one name to two things."""
    found = []
    for source in sources:
        names = {
            token.string
            for token in tokenize.generate_tokens(io.StringIO(source.read_text()).readline)
            if token.type == tokenize.NAME
        }
        for name in sorted(names):
            twin = sync_name(name)
            if twin is not None and name not in REPLACEMENTS and name not in unasync._ASYNC_TO_SYNC and twin in names:
                found.append(f"{source.relative_to(SRC)}: {name} -> {twin}")
    return found


def generate(out_dir: Path) -> dict[Path, str]:
    sources = sorted(SRC.rglob("*.py"))
    unused = unused_rules(sources)
    if unused:
        raise SystemExit(f"gen_sync: these replacement rules match nothing in {SRC}: {', '.join(unused)}")
    clashes = collisions(sources)
    if clashes:
        raise SystemExit("gen_sync: these sync names are taken in their module: " + "; ".join(clashes))
    rule = Rule(fromdir=str(SRC) + "/", todir=str(out_dir) + "/", additional_replacements=REPLACEMENTS)
    unasync.unasync_files([str(p) for p in sources], rules=[rule])
    files = [source.relative_to(SRC) for source in sources]
    for rel in files:
        target = out_dir / rel
        target.write_text(HEADER + target.read_text())
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
        with tempfile.TemporaryDirectory(dir=ROOT / "src" / "ohctl") as tmp:
            fresh = generate(Path(tmp))  # fails before anything is replaced
        for old in DST.rglob("*.py"):
            old.unlink()
        for rel, text in fresh.items():
            (DST / rel).parent.mkdir(parents=True, exist_ok=True)
            (DST / rel).write_text(text)
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
