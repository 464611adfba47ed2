"""A Model Context Protocol server, so that another agent (an IDE assistant, Claude, another
OpenHands) can delegate work to OpenHands: ``ohctl mcp``, or ``ohctl.mcp.serve()``.

Nothing here imports the ``mcp`` SDK until a server is made: ``import ohctl`` and the command line
never load it, and it is needed only by those who serve. It comes with the ``[mcp]`` extra (``pip
install 'ohctl[mcp]'``, or ``'ohctl[all]'``); without it, making a server raises MCPUnavailableError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._extras import message
from .._require import MissingExtraError

if TYPE_CHECKING:
    import ohctl

INSTALL_HINT = message("mcp", extra="mcp", purpose="The MCP server")


# The ``mcp`` SDK is not installed (or too old): the message says what to install. The name this
# package has always raised; the one class every missing extra raises (``ohctl.MissingExtraError``).
MCPUnavailableError = MissingExtraError


def _server_module() -> Any:
    try:
        from . import server
    except ImportError as exc:
        if exc.name is not None and (exc.name == "mcp" or exc.name.startswith("mcp.")):
            raise MCPUnavailableError(f"{INSTALL_HINT} ({exc})", module=exc.name, extra="mcp") from exc
        raise
    return server


def create_server(client: ohctl.AsyncOpenHands) -> Any:
    """The MCP server (an ``mcp.server.mcpserver.MCPServer``) with the ohctl tools over ``client``."""
    return _server_module().create_server(client)


def serve(client: ohctl.AsyncOpenHands | None = None, *, profile: str | None = None) -> None:
    """Serve the tools over stdio until the MCP client disconnects. Credentials come as for
    ``AsyncOpenHands()`` (environment, then the stored ``profile``) unless a client is given."""
    import anyio

    server = _server_module()

    async def main() -> None:
        import ohctl

        await server.serve_stdio(client if client is not None else ohctl.AsyncOpenHands(profile=profile))

    anyio.run(main)


__all__ = ["INSTALL_HINT", "MCPUnavailableError", "create_server", "serve"]
