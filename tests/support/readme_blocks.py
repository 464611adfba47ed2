"""The documentation's code and sections (README.md, CONTRIBUTING.md and every page of ``docs/``), for
the tests that check the documentation against the package.

``python_blocks(path)`` gives every fenced ```python block of a page with the line it starts on, so a
failure points at the page's line. ``combined_source(path)`` joins a page's blocks in order into one
module (later blocks use names that earlier ones define, as a reader running them in order would),
each block headed by a comment naming its line. A page stands on its own: nothing carries over from
one page to the next. ``section(heading)`` finds a section in whichever page holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# An opening fence: ``` or ~~~ (three or more), maybe indented (a block inside a list item), then the
# language; the block ends at the same fence.
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<language>[\w-]*)\s*$")


@dataclass(frozen=True)
class Block:
    language: str
    first_line: int  # line number of the block's first code line in its page (1-based)
    code: str


def pages() -> list[Path]:
    """Every page of the documentation: README.md, CONTRIBUTING.md, then docs/ in path order."""
    found = [p for p in (README, ROOT / "CONTRIBUTING.md") if p.exists()]
    return found + sorted(DOCS.rglob("*.md"))


def name(path: Path) -> str:
    """A page's path as the repository names it (``docs/sdk/waiting.md``)."""
    return path.relative_to(ROOT).as_posix()


def blocks(text: str | None = None, *, path: Path = README) -> list[Block]:
    """Every fenced code block of a page that names its language (``text`` instead of the file's, for
    tests of this module), its lines taken out of the indentation of its fence."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening and opening.group("language"):
            fence, indent = opening.group("fence"), len(opening.group("indent"))
            end = index + 1
            while end < len(lines) and lines[end].strip() != fence:
                end += 1
            if end == len(lines):
                raise AssertionError(f"{name(path)} line {index + 1}: the {fence} block is never closed")
            body = [line[indent:] if not line[:indent].strip() else line for line in lines[index + 1 : end]]
            found.append(Block(opening.group("language"), index + 2, "\n".join(body) + "\n"))
            index = end
        index += 1
    return found


def python_blocks(text: str | None = None, *, path: Path = README) -> list[Block]:
    return [b for b in blocks(text, path=path) if b.language == "python"]


def python_pages() -> list[Path]:
    """The pages that hold Python examples."""
    return [p for p in pages() if python_blocks(path=p)]


def combined_source(text: str | None = None, *, path: Path = README) -> tuple[str, dict[int, int]]:
    """A page's python blocks as one module, and a map from its line numbers to the page's."""
    out: list[str] = []
    line_map: dict[int, int] = {}
    for block in python_blocks(text, path=path):
        out.append(f"# --- {name(path)} line {block.first_line}")
        for offset, line in enumerate(block.code.splitlines()):
            out.append(line)
            line_map[len(out)] = block.first_line + offset
    return "\n".join(out) + "\n", line_map


def section(heading: str, text: str | None = None) -> str:
    """The body of the section titled ``heading`` (any level), up to the next heading: in ``text``,
    else in whichever page of the documentation holds it (exactly one may)."""
    pattern = re.compile(rf"^#+ {re.escape(heading)}\s*$(.*?)(?=^#+ |\Z)", re.S | re.M)
    if text is not None:
        match = pattern.search(text)
        if match is None:
            raise AssertionError(f"no section titled {heading!r}")
        return match.group(1)
    found = [(p, m) for p in pages() if (m := pattern.search(_without_code(p.read_text(encoding="utf-8"))))]
    if not found:
        raise AssertionError(f"no page of the documentation has a section titled {heading!r}")
    if len(found) > 1:
        raise AssertionError(f"{len(found)} pages have a section titled {heading!r}: {[name(p) for p, _ in found]}")
    return found[0][1].group(1)


def page_of(heading: str) -> Path:
    """The page that holds the section titled ``heading``."""
    pattern = re.compile(rf"^#+ {re.escape(heading)}\s*$", re.M)
    for path in pages():
        if pattern.search(_without_code(path.read_text(encoding="utf-8"))):
            return path
    raise AssertionError(f"no page of the documentation has a section titled {heading!r}")


def _without_code(text: str) -> str:
    """The page with its fenced blocks blanked (a ``# comment`` in a shell block is not a heading)."""
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group("fence")
        elif fence is not None and line.strip() == fence:
            fence = None
        else:
            out.append("" if fence is not None else line)
            continue
        out.append("")
    return "\n".join(out)
