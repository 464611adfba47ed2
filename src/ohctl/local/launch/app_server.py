"""Start the real OpenHands app server with process sandboxes (``ohctl local`` and the test suite).

Run with the server venv's interpreter: ``python app_server.py --port N``. It never imports ohctl
(ohctl is not installed in that venv). Each patch below was checked against openhands-ai 1.11.0 (the
pinned version, ``PINNED``); a different version refuses to start unless OHCTL_LOCAL_UNPINNED=1,
since a patch that no longer fits could break the server silently. They are applied at import time,
before uvicorn starts:

1. A ``/.dockerenv`` marker makes the server rewrite ``localhost`` sandbox URLs to
   ``host.docker.internal``.
2. An idle (sleeping) agent-server process is reported as STARTING, so a sandbox never becomes RUNNING.
3. Thirty seconds is too short for an agent server to import on two busy cores.
4. The default agent always gets the browser tools, and a sandbox without Chromium then fails every
   conversation start. The suite needs no browser: the tools are built with ``enable_browser=False``
   (``OHCTL_PEER_BROWSER=1`` keeps the upstream behaviour).
"""

from __future__ import annotations

import argparse
import functools
import os

import psutil


def _patch() -> None:
    from openhands.app_server.utils import docker_utils, environment

    environment.is_running_in_docker.cache_clear()
    environment.is_running_in_docker = lambda: False  # type: ignore[assignment]
    docker_utils.is_running_in_docker = lambda: False  # type: ignore[assignment]

    from openhands.app_server.sandbox import process_sandbox_service as pss
    from openhands.app_server.sandbox.sandbox_models import SandboxStatus

    def _get_process_status(self, process_info):
        try:
            process = psutil.Process(process_info.pid)
            status = process.status()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return SandboxStatus.MISSING
        if status == psutil.STATUS_STOPPED:
            return SandboxStatus.PAUSED
        if status in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return SandboxStatus.MISSING
        return SandboxStatus.RUNNING

    original_wait = pss.ProcessSandboxService._wait_for_server_ready

    async def _wait_for_server_ready(self, port, timeout=30):
        return await original_wait(self, port, timeout=max(timeout, 180))

    pss.ProcessSandboxService._get_process_status = _get_process_status
    pss.ProcessSandboxService._wait_for_server_ready = _wait_for_server_ready

    if os.environ.get("OHCTL_PEER_BROWSER") != "1":
        from openhands.app_server.app_conversation import live_status_app_conversation_service as live

        for name in ("get_default_tools", "register_builtins_agents"):
            original = getattr(live, name)
            setattr(live, name, _without_browser(original))


def _without_browser(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        kwargs["enable_browser"] = False
        return function(*args, **kwargs)

    return wrapper


PINNED = "1.11.0"


def _check_version() -> None:
    from importlib.metadata import version

    found = version("openhands-ai")
    if found != PINNED and os.environ.get("OHCTL_LOCAL_UNPINNED") != "1":
        raise SystemExit(
            f"ohctl's launcher patches were checked against openhands-ai {PINNED}, not {found}: "
            "re-check them (see this file), or set OHCTL_LOCAL_UNPINNED=1 to try anyway"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _check_version()
    _patch()
    import uvicorn

    uvicorn.run("openhands.app_server.app:app", host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
