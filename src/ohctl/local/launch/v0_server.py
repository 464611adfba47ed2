"""Start the legacy V0 OpenHands server (openhands-ai 1.6.0, the last release with ``/api/conversations``)
with local runtimes: no Docker, no sudo. It serves the legacy test suite (``ohctl.legacy``).

Run with that server venv's interpreter: ``python v0_server.py --port N --state-dir DIR``. It never
imports ohctl (ohctl is not installed in that venv). Everything the server writes (conversations,
workspace, HOME with its git config, TMPDIR with tmux sockets) stays under ``DIR``. The environment
below is the tested recipe; a variable already set wins (``MAX_CONCURRENT_CONVERSATIONS``,
``SANDBOX_CLOSE_DELAY``, ``SESSION_API_KEY`` ...).

Two patches, checked against openhands-ai 1.6.0 (``PINNED``; another version refuses to start unless
OHCTL_LOCAL_UNPINNED=1), applied at import time before uvicorn starts:

1. ``CodeActAgent.sandbox_plugins`` always includes Jupyter: every conversation would start a kernel
   gateway bound to 0.0.0.0 and a kernel (about 425 MB) that outlive it. Only the agent-skills
   plugin is kept, which also halves a runtime's start.
2. ``LocalRuntime.delete`` races with the session closing on its own: the runtime's entry is gone
   and the ``KeyError`` makes about one DELETE in five answer 500 and leave the conversation listed.
   A missing entry means there is nothing left to delete.
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

PINNED = "1.6.0"


def environment(state_dir: Path, port: int) -> dict[str, str]:
    """The recipe's environment for a server on ``port`` whose files live under ``state_dir``."""
    return {
        "RUNTIME": "local",
        "DISABLE_VSCODE_PLUGIN": "true",  # its `sudo chown` and missing binary hang STARTING_RUNTIME
        "SKIP_DEPENDENCY_CHECK": "1",
        "ENABLE_BROWSER": "false",
        "AGENT_ENABLE_BROWSING": "false",
        "AGENT_ENABLE_JUPYTER": "false",
        "RUN_AS_OPENHANDS": "false",
        "USER": getpass.getuser(),
        "SU_TO_USER": "false",
        "SERVE_FRONTEND": "false",
        "ENABLE_V1": "0",  # a V0-only server, like the older self-hosted ones
        "WORKSPACE_BASE": str(state_dir / "workspace"),
        "FILE_STORE": "local",
        "FILE_STORE_PATH": str(state_dir / "filestore"),
        "MCP_HOST": f"127.0.0.1:{port}",
        "LLM_NATIVE_TOOL_CALLING": "true",  # else an unknown model gets prompt-based tools and stalls
        "HOME": str(state_dir / "home"),
        "TMPDIR": str(state_dir / "tmp"),
        "TMUX_TMPDIR": str(state_dir / "tmp"),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "OPENHANDS_SUPPRESS_BANNER": "1",
        "SANDBOX_CLOSE_DELAY": "5",  # finished conversations turn STOPPED soon
        "MAX_CONCURRENT_CONVERSATIONS": "10",  # the default 3 closes the oldest on a 4th
    }


def _patch() -> None:
    from openhands.agenthub.codeact_agent.codeact_agent import CodeActAgent
    from openhands.runtime.plugins import AgentSkillsRequirement

    CodeActAgent.sandbox_plugins = [AgentSkillsRequirement()]

    from openhands.runtime.impl.local.local_runtime import LocalRuntime

    original = LocalRuntime.delete.__func__  # type: ignore[attr-defined]

    async def delete(cls: type, conversation_id: str) -> None:
        try:
            await original(cls, conversation_id)
        except KeyError:
            pass  # the session closed it first

    LocalRuntime.delete = classmethod(delete)  # type: ignore[assignment,method-assign]


def _check_version() -> None:
    from importlib.metadata import version

    found = version("openhands-ai")
    if found != PINNED and os.environ.get("OHCTL_LOCAL_UNPINNED") != "1":
        raise SystemExit(
            f"ohctl's V0 launcher patches were checked against openhands-ai {PINNED}, not {found}: "
            "re-check them (see this file), or set OHCTL_LOCAL_UNPINNED=1 to try anyway"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Start the legacy V0 OpenHands server on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args()
    state_dir: Path = args.state_dir.resolve()
    for key, value in environment(state_dir, args.port).items():
        os.environ.setdefault(key, value)
    for sub in ("workspace", "filestore", "home", "tmp"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    os.chdir(state_dir)
    _check_version()
    _patch()
    import uvicorn

    uvicorn.run("openhands.server.listen:app", host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
