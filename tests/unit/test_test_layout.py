"""Test infrastructure (harnesses, fakes, proxies, shared names) lives in tests/support/, never among
the test files, and no module imports a conftest module or a test module: a conftest holds fixtures
and hooks only, a test module tests, and what tests share is a support module."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Besides tests/support, a directory of tests holds only these modules.
ALLOWED = ("__init__.py", "conftest.py")


def is_conftest(module: str) -> bool:
    return module == "conftest" or module.startswith("conftest_")


def is_test_module(module: str) -> bool:
    return module.startswith("test_")


def forbidden_imports(root: Path, forbidden: Callable[[str], bool] = is_conftest) -> list[str]:
    """Every import by a module under tests/ of a module whose name is ``forbidden`` (a conftest module,
    ``conftest`` or ``conftest_*``, unless told otherwise)."""
    found = []
    for path in sorted((root / "tests").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), filename=where)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                names = [module] + [f"{module}.{alias.name}".lstrip(".") for alias in node.names]
            else:
                continue
            found += [f"{where}:{node.lineno} imports {name}" for name in names if forbidden(name.split(".")[-1])]
    return found


def stray_modules(root: Path) -> list[str]:
    """Modules under tests/ outside tests/support that are neither a test module nor a conftest."""
    tests = root / "tests"
    return [
        path.relative_to(root).as_posix()
        for path in sorted(tests.rglob("*.py"))
        if path.parent != tests / "support"
        and (tests / "support") not in path.parents
        and not path.name.startswith("test_")
        and (path.name not in ALLOWED)
    ]


def test_no_module_imports_a_conftest_module() -> None:
    assert forbidden_imports(ROOT) == []


def test_no_module_imports_a_test_module() -> None:
    assert forbidden_imports(ROOT, is_test_module) == []


def test_infrastructure_lives_in_tests_support() -> None:
    assert stray_modules(ROOT) == []


def test_the_checks_find_what_they_forbid(tmp_path: Path) -> None:
    for name, text in {
        "tests/__init__.py": "",
        "tests/conftest.py": "pytest_plugins = ['tests.support.plugin']\n",
        "tests/support/plugin.py": "from tests.support import names\n",
        "tests/peers/conftest.py": "",
        "tests/peers/conftest_faults.py": "",
        "tests/peers/harness.py": "",
        "tests/peers/test_a.py": "from tests.peers.conftest import Shared\nfrom tests.support.names import X\n",
        "tests/peers/test_b.py": "from tests.peers import conftest_faults\nimport tests.cli.conftest\n",
        "tests/cli/test_c.py": "from tests.unit.test_credentials import MemoryKeyring\nfrom . import test_a\n",
        "tests/unit/fake.py": "",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert forbidden_imports(tmp_path) == [
        "tests/peers/test_a.py:1 imports tests.peers.conftest",
        "tests/peers/test_b.py:1 imports tests.peers.conftest_faults",
        "tests/peers/test_b.py:2 imports tests.cli.conftest",
    ]
    assert forbidden_imports(tmp_path, is_test_module) == [
        "tests/cli/test_c.py:1 imports tests.unit.test_credentials",
        "tests/cli/test_c.py:2 imports test_a",
    ]
    assert stray_modules(tmp_path) == ["tests/peers/conftest_faults.py", "tests/peers/harness.py", "tests/unit/fake.py"]
