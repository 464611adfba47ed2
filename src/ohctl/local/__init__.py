"""The real open-source OpenHands server on this machine: no Docker, no account, no network.

``LocalServer().up()`` installs the pinned ``openhands-ai`` once (uv, a Python >= 3.12), starts it on
127.0.0.1 with process sandboxes and a generated session key, and sets the model: the given one,
``LLM_MODEL`` / ``LLM_API_KEY`` / ``LLM_BASE_URL``, or the offline scripted model shipped here
(``ohctl.local.scripted_model``). ``down()`` stops it and everything it started.
"""

from .install import AGENT_SERVER, APP_SERVER, InstallError, find_python, server_cache
from .install import install as install_server
from .sandbox_logs import default_state_dir
from .server import LocalServer, LocalServerError, LocalStatus

__all__ = [
    "AGENT_SERVER",
    "APP_SERVER",
    "InstallError",
    "LocalServer",
    "LocalServerError",
    "LocalStatus",
    "default_state_dir",
    "find_python",
    "install_server",
    "server_cache",
]
