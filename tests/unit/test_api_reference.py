"""The API reference (``docs/reference/``, rendered by mkdocstrings) documents every public name of
``ohctl``: each name in ``ohctl.__all__`` has its own ``::: ohctl.NAME`` directive on one of the pages,
every directive names something that exists, and every page is in the site's navigation. That the
directives render (and each name gets its anchor) is checked on the built site in tests/docs/test_site.py."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import ohctl

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
_DIRECTIVE = re.compile(r"^:::\s+(\S+)\s*$", re.MULTILINE)


def public_names() -> list[str]:
    return [name for name in ohctl.__all__ if name != "__version__"]


def directives(pages: dict[str, str]) -> dict[str, str]:
    """Every ``::: target`` of the pages: target -> the page that holds it."""
    return {target: page for page, text in pages.items() for target in _DIRECTIVE.findall(text)}


def undocumented(names: list[str], pages: dict[str, str]) -> list[str]:
    found = directives(pages)
    return [name for name in names if f"ohctl.{name}" not in found]


def reference_pages() -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in sorted(REFERENCE.glob("*.md"))
    }


def resolves(target: str) -> bool:
    """``ohctl.X`` or ``package.module.Name``: the object a directive names exists."""
    parts = target.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False


def test_every_public_name_is_in_the_reference() -> None:
    missing = undocumented(public_names(), reference_pages())
    assert missing == [], f"public names with no '::: ohctl.NAME' in docs/reference/*.md: {missing}"


def test_every_directive_names_something_that_exists() -> None:
    stale = sorted(target for target in directives(reference_pages()) if not resolves(target))
    assert stale == [], f"directives in docs/reference/*.md that name nothing: {stale}"


def test_a_top_level_directive_names_a_public_name() -> None:
    """``::: ohctl.X`` is for the public names; anything else is named by its module path."""
    public = set(public_names())
    private = sorted(
        target
        for target in directives(reference_pages())
        if target.count(".") == 1 and target.removeprefix("ohctl.") not in public and target != "ohctl.legacy"
    )
    assert private == []


def test_every_reference_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    absent = [page for page in reference_pages() if page.removeprefix("docs/") not in nav]
    assert absent == []


def test_the_check_finds_a_missing_name() -> None:
    pages = {"docs/reference/a.md": "# A\n\n::: ohctl.OpenHands\n    options:\n      x: 1\n\n::: ohctl.types\n"}
    assert undocumented(["OpenHands", "types", "AsyncOpenHands"], pages) == ["AsyncOpenHands"]
    assert not resolves("ohctl.NoSuchName") and not resolves("ohctl._sync.client.Nope")
    assert resolves("ohctl._sync.client.OpenHands") and resolves("ohctl.legacy.LegacyOpenHands")
