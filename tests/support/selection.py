"""Which tests need a real server: the ``peer`` marker, so that ``pytest -m "not peer" tests`` runs
exactly the offline ones, and the guard that keeps the marker true (a test that starts a real server
without it fails, so the offline selection can never start one)."""

from __future__ import annotations

import os

import pytest

# Fixtures defined in these modules start (or need) the real servers of the peer suite.
SERVER_FIXTURE_MODULES = ("tests.peers.", "tests.support.peer_fixtures", "tests.support.fault_fixtures")

_running: list[pytest.Item] = []


def needs_a_server(item: pytest.Item) -> bool:
    """A test under tests/peers, or one that uses a fixture of the real-server suite (directly or
    through another fixture)."""
    if "tests/peers/" in str(item.path).replace(os.sep, "/"):
        return True
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        (getattr(fixture.func, "__module__", "") or "").startswith(SERVER_FIXTURE_MODULES)
        for fixtures in info.name2fixturedefs.values()
        for fixture in fixtures
    )


def mark_peer_tests(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("peer") is None and needs_a_server(item):
            item.add_marker(pytest.mark.peer)


def running(item: pytest.Item | None) -> None:
    """Called around each test's setup, call and teardown: the test that is running now."""
    _running[:] = [item] if item is not None else []


def require_peer(what: str) -> None:
    """Refuse to start a real server for a test that is not marked ``peer``."""
    if _running and _running[0].get_closest_marker("peer") is None:
        raise AssertionError(
            f"{_running[0].nodeid} starts {what} but is not marked peer: mark it with @pytest.mark.peer "
            "(or use the peer suite's fixtures), so that `-m 'not peer'` stays offline"
        )
