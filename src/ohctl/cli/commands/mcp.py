"""``ohctl mcp``: a Model Context Protocol server on stdio, so another agent can delegate to OpenHands."""

from __future__ import annotations

import sys

import click

from ..context import state


@click.command("mcp")
def mcp_command() -> None:
    """Serve OpenHands as MCP tools on stdin/stdout (for Claude Desktop, IDE assistants, other agents).

    The key and server come from the environment or the stored profile, as for every command. Tools:
    start_task, get_conversation, wait_for_conversation, recent_events, send_message, get_diff,
    get_patch, list_conversations.

    \b
    {"mcpServers": {"openhands": {"command": "ohctl", "args": ["mcp"]}}}
    """
    import ohctl
    import ohctl.mcp

    # Resolve the credentials before serving: a missing key fails here, as one line with its hint.
    client = state().async_client()  # the run's profile and --org; the MCP server closes it
    if sys.stdin.isatty():
        click.echo(
            "ohctl mcp: serving OpenHands to an MCP client on stdin/stdout; it is meant to be "
            "started by one (see `ohctl mcp --help`). Ctrl-C stops it.",
            err=True,
        )
    try:
        ohctl.mcp.serve(client)
    except ohctl.mcp.MCPUnavailableError as exc:
        raise click.ClickException(str(exc)) from None
