"""The committed locks: every server ohctl installs has one, and every lock pins every package exactly,
with hashes, so that nothing is resolved at install time."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ohctl.local import install as installer

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENT = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)\s*(?:;\s*(?P<marker>.+))?$"
)


def entries(text: str) -> list[str]:
    """The requirements of a pip-compile style lock, each with its continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def problems(text: str) -> list[str]:
    found = []
    for entry in entries(text):
        pin, *options = re.split(r"\s+(?=--)", entry)
        if not REQUIREMENT.match(pin):
            found.append(f"not pinned exactly: {pin}")
            continue
        hashes = [o for o in options if re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", o)]
        others = [o for o in options if o not in hashes]
        if not hashes:
            found.append(f"no hash: {pin}")
        if others:
            found.append(f"unexpected option {others} on {pin}")
    return found


def versions(text: str) -> dict[str, str]:
    found = {}
    for entry in entries(text):
        match = REQUIREMENT.match(re.split(r"\s+(?=--)", entry)[0])
        if match:
            found[match["name"].lower()] = match["version"]
    return found


def locks() -> list[Path]:
    return [ROOT / "locks" / "dev.txt", ROOT / "locks" / "bootstrap.txt"] + [
        installer.lock_path(*peer) for peer in installer.PEERS.values()
    ]


@pytest.mark.parametrize("which", sorted(installer.PEERS))
def test_every_server_has_its_lock_shipped_in_the_package(which: str) -> None:
    package, version = installer.PEERS[which]
    path = installer.lock_path(package, version)
    assert path.is_file(), f"no lock for {package} {version}: run scripts/lock-servers {which}"
    assert path.parent == ROOT / "src" / "ohctl" / "local" / "locks"  # inside the package: shipped in the wheel
    pinned = versions(path.read_text())
    assert pinned[package] == version
    # The constraint that keeps the agent server's Fernet keys working (see constraints.txt).
    assert tuple(int(p) for p in pinned["cryptography"].split(".")[:1]) < (51,)
    # The override made when locking is kept in the lock itself: the install needs no override.
    assert pinned["certifi"] == "2026.10.18"


@pytest.mark.parametrize("path", locks(), ids=lambda p: p.name)
def test_every_lock_pins_and_hashes_every_package(path: Path) -> None:
    assert path.is_file(), f"{path.name} is missing: run scripts/lock-dev or scripts/lock-servers"
    text = path.read_text()
    assert entries(text), f"{path.name} holds no requirement"
    assert problems(text) == []


def test_the_checker_finds_unpinned_and_unhashed_requirements() -> None:
    good = "a==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n    # via b\n"
    assert problems(good) == []
    assert problems("a>=1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n") == ["not pinned exactly: a>=1.0"]
    assert problems("a==1.0\n") == ["no hash: a==1.0"]
    assert problems("a==1.0 ; python_version < '3.11' \\\n    --hash=sha256:" + "1" * 64 + "\n") == []
    assert problems("-e .\n") == ["not pinned exactly: -e ."]
    assert problems("a==1.0 \\\n    --hash=md5:00\n") == [
        "no hash: a==1.0",
        "unexpected option ['--hash=md5:00'] on a==1.0",
    ]


def test_the_bootstrap_uv_is_the_one_in_the_dev_lock() -> None:
    dev = versions((ROOT / "locks" / "dev.txt").read_text())
    boot = versions((ROOT / "locks" / "bootstrap.txt").read_text())
    assert boot == {"uv": dev["uv"]}
    boot_hashes = set(re.findall(r"sha256:[0-9a-f]{64}", (ROOT / "locks" / "bootstrap.txt").read_text()))
    dev_text = (ROOT / "locks" / "dev.txt").read_text()
    assert boot_hashes and all(h in dev_text for h in boot_hashes)


def _project() -> dict[str, Any]:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_the_dev_lock_covers_every_dependency_of_the_project() -> None:
    """pyproject.toml changed without a relock shows here (scripts/lock-dev): the core, and every
    extra (the tests run every command, so the development environment has them all)."""
    from packaging.requirements import Requirement

    project = _project()
    pinned = versions((ROOT / "locks" / "dev.txt").read_text())
    extras = project["optional-dependencies"]
    assert {"cli", "local", "mcp", "all", "dev"} <= set(extras)
    wanted = [Requirement(r) for r in project["dependencies"] + [r for group in extras.values() for r in group]]
    own = [r for r in wanted if r.name == project["name"]]  # [all] = ohctl[cli,local,mcp]
    assert all(r.extras <= set(extras) for r in own), own
    stale = [
        str(r)
        for r in wanted
        if r not in own and (r.name.lower() not in pinned or pinned[r.name.lower()] not in r.specifier)
    ]
    assert stale == [], f"not in locks/dev.txt as pyproject.toml asks: {stale}: run scripts/lock-dev"


def test_the_dev_lock_is_made_from_every_extra() -> None:
    """scripts/lock-dev locks .[all,dev,docs], and [all] is every other extra (the users' ones; dev and
    docs are the project's own): a new extra left out of [all] would be missing from the development
    environment at the next relock."""
    import importlib.util

    from packaging.requirements import Requirement

    spec = importlib.util.spec_from_file_location("locks_script", ROOT / "scripts" / "locks.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    extras = _project()["optional-dependencies"]
    assert set(script.DEV_EXTRAS) == {"all", "dev", "docs"}
    (everything,) = (Requirement(r) for r in extras["all"])
    assert everything.extras == set(extras) - {"all", "dev", "docs"}
