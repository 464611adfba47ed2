"""``ohctl send``: a follow-up message (resuming a paused sandbox first)."""

from __future__ import annotations

import time

import click

from ..context import state
from ..output import Output, with_output
from ..params import CONVERSATION, budget_options, read_text_arg, stall_after_option


@click.command("send")
@click.argument("conversation", type=CONVERSATION)
@click.argument("text")
@click.option("--wait", is_flag=True, help="Wait until the agent finishes this run; exit code of the outcome.")
@click.option("--timeout", type=float, default=3600.0, show_default=True, help="Seconds to wait (with --wait).")
@stall_after_option("with --wait: ")
@budget_options("with --wait: ")
@with_output
def send(
    conversation: str,
    text: str,
    wait: bool,
    timeout: float,
    stall_after: float | None,
    max_cost: float | None,
    max_tokens: int | None,
    out: Output,
) -> None:
    """Send a follow-up message to the agent (TEXT, or - for standard input).

    With --max-cost or --max-tokens the limit is on the conversation's total, earlier runs included.
    """
    from ..outcomes import conclude, interrupted
    from ..render import without_keys

    message = read_text_arg(text)
    if not message.strip():
        raise click.BadParameter("the message is empty", param_hint="TEXT")
    from . import legacy

    if (max_cost is not None or max_tokens is not None) and (not wait or legacy.active()):
        raise click.UsageError("--max-cost and --max-tokens need --wait (and a V1 server)")
    if legacy.active():
        return legacy.send(conversation, message, wait=wait, timeout=timeout, out=out)
    client = state().client()
    started = time.monotonic()
    # A paused sandbox refuses messages (409): resume it and wait until its agent server answers.
    conv = client.conversations.retrieve(conversation)
    if str(conv.sandbox_status) != "RUNNING":
        out.status(f"resuming the sandbox ({conv.sandbox_status})")
    client.conversations.ensure_running(conversation, timeout=min(timeout, 300.0)).close()
    if not wait:
        client.conversations.send_message(conversation, message)
        out.status(f"sent to {conversation}")
        if out.structured:
            out.emit(without_keys(client.conversations.retrieve(conversation)))
        return
    out.status(f"sending to {conversation}, then waiting for the agent (Ctrl-C leaves it running)")
    left = max(1.0, timeout - (time.monotonic() - started))
    try:
        client.conversations.send_message(conversation, message)
        # fresh: the previous run's "finished" is not this run's
        result = client.conversations.wait(
            conversation,
            timeout=left,
            fresh=True,
            stall_after=stall_after,
            max_cost=max_cost,
            max_tokens=max_tokens,
            raise_on_outcome=False,
        )
    except KeyboardInterrupt:
        interrupted(conversation)
    conclude(client, conversation, result.outcome, out, started=started, stall=result.stall, budget=result.budget)
