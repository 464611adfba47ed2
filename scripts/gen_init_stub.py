"""Generate ``src/ohctl/__init__.pyi`` from the public names table ``_LAZY`` of ``src/ohctl/__init__.py``.

``_LAZY`` is the one list of the package's public names: the module loads each on first use, and
``__all__`` is made from it. Type checkers and IDEs cannot follow a lazy ``__getattr__``, so they
read this stub, which imports every name statically. Run after changing ``_LAZY``; ``--check`` (a
unit test runs it too) fails when the checked-in stub is out of date.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INIT = ROOT / "src" / "ohctl" / "__init__.py"
STUB = INIT.with_suffix(".pyi")
HEADER = "# Generated from _LAZY in ohctl/__init__.py by scripts/gen_init_stub.py: do not edit; edit _LAZY.\n"


def table(source: str) -> dict[str, tuple[str, str | None]]:
    """``_LAZY`` as written in the module's source (read, not imported: the stub must not depend on
    the names resolving)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "_LAZY":
            value = ast.literal_eval(node.value) if node.value is not None else None
            if isinstance(value, dict):
                return value
    raise SystemExit("gen_init_stub: no _LAZY mapping in ohctl/__init__.py")


def stub_text(source: str) -> str:
    lines = [HEADER, "from ._version import __version__ as __version__\n"]
    names = table(source)
    for name, (module, attribute) in names.items():
        if attribute is None:
            parent, _, leaf = module.rpartition(".")
            lines.append(f"from {parent or '.'} import {leaf} as {name}\n")
        else:
            lines.append(f"from {module} import {attribute} as {name}\n")
    lines.append(f"\n__all__ = {['__version__', *names]!r}\n")
    with tempfile.TemporaryDirectory(dir=INIT.parent) as tmp:  # the project's ruff settings apply
        path = Path(tmp) / "__init__.pyi"
        path.write_text("".join(lines))
        for command in (["check", "--fix-only", "--quiet", "--select", "I"], ["format", "--quiet"]):
            subprocess.run([sys.executable, "-m", "ruff", *command, str(path)], check=True, cwd=ROOT)
        return path.read_text()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="fail if src/ohctl/__init__.pyi is out of date")
    args = parser.parse_args()
    fresh = stub_text(INIT.read_text())
    if args.check:
        if not STUB.exists() or STUB.read_text() != fresh:
            print("src/ohctl/__init__.pyi is out of date: run python scripts/gen_init_stub.py")
            return 1
        return 0
    STUB.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
