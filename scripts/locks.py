"""Makes the committed locks: ``scripts/lock-servers`` and ``scripts/lock-dev`` call this.

Relocking is deliberate: run one of those scripts, review the diff of the locks, commit it on its own.

- servers: one lock per pinned OpenHands server (ohctl.local.install.PEERS), universal (Linux and
  macOS, every Python the servers run on: 3.12 and newer), with hashes, shipped inside the package at
  src/ohctl/local/locks/<package>-<version>.txt. The constraints and overrides beside them are applied.
- dev: the development and CI environment: ohctl's dependencies, its [all] and [dev] extras and the build backend,
  universal over every Python ohctl supports (3.10 and newer), at locks/dev.txt; locks/bootstrap.txt
  holds the one package (uv) that is installed before uv exists, at the same version and hashes.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_LOCKS = ROOT / "src" / "ohctl" / "local" / "locks"
DEV_LOCKS = ROOT / "locks"
SERVER_PYTHON = "3.12"  # the oldest Python the servers run on; a universal lock covers the newer ones
PROJECT_PYTHON = "3.10"  # the oldest Python ohctl supports
DEV_EXTRAS = ("all", "dev", "docs")  # every extra (the tests run every command), the dev tools, the docs site
SERVER_HEADER = (
    "# Installed by ohctl with `uv pip sync --require-hashes` (ohctl.local.install); universal: Linux and\n"
    "# macOS, Python 3.12 and newer. Made with constraints.txt (cryptography<51: why is said there) and\n"
    "# overrides.txt (certifi) beside this file. Relock deliberately: scripts/lock-servers.\n"
)


def uv(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "uv", *args], check=True, cwd=ROOT)


def compile_server(name: str, package: str, version: str, out: Path, *, constraints: bool = True) -> None:
    """Resolve one server's lock into ``out`` (with ``constraints=False``: without constraints.txt,
    which scripts/check-latest uses to see whether a constraint is still needed)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{package}-{version}.in"
        source.write_text(f"{package}=={version}\n")
        constraint = ["--constraint", str(SERVER_LOCKS / "constraints.txt")] if constraints else []
        uv(
            "pip", "compile", "--quiet", "--universal", "--python-version", SERVER_PYTHON, "--generate-hashes",
            *constraint, "--override", str(SERVER_LOCKS / "overrides.txt"),
            "--custom-compile-command", f"scripts/lock-servers {name}",
            "--no-strip-markers", "-o", str(out), str(source),
        )  # fmt: skip
    out.write_text(SERVER_HEADER + out.read_text())


def compile_dev(out: Path) -> None:
    """Resolve the development environment's lock into ``out``."""
    uv(
        "pip", "compile", "--quiet", "--universal", "--python-version", PROJECT_PYTHON, "--generate-hashes",
        *[arg for extra in DEV_EXTRAS for arg in ("--extra", extra)], "--custom-compile-command", "scripts/lock-dev",
        "-o", str(out), "pyproject.toml", str(DEV_LOCKS / "build.in"),
    )  # fmt: skip


def lock_servers(which: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from ohctl.local.install import PEERS, lock_path

    for name in which or sorted(PEERS):
        package, version = PEERS[name]
        out = lock_path(package, version)
        compile_server(name, package, version, out)
        print(f"{name}: {out.relative_to(ROOT)} ({count(out)} packages)")


def lock_dev() -> None:
    out = DEV_LOCKS / "dev.txt"
    compile_dev(out)
    (DEV_LOCKS / "bootstrap.txt").write_text(
        "# uv, installed with pip (--require-hashes) before uv exists; the same version and hashes as in\n"
        "# dev.txt. Made by scripts/lock-dev: do not edit.\n" + requirement_block(out.read_text(), "uv")
    )
    print(f"dev: {out.relative_to(ROOT)} ({count(out)} packages), locks/bootstrap.txt")


def requirement_block(text: str, name: str) -> str:
    """The lines of one requirement (its pin and hashes) in a pip-compile style lock."""
    match = re.search(rf"^{re.escape(name)}==[^\n]*(?:\n[ \t]+--hash=[^\n]*)*", text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"{name} is not in the lock")
    return match.group(0).rstrip(" \\") + "\n"


def count(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if re.match(r"^[A-Za-z0-9]", line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    servers = sub.add_parser("servers", help="relock the OpenHands servers")
    servers.add_argument("which", nargs="*", help="app, agent, v0 (default: all)")
    sub.add_parser("dev", help="relock the development and CI environment")
    args = parser.parse_args()
    if args.what == "servers":
        lock_servers(args.which)
    else:
        lock_dev()


if __name__ == "__main__":
    main()
