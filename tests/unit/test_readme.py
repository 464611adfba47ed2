"""The documentation's Python examples (README.md and every page of docs/) type-check under the
project's mypy configuration (strict).

Each page's blocks are checked joined in page order, as one module: a later block uses names an
earlier one defined, as a reader running them in order would. A page stands on its own (no prelude,
nothing from another page). Errors are reported at their page and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api as mypy_api

from tests.support.readme_blocks import README, ROOT, combined_source, name, python_blocks, python_pages


def test_the_readme_and_the_sdk_pages_have_python_examples() -> None:
    assert python_blocks(path=README), "README.md lost its Python example"
    assert len(python_pages()) >= 2, "the documentation lost its Python examples"
    for page in python_pages():
        assert all(block.code.strip() for block in python_blocks(path=page)), name(page)


@pytest.mark.parametrize("page", python_pages(), ids=name)
def test_examples_compile(page: Path) -> None:
    source, _ = combined_source(path=page)
    compile(source, name(page), "exec")


def test_examples_type_check_strict(tmp_path: Path) -> None:
    """One mypy run over every page (each page its own module): strict, errors at the page's lines."""
    modules: dict[Path, tuple[Path, dict[int, int]]] = {}
    for index, page in enumerate(python_pages()):
        source, line_map = combined_source(path=page)
        module = tmp_path / f"doc_example_{index}.py"
        module.write_text(source, encoding="utf-8")
        modules[module] = (page, line_map)
    stdout, stderr, status = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--strict",  # also set in the config; stated here so the check cannot get laxer by accident
            "--no-error-summary",
            "--show-error-codes",
            *map(str, modules),
        ]
    )
    report = stdout
    for module, (page, line_map) in modules.items():

        def at_page_line(match: re.Match[str], page: Path = page, line_map: dict[int, int] = line_map) -> str:
            line = int(match.group(1))
            return f"{name(page)}:{line_map.get(line, line)}:"

        report = re.sub(rf"{re.escape(str(module))}:(\d+):", at_page_line, report)
    assert status == 0, f"mypy --strict found errors in the documentation's examples:\n{report}{stderr}"
    assert stderr == ""
