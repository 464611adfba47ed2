"""The package's import graph has no cycle, and the layers point one way.

Every import counts, including those inside functions (a lazy import hides a cycle, it does not
remove it); only imports under ``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "ohctl"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _runtime_imports(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from pkg import sub`` imports the module pkg.sub; ``from pkg import name`` runs pkg.
            targets = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in known else prefix for a in node.names]
        for target in targets:
            # A package's own ancestors are always initialised first: importing them closes no cycle.
            if target in known and target != name and not name.startswith(target + "."):
                out.add(target)
    return out


@functools.cache
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def test_the_walker_sees_the_package() -> None:
    edges = graph()
    assert len(edges) > 60
    assert "ohctl._async.resources.conversations" in edges
    assert "ohctl._async.lib.waiting" in edges["ohctl._async.resources.conversations"]
    assert "ohctl._errors" in edges["ohctl._retry"]


def test_the_detector_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


# Layers, lowest first: a module may import its own layer's and lower layers' modules only.
LAYERS = [
    ("pure", ("ohctl._redact", "ohctl._errors", "ohctl._responses", "ohctl._version")),
    ("ids", ("ohctl._ids", "ohctl._routes")),
    ("config", ("ohctl._config", "ohctl._options", "ohctl._retry", "ohctl._backend")),
    ("types", ("ohctl.types",)),
    ("logic", ("ohctl._wait_logic", "ohctl._live", "ohctl._streams", "ohctl._archive", "ohctl._event_filters")),
    ("pipeline", ("ohctl._async._http", "ohctl._async._pagination", "ohctl._async._download")),
    ("agent", ("ohctl._async.agent",)),
    ("lib", ("ohctl._async.lib",)),
    ("resources", ("ohctl._async.resources",)),
    ("client", ("ohctl._async.client",)),
]


def layer_of(name: str) -> int | None:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return rank
    return None


@pytest.mark.parametrize(
    "name", sorted(n for n in modules() if n.startswith("ohctl._async") or layer_of(n) is not None)
)
def test_layers_point_down(name: str) -> None:
    edges = graph()
    mine = layer_of(name)
    if mine is None:
        return
    upward = [t for t in edges[name] if (layer_of(t) or 0) > mine]
    assert not upward, f"{name} ({LAYERS[mine][0]}) imports higher layers: {upward}"


# The public subpackages the command line may import (besides the ``ohctl`` package itself).
PUBLIC_PACKAGES = (
    "ohctl.cli",
    "ohctl.types",
    "ohctl.local",
    "ohctl.cloud",
    "ohctl.legacy",
    "ohctl.batch",
    "ohctl.github",
    "ohctl.mcp",
    "ohctl.templates",
)


def test_the_command_line_uses_public_names_only() -> None:
    """``ohctl.cli`` is a thin layer: it imports the ``ohctl`` package (public names), the public
    subpackages in ``PUBLIC_PACKAGES`` (types, local, cloud, legacy, batch, github, mcp, templates),
    and itself only."""
    wrong = []
    for name, targets in graph().items():
        if not name.startswith("ohctl.cli"):
            continue
        for target in targets:
            if not (target == "ohctl" or target.startswith(PUBLIC_PACKAGES)):
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong


def test_the_command_line_starts_without_heavy_imports() -> None:
    """``ohctl --help`` loads click, not httpx, pydantic, websockets or the async stack."""
    import subprocess
    import sys

    code = (
        "import sys; from ohctl.cli.main import cli; "
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: cli.main(['--help'], standalone_mode=False)\n"
        "    except SystemExit: pass\n"
        "heavy = [m for m in ('httpx', 'pydantic', 'websockets', 'ohctl._async', 'ohctl._sync', 'rich', 'jq') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"ohctl --help imported {out}"


# The console script and ``python -m ohctl``: they start the command line.
ENTRY_POINTS = ("ohctl._entry", "ohctl.__main__")


def test_the_library_parts_never_import_the_command_line() -> None:
    """``ohctl.github``, ``ohctl.batch``, ``ohctl.mcp`` (and every other library module) sit below
    ``ohctl.cli``: outcomes, exit codes, failures and templates are the library's (``ohctl.ExitCode``,
    ``ohctl.describe_failure``, ``ohctl.templates``), so nothing but the CLI itself reaches into it."""
    upward = [
        f"{name} -> {target}"
        for name, targets in graph().items()
        if not name.startswith("ohctl.cli") and name not in ENTRY_POINTS
        for target in targets
        if target == "ohctl.cli" or target.startswith("ohctl.cli.")
    ]
    assert not upward, upward
    assert any(name.startswith("ohctl.github") for name in graph())  # the check sees those packages
