import os
import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.support.selection import mark_peer_tests, running

# The real servers' session fixtures (one app server, one shared sandbox) for tests/peers and tests/cli,
# the fault proxies in front of them for the peer fault suite, and the in-process command line.
pytest_plugins = ["tests.support.peer_fixtures", "tests.support.fault_fixtures", "tests.support.cli_runner"]

# No test reads or writes the real ohctl config dir or the OS keyring: every process of the suite
# gets an empty config dir of its own (tests that store profiles use their own tmp_path on top).
os.environ["OHCTL_CONFIG_DIR"] = tempfile.mkdtemp(prefix="ohctl-test-config-")
os.environ["OHCTL_KEYRING"] = "0"
os.environ.pop("OHCTL_PROFILE", None)

# Property tests judge correctness, not speed: no per-example deadline and no "too slow" check, which
# a loaded machine (or the unit suites running side by side in scripts/test) would trip at random.
settings.register_profile("ohctl", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ohctl")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test that needs a real server is marked peer: `pytest -m "not peer" tests` runs the rest.
    mark_peer_tests(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    running(item)  # the harness refuses to start a server for a test not marked peer
    try:
        return (yield)
    finally:
        running(None)
