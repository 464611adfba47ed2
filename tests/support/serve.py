"""Run the suite's scripted LLM and real app server until interrupted, for development: several test
runs can share them (``OHCTL_PEER_REUSE=<the file printed>``) instead of each starting its own.

    .venv/bin/python -m tests.support.serve /tmp/ohctl-peer.json
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

from tests.support.harness import start_app_server
from tests.support.scripted_llm import ScriptedLLM


def main() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})  # taken by sigwait below
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "ohctl-peer.json")
    llm = ScriptedLLM().start()
    peer = start_app_server(llm.base_url)
    target.write_text(
        json.dumps({"port": peer.port, "run_id": peer.run_id, "workdir": str(peer.workdir), "llm_port": llm.port})
    )
    print(f"app server {peer.base_url}, LLM {llm.base_url}; OHCTL_PEER_REUSE={target}", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        peer.stop()
        llm.stop()
        target.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
