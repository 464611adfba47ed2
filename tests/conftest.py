import os
import tempfile

import pytest

# The real servers' session fixtures (one app server, one shared sandbox) for tests/peers and tests/cli.
pytest_plugins = ["tests.peers.fixtures"]

# No test reads or writes the real ohctl config dir or the OS keyring: every process of the suite
# gets an empty config dir of its own (tests that store profiles use their own tmp_path on top).
os.environ["OHCTL_CONFIG_DIR"] = tempfile.mkdtemp(prefix="ohctl-test-config-")
os.environ["OHCTL_KEYRING"] = "0"
os.environ.pop("OHCTL_PROFILE", None)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
