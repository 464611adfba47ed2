"""``ohctl send``: a follow-up message (resuming a paused sandbox first)."""

from __future__ import annotations

import time

import click

from ..context import state
from ..output import Output, with_output
from ..params import CONVERSATION, ThenWait, read_text_arg, then_wait_options


@click.command("send")
@click.argument("conversation", type=CONVERSATION)
@click.argument("text")
@then_wait_options("Wait until the agent finishes this run; exit code of the outcome.")
@with_output
def send(conversation: str, text: str, then: ThenWait, out: Output) -> None:
    """Send a follow-up message to the agent (TEXT, or - for standard input).

    With --max-cost or --max-tokens the limit is on the conversation's total, earlier runs included.
    """
    from ..outcomes import wait_for_run
    from ..render import without_keys

    message = read_text_arg(text)
    if not message.strip():
        raise click.BadParameter("the message is empty", param_hint="TEXT")
    from . import legacy

    if legacy.active():
        if then.limits.active:
            raise click.UsageError("--max-cost and --max-tokens need a V1 server")
        return legacy.send(conversation, message, wait=then.wait, timeout=then.timeout, out=out)
    client = state().client()
    started = time.monotonic()
    # A paused sandbox refuses messages (409): resume it and wait until its agent server answers.
    conv = client.conversations.retrieve(conversation)
    if str(conv.sandbox_status) != "RUNNING":
        out.status(f"resuming the sandbox ({conv.sandbox_status})")
    client.conversations.ensure_running(conversation, timeout=min(then.timeout, 300.0)).close()
    if not then.wait:
        client.conversations.send_message(conversation, message)
        out.status(f"sent to {conversation}")
        if out.structured:
            out.emit(without_keys(client.conversations.retrieve(conversation)))
        return
    out.status(f"sending to {conversation}, then waiting for the agent (Ctrl-C leaves it running)")

    def send_it() -> None:
        client.conversations.send_message(conversation, message)

    wait_for_run(client, conversation, then, out, started=started, first=send_it)
