"""The README's code and sections, for the tests that check the README against the package.

``python_blocks()`` gives every fenced ```python block with the README line it starts on, so a
failure points at the README line. ``combined_source()`` joins the blocks in order into one module
(later blocks use names that earlier ones define, as a reader running them in order would), each
block headed by a comment naming its README line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
_FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Block:
    language: str
    first_line: int  # README line number of the block's first code line (1-based)
    code: str


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced code block of the README, in order."""
    lines = (README.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening and opening.group(1):
            end = index + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            if end == len(lines):
                raise AssertionError(f"README.md line {index + 1}: the ``` block is never closed")
            found.append(Block(opening.group(1), index + 2, "\n".join(lines[index + 1 : end]) + "\n"))
            index = end
        index += 1
    return found


def python_blocks(text: str | None = None) -> list[Block]:
    return [b for b in blocks(text) if b.language == "python"]


def combined_source(text: str | None = None) -> tuple[str, dict[int, int]]:
    """All python blocks as one module, and a map from its line numbers to README line numbers."""
    out: list[str] = []
    line_map: dict[int, int] = {}
    for block in python_blocks(text):
        out.append(f"# --- README.md line {block.first_line}")
        for offset, line in enumerate(block.code.splitlines()):
            out.append(line)
            line_map[len(out)] = block.first_line + offset
    return "\n".join(out) + "\n", line_map


def section(heading: str, text: str | None = None) -> str:
    """The body of the README section titled ``heading`` (any level), up to the next heading."""
    content = README.read_text(encoding="utf-8") if text is None else text
    match = re.search(rf"^#+ {re.escape(heading)}\s*$(.*?)(?=^#+ |\Z)", content, re.S | re.M)
    if match is None:
        raise AssertionError(f"README.md has no section titled {heading!r}")
    return match.group(1)
