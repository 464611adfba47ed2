"""The sync generator's naming rule: ``AsyncX`` becomes ``X``, so every public sync class is exported
under its own name (no ``SyncX as X`` alias, no subclass that only renames)."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import pytest

import ohctl
import ohctl.cloud
import ohctl.legacy

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_sync.py"


@pytest.fixture(scope="module")
def gen_sync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_sync", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_sync"] = module
    spec.loader.exec_module(module)
    return module


def test_async_names_lose_their_prefix(gen_sync: ModuleType) -> None:
    assert gen_sync.sync_name("AsyncLegacyOpenHands") == "LegacyOpenHands"
    assert gen_sync.sync_name("AsyncHTTP") == "HTTP"
    assert gen_sync.sync_name("Asynchronous") is None
    assert gen_sync.sync_name("Async") is None
    assert gen_sync.sync_name("OpenHands") is None


def test_a_twin_name_taken_in_its_module_is_refused(
    gen_sync: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "settings.py").write_text("from .models import Settings\n\nclass AsyncSettings:\n    x: Settings\n")
    (tmp_path / "fine.py").write_text("class AsyncKeys:\n    pass\n")
    monkeypatch.setattr(gen_sync, "SRC", tmp_path)
    assert gen_sync.collisions(sorted(tmp_path.glob("*.py"))) == ["settings.py: AsyncSettings -> Settings"]


def test_the_real_source_has_no_collision(gen_sync: ModuleType) -> None:
    assert gen_sync.collisions(sorted(gen_sync.SRC.rglob("*.py"))) == []


COMPAT_ALIASES = {"AsyncAppSettings": "AsyncAppSettingsResource"}  # an older public name


@pytest.mark.parametrize("package", [ohctl, ohctl.cloud, ohctl.legacy], ids=lambda m: m.__name__)
def test_public_classes_carry_their_public_name(package: ModuleType) -> None:
    wrong = {}
    for name in package.__all__:
        value = getattr(package, name)
        if inspect.isclass(value) and value.__module__.startswith("ohctl._"):
            expected = COMPAT_ALIASES.get(name, name)
            if (value.__name__, value.__qualname__) != (expected, expected):
                wrong[name] = value.__qualname__
    assert wrong == {}
