"""Sandbox entry point: the bundled agent server, bound to loopback only.

The app server launches ``python -m <module> --port N`` for each process sandbox; the 1.34 agent
server binds 0.0.0.0 unless told otherwise, so this wrapper adds ``--host 127.0.0.1``.
"""

import runpy
import sys

if "--host" not in sys.argv:
    sys.argv += ["--host", "127.0.0.1"]
runpy.run_module("openhands.agent_server", run_name="__main__", alter_sys=True)
