"""The MCP server: the tools another agent calls to delegate work to OpenHands, declared with the
maintained ``mcp`` SDK (its ``MCPServer``). Inputs are JSON-schema'd by their annotations; failures
become tool errors whose message says what to do next, never a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from .._version import __version__
from .._wait_logic import STALL_AFTER
from .tools import OpenHandsTools, ToolFailureError

if TYPE_CHECKING:
    import ohctl

INSTRUCTIONS = """\
Delegate software tasks to OpenHands agents, each working in its own sandbox on a repository.
start_task starts one (wait=true waits for the outcome); wait_for_conversation waits on one you
started; get_conversation shows its status, outcome and the agent's last message; recent_events shows
what the agent did; get_diff shows its code changes (get_patch: as a patch against the commit it
started from); send_message sends a follow-up;
list_conversations lists recent ones. An agent in confirmation mode (outcome needs_input) waits for
you: pending_actions shows what it wants to do, approve_actions or reject_actions (with a reason)
answers. Conversation ids are the 32-hex ids these tools return."""

ConversationIdArg = Annotated[
    str,
    Field(
        description="The conversation id (32 hex digits, as start_task and list_conversations return it).",
        min_length=32,
        max_length=36,
    ),
]
OUTPUT_SCHEMA_HELP = (
    "A JSON Schema object: the agent is told to end with one JSON document matching it, and the wait "
    "returns that document (checked; follow-ups quote what was wrong)."
)
Timeout = Annotated[float, Field(description="Most seconds to wait before returning.", gt=0, le=86400)]

READ_ONLY = ToolAnnotations(readOnlyHint=True, openWorldHint=True)


@contextlib.contextmanager
def tool_errors(tools: OpenHandsTools) -> Iterator[None]:
    """An anticipated failure (the library's typed errors carry advice) becomes a tool error."""
    import ohctl

    try:
        yield
    except (ToolFailureError, ohctl.OhctlError) as exc:
        raise ToolError(tools.scrub(str(exc))) from None


def create_server(client: ohctl.AsyncOpenHands) -> MCPServer[Any]:
    """The server with its tools, all calling through ``client`` (whose key never shows in a result)."""
    tools = OpenHandsTools(client)
    server: MCPServer[Any] = MCPServer(
        "ohctl", title="OpenHands", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )

    @server.tool(annotations=ToolAnnotations(destructiveHint=False, openWorldHint=True))
    async def start_task(
        ctx: Context,
        message: Annotated[str, Field(description="What the agent should do (the first message).", min_length=1)],
        repository: Annotated[
            str | None, Field(description="Repository to work on, owner/name (e.g. octo/parser); omit for none.")
        ] = None,
        branch: Annotated[str | None, Field(description="Branch to start from (default: the default one).")] = None,
        git_provider: Annotated[
            str | None, Field(description="github (default with a repository), gitlab, bitbucket, ...")
        ] = None,
        title: Annotated[str | None, Field(description="Conversation title.", max_length=200)] = None,
        wait: Annotated[bool, Field(description="Wait until the agent finishes and return the outcome.")] = False,
        timeout: Timeout = 1800.0,
        confirm: Annotated[
            Literal["always", "risky", "never"] | None,
            Field(
                description="Which actions wait for approve_actions: always, risky (those the agent rates "
                "HIGH) or never; omit for the server's setting."
            ),
        ] = None,
        output_schema: Annotated[dict[str, Any] | None, Field(description=OUTPUT_SCHEMA_HELP)] = None,
    ) -> dict[str, Any]:
        """Start an OpenHands agent on a task. Returns the conversation id and its web URL once the sandbox
        is ready; with wait=true, also waits for the outcome (finished / failed / needs_input / stalled /
        timed_out, or invalid_output with an output_schema) and returns the agent's last message, cost and
        PRs (and `document`, the agent's JSON result, with an output_schema). With confirm, the agent waits
        for approval (outcome needs_input): see pending_actions, approve_actions and reject_actions."""
        with tool_errors(tools):
            return await tools.start_task(
                message,
                repository=repository,
                branch=branch,
                git_provider=git_provider,
                title=title,
                confirm=confirm,
                wait=wait,
                timeout=timeout,
                output_schema=output_schema,
                report=ctx.report_progress,
            )

    @server.tool(annotations=READ_ONLY)
    async def get_conversation(conversation_id: ConversationIdArg) -> dict[str, Any]:
        """A conversation at a glance: status, outcome (when its run ended), repository, PRs, cost, tokens,
        event count, the task and the agent's last message."""
        with tool_errors(tools):
            return await tools.summary(conversation_id)

    @server.tool(annotations=READ_ONLY)
    async def wait_for_conversation(
        ctx: Context,
        conversation_id: ConversationIdArg,
        timeout: Timeout = 600.0,
        stall_after_seconds: Annotated[
            float, Field(description="A running agent with no event for this long ends the wait as stalled.", gt=0)
        ] = STALL_AFTER,
        output_schema: Annotated[
            dict[str, Any] | None,
            Field(description="The output schema of a conversation start_task did not start here (else omit)."),
        ] = None,
    ) -> dict[str, Any]:
        """Wait until the agent's run ends or `timeout` passes, reporting progress meanwhile. Returns the
        outcome (finished / failed / needs_input / stalled / timed_out) with the conversation's summary;
        on timed_out the agent goes on working: call again to keep waiting. stalled: it runs but has
        produced no event for stall_after_seconds (the note says when it last did, and what). For a task
        started with an output_schema, `document` is the agent's JSON result, checked against it (after
        up to 2 follow-ups that quote the problems; still wrong: outcome invalid_output, schema_errors)."""
        with tool_errors(tools):
            return await tools.wait(
                conversation_id,
                timeout=timeout,
                stall_after=stall_after_seconds,
                output_schema=output_schema,
                report=ctx.report_progress,
            )

    @server.tool(annotations=READ_ONLY)
    async def recent_events(
        conversation_id: ConversationIdArg,
        limit: Annotated[int, Field(description="How many of the latest events.", ge=1, le=100)] = 20,
        everything: Annotated[
            bool, Field(description="Include bookkeeping events (system prompt, token counts).")
        ] = False,
    ) -> dict[str, Any]:
        """The latest events of a conversation, oldest first, one short line each: messages, the agent's
        actions (commands, file edits), tool outputs, errors and status changes."""
        with tool_errors(tools):
            return await tools.recent_events(conversation_id, limit=limit, everything=everything)

    @server.tool(annotations=ToolAnnotations(destructiveHint=False, openWorldHint=True))
    async def send_message(
        ctx: Context,
        conversation_id: ConversationIdArg,
        message: Annotated[str, Field(description="The follow-up message for the agent.", min_length=1)],
        wait: Annotated[bool, Field(description="Wait until the agent finishes this run.")] = False,
        timeout: Timeout = 1800.0,
    ) -> dict[str, Any]:
        """Send a follow-up message to the agent (a paused sandbox is resumed first); the agent runs on it.
        With wait=true, returns the outcome of that run as wait_for_conversation does."""
        with tool_errors(tools):
            return await tools.send_message(
                conversation_id, message, wait=wait, timeout=timeout, report=ctx.report_progress
            )

    @server.tool(annotations=READ_ONLY)
    async def get_diff(
        conversation_id: ConversationIdArg,
        path: Annotated[
            str | None, Field(description="The repository's directory in the sandbox (default: the conversation's).")
        ] = None,
        stat: Annotated[bool, Field(description="Only a summary of the changed files (git diff --stat).")] = False,
        max_chars: Annotated[int, Field(description="Cap on the diff's length.", ge=1000, le=500000)] = 20000,
    ) -> dict[str, Any]:
        """The agent's changes to the repository in its sandbox, as a unified diff (new files included).
        A paused sandbox is resumed first; a long diff is cut at max_chars, with a note."""
        with tool_errors(tools):
            return await tools.diff(conversation_id, path=path, stat=stat, max_chars=max_chars)

    @server.tool(annotations=READ_ONLY)
    async def get_patch(
        conversation_id: ConversationIdArg,
        path: Annotated[
            str | None, Field(description="The repository's directory in the sandbox (default: the conversation's).")
        ] = None,
        max_chars: Annotated[int, Field(description="Cap on the patch's length.", ge=1000, le=500000)] = 20000,
    ) -> dict[str, Any]:
        """The agent's whole change as a git patch against the commit it started from (its commits,
        edits and new files: what `ohctl apply ID` applies locally), with the changed files, their
        line counts and the base commit. A paused sandbox is resumed first; for a deleted one the
        error names what the agent pushed. A long patch is cut at max_chars, with a note."""
        with tool_errors(tools):
            return await tools.patch(conversation_id, path=path, max_chars=max_chars)

    @server.tool(annotations=READ_ONLY)
    async def list_conversations(
        limit: Annotated[int, Field(description="How many, newest first.", ge=1, le=100)] = 20,
        title_contains: Annotated[str | None, Field(description="Only those whose title contains this.")] = None,
    ) -> dict[str, Any]:
        """Recent conversations, newest first: id, title, status, repository, PRs, cost, URL."""
        with tool_errors(tools):
            return await tools.list_conversations(limit=limit, title_contains=title_contains)

    @server.tool(annotations=READ_ONLY)
    async def pending_actions(conversation_id: ConversationIdArg) -> dict[str, Any]:
        """The actions an agent in confirmation mode waits to have approved (outcome needs_input): each
        one's command or file, the agent's own risk rating (LOW / MEDIUM / HIGH) and its reason."""
        with tool_errors(tools):
            return await tools.pending_actions(conversation_id)

    @server.tool(annotations=ToolAnnotations(destructiveHint=True, openWorldHint=True))
    async def approve_actions(
        ctx: Context,
        conversation_id: ConversationIdArg,
        wait: Annotated[bool, Field(description="Then wait until the agent's run ends.")] = False,
        timeout: Timeout = 1800.0,
    ) -> dict[str, Any]:
        """Approve the pending actions: the agent runs them and goes on. Look at them first with
        pending_actions. With wait=true, returns the outcome of the run as wait_for_conversation does."""
        with tool_errors(tools):
            return await tools.answer_actions(
                conversation_id, accept=True, wait=wait, timeout=timeout, report=ctx.report_progress
            )

    @server.tool(annotations=ToolAnnotations(destructiveHint=False, openWorldHint=True))
    async def reject_actions(
        ctx: Context,
        conversation_id: ConversationIdArg,
        reason: Annotated[
            str, Field(description="Why, for the agent: it reads this and decides what to do instead.", min_length=1)
        ],
        wait: Annotated[bool, Field(description="Then wait until the agent's run ends.")] = False,
        timeout: Timeout = 1800.0,
    ) -> dict[str, Any]:
        """Reject the pending actions with a reason; the agent goes on without them. With wait=true,
        returns the outcome of the run as wait_for_conversation does."""
        with tool_errors(tools):
            return await tools.answer_actions(
                conversation_id, accept=False, reason=reason, wait=wait, timeout=timeout, report=ctx.report_progress
            )

    return server


async def serve_stdio(client: ohctl.AsyncOpenHands) -> None:
    """Serve on standard input and output until the client goes away; the client is closed after."""
    async with _closing(client):
        await create_server(client).run_stdio_async()


@contextlib.asynccontextmanager
async def _closing(client: ohctl.AsyncOpenHands) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await client.close()
