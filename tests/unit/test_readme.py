"""The README's Python examples type-check under the project's mypy configuration (strict).

The blocks are checked joined in README order, as one module: the second block uses ``client`` and
``conv`` from the first, as a reader running them in order would. No prelude is added. Errors are
reported at their README line.
"""

from __future__ import annotations

import re
from pathlib import Path

from mypy import api as mypy_api

from tests.support.readme_blocks import README, combined_source, python_blocks

ROOT = README.parent


def test_readme_has_python_examples() -> None:
    found = python_blocks()
    assert len(found) >= 2, "README.md lost its Python examples"
    assert all(block.code.strip() for block in found)


def test_readme_blocks_compile() -> None:
    source, _ = combined_source()
    compile(source, "README.md", "exec")


def test_readme_examples_type_check_strict(tmp_path: Path) -> None:
    source, line_map = combined_source()
    module = tmp_path / "readme_examples.py"
    module.write_text(source, encoding="utf-8")
    stdout, stderr, status = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--strict",  # also set in the config; stated here so the check cannot get laxer by accident
            "--no-error-summary",
            "--show-error-codes",
            str(module),
        ]
    )

    def at_readme_line(match: re.Match[str]) -> str:
        line = int(match.group(1))
        return f"README.md:{line_map.get(line, line)}:"

    report = re.sub(rf"{re.escape(str(module))}:(\d+):", at_readme_line, stdout)
    assert status == 0, f"mypy --strict found errors in README.md's examples:\n{report}{stderr}"
    assert stderr == ""
