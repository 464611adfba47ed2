"""``_LAZY`` in ``ohctl/__init__.py`` is the one table of public names: ``__all__`` is made from it,
every entry resolves, and the stub type checkers read (``__init__.pyi``) is generated from it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import ohctl

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_init_stub.py"


def test_every_public_name_resolves() -> None:
    assert ohctl.__all__ == ["__version__", *ohctl._LAZY]
    unresolved = [name for name in ohctl.__all__ if getattr(ohctl, name, None) is None]
    assert unresolved == []


def test_the_stub_is_generated_from_the_table() -> None:
    spec = importlib.util.spec_from_file_location("gen_init_stub", SCRIPT)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules["gen_init_stub"] = gen
    spec.loader.exec_module(gen)
    fresh = gen.stub_text(gen.INIT.read_text())
    assert gen.STUB.read_text() == fresh, "src/ohctl/__init__.pyi is out of date: run python scripts/gen_init_stub.py"
