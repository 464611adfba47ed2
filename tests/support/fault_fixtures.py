"""Fixtures of the peer fault suite (tests/peers/test_*faults*.py): a plugin that tests/conftest.py loads.

``app_proxy`` is a fault proxy in front of the real app server; ``agent_proxy`` one in front of the
shared sandbox's agent server, with the app proxy rewriting ``conversation_url``/``exposed_urls`` to
it. ``figures`` collects the measured numbers; they are printed at the end of the session and
written to ``$TMPDIR/ohctl-fault-figures.json`` so the lead can quote them.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.peer_suite import Shared

FIGURES_PATH = Path(tempfile.gettempdir()) / "ohctl-fault-figures.json"
FIGURES: dict[str, Any] = {}  # one dict for every module that uses the fixture


def _assert_stopped(proxy: FaultProxy) -> None:
    proxy.stop()
    assert proxy.open_connections == 0
    assert not any(t.name == f"fault-proxy->{proxy.upstream}" and t.is_alive() for t in threading.enumerate())


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, Any]]:
    found = FIGURES
    yield found
    if found:
        text = json.dumps(found, indent=2, sort_keys=True, default=str)
        FIGURES_PATH.write_text(text)
        print(f"\n=== fault-suite figures ({FIGURES_PATH}) ===\n{text}")


@pytest.fixture
def app_proxy(base_url: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(base_url).start()
    yield proxy
    _assert_stopped(proxy)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def agent_proxy(app_proxy: FaultProxy, shared: Shared) -> Iterator[FaultProxy]:
    """A proxy in front of the shared sandbox's agent server; the app proxy points answers at it."""
    url = shared.conversation.conversation_url
    assert url, "the shared conversation has no conversation_url"
    upstream = origin(url)
    proxy = FaultProxy(upstream).start()
    app_proxy.rewrite[upstream] = proxy.base_url
    host = urlsplit(upstream)
    if host.hostname == "127.0.0.1":  # the same server may also be named localhost in exposed_urls
        app_proxy.rewrite[f"http://localhost:{host.port}"] = proxy.base_url
    yield proxy
    _assert_stopped(proxy)
