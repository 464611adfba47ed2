"""What today's releases would change, tried on purpose (``scripts/check-latest``; not part of CI).

In a throw-away directory, with nothing of the project's environments or caches touched:
1. resolves ohctl's dependencies and dev tools, and each pinned OpenHands server, to today's newest
   releases (the servers with the same constraints and overrides as ``scripts/lock-servers``, unless
   ``--no-constraints``: then it shows whether those pins are still needed);
2. prints what changed against the committed locks (upgraded, added, removed);
3. builds an environment from the newest dev set and runs the unit tests in it;
4. installs the newest app server into a throw-away cache and runs one ``ohctl demo`` against it.
Exits 0 only if the unit tests and the demo pass: then relocking (scripts/lock-dev, scripts/lock-servers)
is safe to try. Keeps the directory when something fails (``--keep`` always).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from locks import DEV_LOCKS, compile_dev, compile_server, uv  # noqa: E402
from ohctl.local.install import APP_SERVER, PEERS, lock_path  # noqa: E402

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*(?:\\)?$", re.MULTILINE)


def pins(path: Path) -> dict[str, set[str]]:
    """Package -> versions pinned in a lock (a universal lock may pin two, under different markers)."""
    found: dict[str, set[str]] = {}
    for name, version, _marker in PIN.findall(path.read_text()):
        found.setdefault(name.lower(), set()).add(version)
    return found


def drift(old: Path, new: Path) -> list[str]:
    before, after = pins(old), pins(new)
    lines = []
    for name in sorted(before.keys() | after.keys()):
        was, now = before.get(name), after.get(name)
        if was == now:
            continue
        if was is None:
            lines.append(f"  + {name} {', '.join(sorted(now or ()))}")
        elif now is None:
            lines.append(f"  - {name} {', '.join(sorted(was))}")
        else:
            lines.append(f"    {name} {', '.join(sorted(was))} -> {', '.join(sorted(now))}")
    return lines


def compile_latest(work: Path, constraints: bool) -> dict[str, Path]:
    """Today's locks, made exactly as scripts/lock-dev and scripts/lock-servers make them, under ``work``."""
    (work / "locks").mkdir(parents=True)
    out = {"dev": work / "locks" / "dev.txt"}
    compile_dev(out["dev"])
    for name, (package, version) in sorted(PEERS.items()):
        out[name] = work / "locks" / f"{package}-{version}.txt"
        compile_server(name, package, version, out[name], constraints=constraints)
    return out


def step(title: str, argv: list[str], env: dict[str, str], log: Path) -> bool:
    started = time.monotonic()
    with open(log, "w") as out:
        code = subprocess.run(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    tail = (log.read_text().strip().splitlines() or [""])[-1]
    print(f"{title}: {'passed' if code == 0 else f'FAILED (exit {code})'} in {time.monotonic() - started:.0f}s: {tail}")
    if code != 0:
        print(f"  log: {log}")
    return code == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--no-constraints", action="store_true", help="lift constraints.txt (is cryptography<51 still needed?)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the throw-away directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ohctl-check-latest-"))
    print(f"check-latest: working in {work}")
    latest = compile_latest(work, constraints=not args.no_constraints)
    print("What today's releases change against the committed locks:")
    for name, path in latest.items():
        committed = DEV_LOCKS / "dev.txt" if name == "dev" else lock_path(*PEERS[name])
        changes = drift(committed, path)
        print(f"- {name} ({committed.relative_to(ROOT)}): {len(changes)} change(s)" + ("" if changes else ", none"))
        for line in changes:
            print(line)

    venv = work / "venv"
    uv("venv", "--quiet", "-p", sys.executable, str(venv))
    uv("pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "-r", str(latest["dev"]))
    uv(
        "pip",
        "install",
        "--quiet",
        "--python",
        str(venv / "bin" / "python"),
        "--no-deps",
        "--no-build-isolation",
        "-e",
        ".",
    )
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    unit = step("unit tests (newest dev set)", [str(venv / "bin" / "python"), "-m", "pytest", "tests/unit", "-q",
                "-p", "no:cacheprovider"], env, work / "unit.log")  # fmt: skip

    home = work / "home"
    demo_env = dict(
        env,
        OHCTL_SERVER_LOCKS=str(work / "locks"),
        OHCTL_SERVER_CACHE=str(work / "servers"),
        OHCTL_LOCAL_DIR=str(home / "state"),
        OHCTL_CONFIG_DIR=str(home / "config"),
        NO_COLOR="1",
    )
    for var in ("LLM_MODEL", "LLM_API_KEY", "LLM_BASE_URL", "OHCTL_PROFILE"):
        demo_env.pop(var, None)
    package, version = APP_SERVER
    demo = step(f"ohctl demo ({package} {version}, newest dependencies)", [str(venv / "bin" / "ohctl"), "demo",
                "--down"], demo_env, work / "demo.log")  # fmt: skip
    ok = unit and demo
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(
        "check-latest: "
        + ("today's releases pass: relock with scripts/lock-dev and scripts/lock-servers, each in its own commit"
           if ok else f"today's releases break something (see the logs in {work}): keep the locks, or fix first")
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
